/**
 * The rendered redis.conf and bootstrap script against real redis-server processes on loopback:
 * three nodes start in cluster mode from the config, the script forms the cluster, and a second
 * run changes nothing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderClusterBootstrapScript, renderRedisConf } from './redis-config.js';

/** A free port whose cluster-bus twin (port + 10000) is free too. */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    if (port + 10000 > 65535) continue;
    const busFree = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port + 10000, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (busFree) return port;
  }
}

function cli(port: number, ...args: string[]): string {
  return spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).stdout;
}

describe('renderRedisConf', () => {
  it('rejects a maxmemory that is not a whole number of MiB', () => {
    expect(() => renderRedisConf({ maxMemoryMiB: 1.5 })).toThrow(/maxMemoryMiB must be an integer >= 16/);
  });
});

describe('bootstrap script against three real redis-server nodes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
  const servers: ChildProcess[] = [];
  const ports: number[] = [];
  const script = join(dir, 'bootstrap.sh');

  beforeAll(async () => {
    writeFileSync(script, renderClusterBootstrapScript());
    for (let i = 0; i < 3; i++) {
      const port = await freePortPair();
      ports.push(port);
      const nodeDir = mkdtempSync(join(dir, `node${i}-`));
      const conf = join(nodeDir, 'redis.conf');
      // The rendered config, with only the port, data dir and bind address changed for loopback.
      writeFileSync(conf, renderRedisConf({ maxMemoryMiB: 64, dataDir: nodeDir, port }).replace('bind 0.0.0.0', 'bind 127.0.0.1'));
      servers.push(spawn('redis-server', [conf, '--cluster-announce-hostname', '127.0.0.1'], { stdio: 'ignore' }));
    }
  });

  afterAll(() => {
    for (const s of servers) s.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const run = () =>
    spawnSync('sh', [script], {
      encoding: 'utf8',
      env: { ...process.env, REDIS_NODES: ports.map((p) => `127.0.0.1:${p}`).join(' '), REDIS_REPLICAS: '0' },
      timeout: 60_000,
    });

  it('forms the cluster, then does nothing on a second run', () => {
    const first = run();
    expect(first.status, first.stderr + first.stdout).toBe(0);
    expect(first.stdout).toContain('cluster formed');
    for (const p of ports) expect(cli(p, 'cluster', 'info')).toContain('cluster_state:ok');
    const config = cli(ports[0]!, 'config', 'get', 'maxmemory-policy');
    expect(config).toContain('allkeys-lru');
    expect(cli(ports[0]!, 'config', 'get', 'appendfsync')).toContain('everysec');

    const second = run();
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toContain('cluster already formed');
    expect(cli(ports[0]!, 'cluster', 'info')).toContain('cluster_known_nodes:3');
  }, 90_000);
});
