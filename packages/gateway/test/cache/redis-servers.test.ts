// The test helper itself: real redis-server processes start, die, come back on the same port,
// and form a cluster that serves every slot.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startRedis, startRedisCluster, type RedisClusterHandle, type RedisServer } from '../redis.js';

const run = promisify(execFile);
const cli = async (port: number, ...args: string[]) =>
  (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args])).stdout.trim();

describe('startRedis', () => {
  let redis: RedisServer | undefined;
  afterAll(() => redis?.stop());

  it('starts, dies on kill, and comes back on the same port after restart', async () => {
    redis = await startRedis({ args: ['--maxmemory', '16mb'] });
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await cli(redis.port, 'config', 'get', 'maxmemory')).toContain(String(16 * 1024 * 1024));
    expect(await cli(redis.port, 'config', 'get', 'save')).toBe('save'); // an empty value: nothing saved to disk
    await redis.kill();
    await expect(cli(redis.port, 'ping')).rejects.toThrow();
    await redis.restart();
    expect(await cli(redis.port, 'ping')).toBe('PONG');
  });
});

describe('startRedisCluster', () => {
  let cluster: RedisClusterHandle | undefined;
  afterAll(() => cluster?.stop());

  it('forms a three-master cluster that covers every slot', async () => {
    cluster = await startRedisCluster();
    expect(cluster.nodes).toHaveLength(3);
    expect(cluster.seeds).toEqual(cluster.nodes.map((n) => `127.0.0.1:${n.port}`));
    const info = await cli(cluster.nodes[0].port, 'cluster', 'info');
    expect(info).toContain('cluster_state:ok');
    expect(info).toContain('cluster_slots_assigned:16384');
    expect(info).toContain('cluster_known_nodes:3');
  });
});
