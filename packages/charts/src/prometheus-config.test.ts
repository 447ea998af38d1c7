import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderAlertsYaml } from '@llm-edge/alerts';
import { renderPrometheusConfig } from './prometheus-config.js';

function promtoolCheck(config: string): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'promcfg-'));
  try {
    writeFileSync(join(dir, 'prometheus.yml'), config);
    writeFileSync(join(dir, 'alerts.yml'), renderAlertsYaml());
    const r = spawnSync('promtool', ['check', 'config', join(dir, 'prometheus.yml')], { encoding: 'utf8' });
    return { status: r.status, output: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('renderPrometheusConfig', () => {
  it('static gateway targets become job llm-edge-agent with exactly those targets', () => {
    const config = parse(renderPrometheusConfig({ ruleFiles: ['alerts.yml'], staticTargets: { gateway: ['127.0.0.1:41234'] } }));
    expect(config.scrape_configs).toEqual([{ job_name: 'llm-edge-agent', static_configs: [{ targets: ['127.0.0.1:41234'] }] }]);
    expect(config.global).toEqual({ scrape_interval: '15s', evaluation_interval: '15s' });
  });

  it('a full static config (the compose shape) passes promtool check config', () => {
    const text = renderPrometheusConfig({
      scrapeInterval: '5s',
      ruleFiles: ['alerts.yml'],
      staticTargets: { prometheus: ['localhost:9090'], gateway: ['gw:9090'], jaeger: ['jaeger:8888'], redisExporters: ['r1:9121'] },
      alertmanagers: ['alertmanager:9093'],
      externalLabels: { env: 'test' },
    });
    const r = promtoolCheck(text);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('14 rules found'); // the seed's twelve and issue 17's two
  });

  it('multi-target redis scraping passes promtool and sets one instance per node', () => {
    const text = renderPrometheusConfig({ ruleFiles: ['alerts.yml'], redisMultiTarget: { exporter: 'exp:9121', nodes: ['redis-1:6379', 'redis-2:6379'] } });
    expect(promtoolCheck(text).status).toBe(0);
    const job = parse(text).scrape_configs[0];
    expect(job).toMatchObject({ job_name: 'redis', metrics_path: '/scrape' });
    expect(job.static_configs[0].targets).toEqual(['redis://redis-1:6379', 'redis://redis-2:6379']);
  });

  it('kubernetes discovery: one job per target selector, and the catch-all skips pods that have one', () => {
    const config = parse(renderPrometheusConfig({
      ruleFiles: [],
      kubernetesDiscovery: { namespaces: ['ns'], gateway: { labelSelector: 'app.kubernetes.io/name=gw' }, jaeger: { labelSelector: 'app.kubernetes.io/name=jaeger' } },
    }));
    expect(config.scrape_configs.map((j: any) => j.job_name)).toEqual(['llm-edge-agent', 'jaeger', 'kubernetes-pods']);
    const drops = config.scrape_configs[2].relabel_configs.filter((r: any) => r.action === 'drop' && r.source_labels[0].startsWith('__meta_kubernetes_pod_label_'));
    expect(drops).toEqual([
      { source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], regex: 'gw', action: 'drop' },
      { source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], regex: 'jaeger', action: 'drop' },
    ]);
  });

  it.each([
    [{ ruleFiles: [], scrapeInterval: '15 seconds' }, /scrapeInterval "15 seconds" is not a Prometheus duration/],
    [{ ruleFiles: [], staticTargets: { gateway: ['http://gw:9090'] } }, /staticTargets.gateway entry "http:\/\/gw:9090" must be host:port/],
    [
      { ruleFiles: [], staticTargets: { gateway: ['gw:1'] }, kubernetesDiscovery: { namespaces: ['n'], gateway: { labelSelector: 'a=b' } } },
      /job "llm-edge-agent" has both static targets and another target source/,
    ],
  ])('rejects %o', (opts, message) => {
    expect(() => renderPrometheusConfig(opts)).toThrow(message);
  });
});
