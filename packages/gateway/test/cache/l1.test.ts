import { Metrics } from '@llm-edge/semconv';
import { describe, expect, it } from 'vitest';
import { CacheSchema } from '../../src/config/schema.js';
import { entryBytes, type CachedAnswer } from '../../src/cache/entry.js';
import { L1_ENTRY_OVERHEAD_BYTES, l1EntryCost, MemoryCache } from '../../src/cache/l1.js';
import { ResponseCache } from '../../src/cache/response-cache.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { GatewayMetrics } from '../../src/telemetry/metrics.js';
import { metricValue } from './metric-value.js';

const answer = (text: string): CachedAnswer => ({
  kind: 'json',
  body: Buffer.from(JSON.stringify({ text })),
  model: 'm',
  provider: 'p',
  createdAt: 0,
});

function clock(start = 1_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('MemoryCache', () => {
  it('evicts the least recently used entry past maxEntries, and counts it', () => {
    let evicted = 0;
    const l1 = new MemoryCache({ maxEntries: 3, maxBytes: 1e9, onEvict: () => evicted++ });
    for (const k of ['a', 'b', 'c']) l1.set(k, answer(k), 60_000);
    expect(l1.get('a')).toBeDefined(); // a is now the most recent; b the least
    l1.set('d', answer('d'), 60_000);
    expect(l1.get('b')).toBeUndefined();
    expect(['a', 'c', 'd'].map((k) => l1.get(k) !== undefined)).toEqual([true, true, true]);
    expect(l1.entries).toBe(3);
    expect(evicted).toBe(1);
    expect(l1.evictions).toBe(1);
  });

  it('keeps total bytes within maxBytes and accounts them exactly', () => {
    const one = l1EntryCost('k0', answer('x'.repeat(100)));
    const l1 = new MemoryCache({ maxEntries: 1000, maxBytes: one * 4 + 10 });
    for (let i = 0; i < 10; i++) l1.set(`k${i}`, answer('x'.repeat(100)), 60_000);
    expect(l1.entries).toBe(4);
    expect(l1.bytes).toBe(one * 4);
    expect(l1.evictions).toBe(6);
    expect(['k6', 'k7', 'k8', 'k9'].every((k) => l1.get(k))).toBe(true);
    // an entry larger than the whole bound is refused, and evicts nothing
    expect(l1.set('big', answer('y'.repeat(one * 5)), 60_000)).toBe(false);
    expect(l1.entries).toBe(4);
    l1.delete('k6');
    expect(l1.bytes).toBe(one * 3);
  });

  it('replacing a key neither double-counts bytes nor counts an eviction', () => {
    const l1 = new MemoryCache({ maxEntries: 2, maxBytes: 1e9 });
    l1.set('a', answer('1'), 60_000);
    l1.set('a', answer('22'), 60_000);
    expect(l1.entries).toBe(1);
    expect(l1.bytes).toBe(l1EntryCost('a', answer('22')));
    // what the entry costs in memory, not only its bytes
    expect(l1.bytes).toBeGreaterThan(entryBytes(answer('22')) + L1_ENTRY_OVERHEAD_BYTES - 1);
    expect(l1.evictions).toBe(0);
    expect(JSON.parse(l1.get('a')!.body!.toString()).text).toBe('22');
  });

  it('treats expired entries as misses, drops them, and does not count them as evictions', () => {
    const t = clock();
    const l1 = new MemoryCache({ maxEntries: 2, maxBytes: 1e9, now: t.now });
    l1.set('short', answer('s'), 100);
    t.advance(99);
    expect(l1.get('short')).toBeDefined();
    t.advance(1);
    expect(l1.get('short')).toBeUndefined();
    expect([l1.entries, l1.bytes]).toEqual([0, 0]);
    // the least recently used entry has expired: pushing it out is not an eviction
    l1.set('soon', answer('x'), 50);
    l1.set('long', answer('l'), 10_000);
    t.advance(60);
    l1.set('new', answer('n'), 10_000);
    expect(l1.entries).toBe(2);
    expect(l1.evictions).toBe(0);
    // purge frees idle expired entries
    t.advance(20_000);
    expect(l1.purgeExpired()).toBe(2);
    expect([l1.entries, l1.bytes]).toEqual([0, 0]);
  });

  it('names the bad bound', () => {
    expect(() => new MemoryCache({ maxEntries: 0, maxBytes: 10 })).toThrow(/maxEntries/);
    expect(() => new MemoryCache({ maxEntries: 1, maxBytes: 1.5 })).toThrow(/maxBytes/);
  });
});

describe('ResponseCache without Redis', () => {
  it('serves from L1, reports l2 disabled, and keeps the L1 metrics current', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false });
    const config = CacheSchema.parse({ l1: { maxEntries: 2, maxBytes: 1_000_000 } });
    const cache = new ResponseCache(config, metrics, createLogger('silent'), undefined);
    const tiers: string[] = [];
    const hooks = { onTier: (tier: string, hit: boolean) => tiers.push(`${tier}:${hit ? 'hit' : 'miss'}`) };
    expect(await cache.lookup('k1', hooks)).toBeUndefined();
    cache.store('k1', answer('one'), 60);
    expect((await cache.lookup('k1', hooks))?.tier).toBe('l1');
    expect(tiers).toEqual(['l1:miss', 'l1:hit']);
    cache.store('k2', answer('two'), 60);
    cache.store('k3', answer('three'), 60);
    expect(cache.readiness()).toEqual({ l1: 'ok', l2: 'disabled' });
    const l1 = { tier: 'l1' };
    expect(await metricValue(metrics, Metrics.cacheHitsTotal.name, l1)).toBe(1);
    expect(await metricValue(metrics, Metrics.cacheMissesTotal.name, l1)).toBe(1);
    expect(await metricValue(metrics, Metrics.cacheEvictionsTotal.name, l1)).toBe(1);
    expect(await metricValue(metrics, Metrics.cacheEntries.name, l1)).toBe(2);
    expect(await metricValue(metrics, Metrics.cacheSizeBytes.name, l1)).toBe(cache.l1Size.bytes);
    expect(cache.l1Size.bytes).toBe(l1EntryCost('k2', answer('two')) + l1EntryCost('k3', answer('three')));
    expect(await metricValue(metrics, Metrics.cacheLookupDurationSeconds.name + '_count', l1)).toBe(2);
    await cache.close();
  });

  it('a hook that throws does not break the lookup', async () => {
    const cache = new ResponseCache(CacheSchema.parse({}), new GatewayMetrics({ defaultMetrics: false }), createLogger('silent'), undefined);
    cache.store('k', answer('a'), 60);
    const found = await cache.lookup('k', { onTier: () => { throw new Error('tracer bug'); } });
    expect(found?.tier).toBe('l1');
    await cache.close();
  });
});
