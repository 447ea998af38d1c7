// L2 against a real three-master Redis Cluster: entries spread over the nodes, a new process
// reads them back, and with one node killed the keys on the other nodes still serve while the
// dead node's keys are plain misses, until it restarts and the client finds it again.
import { Metrics } from '@llm-edge/semconv';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResponseCache } from '../../src/cache/response-cache.js';
import { CacheSchema, type CacheConfig } from '../../src/config/schema.js';
import { closeRedisClient, createRedisClient, redisState } from '../../src/redis/client.js';
import { GatewayMetrics } from '../../src/telemetry/metrics.js';
import { startRedisCluster, type RedisClusterHandle, type RedisServer } from '../redis.js';
import { metricValue } from './metric-value.js';
import { captureLogger, jsonAnswer, timed, waitReady, waitUntil } from './support.js';

const PREFIX = 'llm-edge:cache:';
const KEYS = Array.from({ length: 30 }, (_, i) => `v1:cluster-${i}`);

let cluster: RedisClusterHandle;
let config: CacheConfig;
let client: Cluster;
const { log } = captureLogger();
const caches: ResponseCache[] = [];

function freshCache(metrics = new GatewayMetrics({ defaultMetrics: false })) {
  const cache = new ResponseCache(config, metrics, log, client);
  caches.push(cache);
  return { cache, metrics };
}

/** The node that owns `key`, as the cluster itself says. */
async function ownerOf(key: string): Promise<RedisServer> {
  const slot = Number(await client.cluster('KEYSLOT', PREFIX + key));
  const owner = client.slots[slot]?.[0];
  const node = cluster.nodes.find((n) => `${n.host}:${n.port}` === owner);
  if (!node) throw new Error(`no node owns slot ${slot} (${owner})`);
  return node;
}

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  config = CacheSchema.parse({ l2: { clusterNodes: cluster.seeds, commandTimeoutMs: 100 } });
  client = createRedisClient(config.l2, log) as Cluster;
  await waitReady(client);
});

afterAll(async () => {
  await Promise.all(caches.map((c) => c.close()));
  await closeRedisClient(client);
  await cluster.stop();
});

describe('L2 on a Redis Cluster', () => {
  it('stores with TTL across the nodes, and a new process reads every entry from L2', async () => {
    const { cache } = freshCache();
    for (const k of KEYS) cache.store(k, jsonAnswer(k), 60);
    await cache.drain();
    const owners = new Set(await Promise.all(KEYS.map(async (k) => (await ownerOf(k)).port)));
    expect(owners.size).toBe(3); // the keys really are spread over the cluster
    const ttl = await client.pttl(PREFIX + KEYS[0]);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);

    const { cache: reader, metrics } = freshCache();
    for (const k of KEYS) {
      const found = await reader.lookup(k);
      expect(found?.tier, k).toBe('l2');
      expect(JSON.parse(found!.answer.body!.toString()).choices[0].message.content).toBe(k);
    }
    expect(await metricValue(metrics, Metrics.cacheHitsTotal.name, { tier: 'l2' })).toBe(KEYS.length);
    await reader.refresh();
    expect(await metricValue(metrics, Metrics.cacheEntries.name, { tier: 'l2' })).toBeGreaterThanOrEqual(KEYS.length);
    expect(redisState(client)).toBe('ok');
  });

  it('with one node killed, keys on the others still serve, none throws, and the node comes back', async () => {
    const victim = await ownerOf(KEYS[0]!);
    const owners = await Promise.all(KEYS.map(ownerOf));
    const onVictim = KEYS.filter((_, i) => owners[i] === victim);
    const elsewhere = KEYS.filter((_, i) => owners[i] !== victim);
    expect(onVictim.length).toBeGreaterThan(0);
    expect(elsewhere.length).toBeGreaterThan(0);

    await victim.kill();
    const { cache: writer, metrics } = freshCache();
    // twice: right after the kill, and after the client and the cluster noticed it
    for (const round of [1, 2]) {
      for (const k of elsewhere) {
        const { value, ms } = await timed(() => freshCache(metrics).cache.lookup(k));
        expect(value?.tier, `${k} round ${round}`).toBe('l2');
        expect(ms).toBeLessThan(1_000);
      }
      for (const k of onVictim) {
        const { value, ms } = await timed(() => freshCache(metrics).cache.lookup(k));
        expect(value).toBeUndefined();
        expect(ms).toBeLessThan(1_000);
        expect(() => writer.store(k, jsonAnswer('during outage'), 60)).not.toThrow();
      }
      await writer.drain();
      if (round === 1) await waitUntil(() => redisState(client) === 'degraded', 'the client to report the dead node', 10_000);
    }
    expect(await metricValue(metrics, Metrics.cacheErrorsTotal.name, { tier: 'l2' })).toBeGreaterThan(0);
    expect(writer.readiness()).toEqual({ l1: 'ok', l2: 'degraded' });

    // back on the same port with its nodes.conf: the client finds it again by itself
    await victim.restart();
    let round = 0;
    await waitUntil(async () => {
      const probe = onVictim[round++ % onVictim.length]!;
      writer.store(probe, jsonAnswer('back'), 60);
      await writer.drain();
      return (await freshCache().cache.lookup(probe))?.tier === 'l2';
    }, 'a key on the restarted node to round-trip', 30_000);
    await waitUntil(() => redisState(client) === 'ok', 'the client to report ok again', 15_000);
  });
});
