// L2 against a real standalone redis-server: TTLs, L2 hits filling L1, compact values under the
// cache prefix, and a Redis that is slow, dead or restarted never failing or hanging a lookup.
import { Metrics } from '@llm-edge/semconv';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEntry } from '../../src/cache/entry.js';
import { RedisCache } from '../../src/cache/l2.js';
import { ResponseCache } from '../../src/cache/response-cache.js';
import { CacheSchema, type CacheConfig } from '../../src/config/schema.js';
import { closeRedisClient, createRedisClient, redisState } from '../../src/redis/client.js';
import { GatewayMetrics } from '../../src/telemetry/metrics.js';
import { startRedis, type RedisServer } from '../redis.js';
import { metricValue } from './metric-value.js';
import { captureLogger, jsonAnswer, timed, waitReady, waitUntil } from './support.js';

const PREFIX = 'llm-edge:cache:';
const TIMEOUT_MS = 100;
const l2 = { tier: 'l2' };

let redis: RedisServer;
let config: CacheConfig;
let client: Redis;
/** A plain client for looking at what the cache wrote, and for DEBUG SLEEP. */
let raw: Redis;
const { log, lines } = captureLogger();
const caches: ResponseCache[] = [];

/** A new ResponseCache is what a new gateway process would have: an empty L1. */
function freshCache(metrics = new GatewayMetrics({ defaultMetrics: false })) {
  const cache = new ResponseCache(config, metrics, log, client);
  caches.push(cache);
  return { cache, metrics };
}

beforeAll(async () => {
  redis = await startRedis({ args: ['--enable-debug-command', 'yes'] });
  config = CacheSchema.parse({ l2: { url: redis.url, commandTimeoutMs: TIMEOUT_MS } });
  client = createRedisClient(config.l2, log) as Redis;
  raw = new Redis(redis.url, { lazyConnect: true });
  raw.on('error', () => undefined); // it is down on purpose in one test
  await Promise.all([waitReady(client), raw.connect()]);
});

afterAll(async () => {
  await Promise.all(caches.map((c) => c.close()));
  await closeRedisClient(client);
  raw.disconnect();
  await redis.stop();
});

describe('createRedisClient', () => {
  it('gives no client without url or cluster nodes, and names a bad seed', () => {
    expect(createRedisClient(CacheSchema.parse({}).l2, log)).toBeUndefined();
    expect(() => createRedisClient({ ...config.l2, url: undefined, clusterNodes: [':0'] }, log)).toThrow(/clusterNodes/);
  });

  it('reports ok while connected', () => {
    expect(redisState(client)).toBe('ok');
  });
});

describe('L2 on standalone Redis', () => {
  it('writes a compact entry under the cache prefix with the TTL asked for', async () => {
    const { cache } = freshCache();
    const answer = jsonAnswer('stored');
    cache.store('v1:ttl', answer, 30);
    await cache.drain();
    const ttl = await raw.pttl(`${PREFIX}v1:ttl`);
    expect(ttl).toBeGreaterThan(25_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
    const value = await raw.getBuffer(`${PREFIX}v1:ttl`);
    expect(decodeEntry(value!)).toEqual(answer);
    expect(value!.length).toBeLessThan(answer.body!.length + 100);
    expect(await raw.exists('v1:ttl')).toBe(0); // nothing outside the prefix
  });

  it('an L2 hit fills L1 of a new process', async () => {
    const writer = freshCache().cache;
    const answer = jsonAnswer('shared');
    writer.store('v1:fill', answer, 20);
    await writer.drain();
    const { cache, metrics } = freshCache();
    const tiers: string[] = [];
    const first = await cache.lookup('v1:fill', { onTier: (t, hit) => tiers.push(`${t}:${hit}`) });
    expect(first?.tier).toBe('l2');
    expect(first?.answer).toEqual(answer);
    expect((await cache.lookup('v1:fill'))?.tier).toBe('l1');
    expect(tiers).toEqual(['l1:false', 'l2:true']);
    expect(await metricValue(metrics, Metrics.cacheHitsTotal.name, l2)).toBe(1);
    expect(await metricValue(metrics, Metrics.cacheHitsTotal.name, { tier: 'l1' })).toBe(1);
    expect(await metricValue(metrics, Metrics.cacheMissesTotal.name, { tier: 'l1' })).toBe(1);
    expect(await metricValue(metrics, Metrics.cacheLookupDurationSeconds.name + '_count', l2)).toBe(1);
    expect(await metricValue(metrics, Metrics.cacheEntries.name, { tier: 'l1' })).toBe(1);
  });

  it('misses once the Redis TTL has passed, in L1 too: the fill keeps the time Redis had left', async () => {
    const l2cache = new RedisCache(client, { keyPrefix: PREFIX, commandTimeoutMs: TIMEOUT_MS, maxEntryBytes: 1e6, onError: () => undefined });
    expect(await l2cache.set('v1:short', jsonAnswer('brief'), 300)).toBe(true);
    const { cache } = freshCache(); // its own TTL default is an hour
    expect((await cache.lookup('v1:short'))?.tier).toBe('l2');
    expect((await cache.lookup('v1:short'))?.tier).toBe('l1');
    await new Promise((r) => setTimeout(r, 400));
    expect((await l2cache.get('v1:short')).status).toBe('miss');
    expect(await cache.lookup('v1:short')).toBeUndefined();
  });

  it('keeps entries above maxEntryBytes out of L2 but in L1', async () => {
    const small = CacheSchema.parse({ l2: { url: redis.url, commandTimeoutMs: TIMEOUT_MS, maxEntryBytes: 200 } });
    const cache = new ResponseCache(small, new GatewayMetrics({ defaultMetrics: false }), log, client);
    caches.push(cache);
    cache.store('v1:big', jsonAnswer('x'.repeat(500)), 60);
    await cache.drain();
    expect(await raw.exists(`${PREFIX}v1:big`)).toBe(0);
    expect((await cache.lookup('v1:big'))?.tier).toBe('l1');
  });

  it('treats a value that is not an entry as a miss, and counts the error', async () => {
    await raw.set(`${PREFIX}v1:foreign`, '{"not":"an entry"}');
    const { cache, metrics } = freshCache();
    expect(await cache.lookup('v1:foreign')).toBeUndefined();
    expect(await metricValue(metrics, Metrics.cacheMissesTotal.name, l2)).toBe(1);
    expect(await metricValue(metrics, Metrics.cacheErrorsTotal.name, l2)).toBe(1);
  });

  it('reads approximate L2 gauges from DBSIZE and INFO memory', async () => {
    const { cache, metrics } = freshCache();
    await cache.refresh();
    expect(await metricValue(metrics, Metrics.cacheEntries.name, l2)).toBe(await raw.dbsize());
    expect(await metricValue(metrics, Metrics.cacheSizeBytes.name, l2)).toBeGreaterThan(100_000);
  });

  it('answers a miss within the command timeout while Redis sleeps', async () => {
    const { cache, metrics } = freshCache();
    cache.store('v1:slow', jsonAnswer('slow'), 60);
    await cache.drain();
    const reader = freshCache(metrics).cache;
    const sleepStarted = Date.now();
    const sleeping = raw.call('DEBUG', 'SLEEP', '1');
    await new Promise((r) => setTimeout(r, 50)); // the server is now inside DEBUG SLEEP
    const { value, ms } = await timed(() => reader.lookup('v1:slow'));
    const sleptUntil = sleepStarted + 1000;
    expect(value).toBeUndefined();
    expect(ms).toBeLessThan(600); // TIMEOUT_MS is 100; the sleep lasts 1000
    expect(Date.now()).toBeLessThan(sleptUntil);
    expect(await metricValue(metrics, Metrics.cacheErrorsTotal.name, l2)).toBe(1);
    expect(reader.readiness()).toEqual({ l1: 'ok', l2: 'degraded' });
    await sleeping;
    // the late reply was dropped; the next lookup reads the entry again
    expect((await reader.lookup('v1:slow'))?.tier).toBe('l2');
  });

  it('survives a killed Redis without throwing or waiting, then reconnects by itself', async () => {
    const { cache, metrics } = freshCache();
    const warnings = () => lines.filter((l) => l.level === 'warn').length;
    const warnedBefore = warnings();
    await redis.kill();
    await waitUntil(() => client.status !== 'ready', 'the client to notice the dead server', 5_000);
    expect(redisState(client)).toBe('degraded');
    // down for a while: several reconnect attempts fail meanwhile
    for (let i = 0; i < 20; i++) {
      const { value, ms } = await timed(() => cache.lookup(`v1:down-${i}`));
      expect(value).toBeUndefined();
      expect(ms).toBeLessThan(1_000);
      expect(() => cache.store(`v1:down-${i}`, jsonAnswer('while down'), 60)).not.toThrow();
      await new Promise((r) => setTimeout(r, 75));
    }
    await cache.drain();
    expect(await metricValue(metrics, Metrics.cacheErrorsTotal.name, l2)).toBeGreaterThanOrEqual(20);
    expect(cache.readiness().l2).toBe('degraded');
    // 40 failed commands and the reconnect errors, throttled to a handful of log lines
    expect(warnings() - warnedBefore).toBeLessThan(8);

    await redis.restart();
    await raw.connect().catch(() => undefined);
    const reader = freshCache(metrics).cache;
    let round = 0;
    await waitUntil(async () => {
      const key = `v1:back-${round++}`;
      cache.store(key, jsonAnswer('back'), 60);
      await cache.drain();
      return (await reader.lookup(key))?.tier === 'l2';
    }, 'a store and lookup to round-trip through the restarted Redis', 20_000);
    expect(redisState(client)).toBe('ok');
    expect(lines.some((l) => String(l.msg).includes('connected again'))).toBe(true);
  });
});
