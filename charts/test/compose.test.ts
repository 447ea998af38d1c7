/**
 * docker-compose.production.yml: valid for Compose (Debian's docker-compose, `config -q`), every
 * file it mounts exists in dist/compose/, the seed's host ports, images pinned and the same as the
 * constructs', Alertmanager wired to Prometheus with its credentials from compose secrets, and the
 * rendered prometheus.yml and alertmanager.yml pass promtool and amtool.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Images } from '@llm-edge/charts';
import { workerHeapMiB } from '@llm-edge/semconv';
import { repoRoot } from './dist.js';

const composeFile = join(repoRoot, 'docker-compose.production.yml');
const compose = parse(readFileSync(composeFile, 'utf8'), { merge: true });
const services: Record<string, any> = compose.services;

describe('docker-compose.production.yml', () => {
  it('is valid for docker-compose', () => {
    const r = spawnSync('docker-compose', ['-f', composeFile, 'config', '-q'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, GRAFANA_ADMIN_PASSWORD: 'test-only', REDIS_COMMANDER_PASSWORD: 'test-only' },
    });
    expect(r.error, 'docker-compose is not installed (apt-get install docker-compose)').toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
  });

  it('refuses to start without a Grafana password (no admin/admin default)', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, REDIS_COMMANDER_PASSWORD: 'x' };
    delete env.GRAFANA_ADMIN_PASSWORD;
    const r = spawnSync('docker-compose', ['-f', composeFile, '--project-directory', join(repoRoot, 'charts'), 'config', '-q'], { cwd: repoRoot, encoding: 'utf8', env });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('GRAFANA_ADMIN_PASSWORD');
  });

  it('every file it mounts exists', () => {
    const mounts = Object.values(services).flatMap((s) => (s.volumes ?? []) as string[]).filter((v) => v.startsWith('./'));
    expect(mounts.length).toBeGreaterThan(8);
    const missing = mounts.map((v) => v.split(':')[0]!).filter((p) => !existsSync(join(repoRoot, p)));
    expect(missing).toEqual([]);
  });

  it('has the seed services and host ports', () => {
    const ports = Object.fromEntries(Object.entries(services).map(([name, s]) => [name, ((s.ports ?? []) as string[]).map((p) => p.split(':')[0])]));
    expect(ports).toMatchObject({
      'llm-edge-agent': ['8080', '9090'],
      prometheus: ['9091'],
      grafana: ['3000'],
      jaeger: ['16686', '4317', '4318'],
      'redis-1': ['6379'],
      'redis-2': ['6380'],
      'redis-3': ['6381'],
      'redis-commander': ['8081'],
      alertmanager: ['9093'],
    });
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['redis-cluster-init', 'redis-exporter']));
  });

  it('health checks, limits and named volumes', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.deploy?.resources?.limits?.memory, `${name} memory limit`).toBeDefined();
      // The exporter's image has no shell; the init service exits.
      if (!['redis-exporter', 'redis-cluster-init'].includes(name)) expect(s.healthcheck, `${name} healthcheck`).toBeDefined();
    }
    for (const v of ['redis-1-data', 'redis-2-data', 'redis-3-data', 'prometheus-data', 'alertmanager-data', 'grafana-data', 'jaeger-data']) expect(compose.volumes).toHaveProperty(v);
  });

  it('gives the gateway half its memory limit as V8 heap, as EdgeAgent does for one worker', () => {
    const gateway = services['llm-edge-agent'];
    const limitMiB = Number(/^(\d+)G$/.exec(gateway.deploy.resources.limits.memory)![1]) * 1024;
    expect(gateway.environment.LLM_EDGE_WORKERS ?? '1').toBe('1');
    expect(gateway.environment.NODE_OPTIONS).toBe(`--max-old-space-size=${workerHeapMiB(limitMiB, 1)}`);
  });

  it('uses the same pinned images as the constructs', () => {
    const images = Object.entries(services).filter(([, s]) => !s.build).map(([, s]) => s.image as string);
    for (const image of images) {
      expect(image).toMatch(/:[A-Za-z0-9._-]+$/);
      expect(Object.values(Images)).toContain(image);
    }
  });

  it('secrets come from .env, and .env.example documents each one', () => {
    const example = readFileSync(join(repoRoot, '.env.example'), 'utf8');
    const vars = [...readFileSync(composeFile, 'utf8').matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]!);
    for (const v of new Set(vars)) expect(example, v).toMatch(new RegExp(`^${v}=`, 'm'));
  });

  it('its prometheus.yml passes promtool check config (rules beside it)', () => {
    const r = spawnSync('promtool', ['check', 'config', join(repoRoot, 'dist/compose/prometheus/prometheus.yml')], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it("runs Alertmanager with the rendered routing, Prometheus sends to it, and its receivers' credentials are compose secrets", () => {
    const am = services.alertmanager;
    expect(am.volumes).toContain('./dist/compose/alertmanager/alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro');
    expect(am.command).toEqual(expect.arrayContaining(['--config.file=/etc/alertmanager/alertmanager.yml', '--cluster.listen-address=']));
    expect(services.prometheus.depends_on).toHaveProperty('alertmanager');
    const prometheus = parse(readFileSync(join(repoRoot, 'dist/compose/prometheus/prometheus.yml'), 'utf8'));
    expect(prometheus.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['alertmanager:9093']);

    // Each secret Alertmanager mounts is a file on the host (git-ignored), read by alertmanager.yml
    // from /run/secrets/<name>; no receiver URL or key is in the config or the compose file.
    const amConfig = readFileSync(join(repoRoot, 'dist/compose/alertmanager/alertmanager.yml'), 'utf8');
    expect(am.secrets).toEqual(['slack-api-url', 'pagerduty-routing-key']);
    for (const name of am.secrets as string[]) {
      expect(compose.secrets[name].file, name).toMatch(/^\.\/secrets\//);
      expect(amConfig, name).toContain(`/run/secrets/${name}`);
    }
    expect(readFileSync(join(repoRoot, '.gitignore'), 'utf8')).toMatch(/^\/secrets\/$/m);
    expect(amConfig).not.toMatch(/hooks\.slack\.com|routing_key:|api_url:/);
  });

  it('its alertmanager.yml passes amtool check-config', () => {
    const r = spawnSync('amtool', ['check-config', join(repoRoot, 'dist/compose/alertmanager/alertmanager.yml')], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});
