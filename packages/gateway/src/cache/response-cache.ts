/**
 * The two-tier response cache the request path uses: L1 in process, L2 in Redis. A lookup tries
 * L1 then L2, and an L2 hit fills L1; a store writes L1 at once and L2 in the background. Nothing
 * here throws or waits longer than `commandTimeoutMs` on Redis: the cache may only ever make a
 * request faster.
 */
import type { Cluster, Redis } from 'ioredis';
import { CacheTier } from '@llm-edge/semconv';
import type { CacheConfig } from '../config/schema.js';
import { redisState } from '../redis/client.js';
import { logThrottle } from '../redis/throttle.js';
import type { Logger } from '../telemetry/logger.js';
import type { GatewayMetrics } from '../telemetry/metrics.js';
import type { CachedAnswer } from './entry.js';
import { MemoryCache } from './l1.js';
import { RedisCache } from './l2.js';
import { ChurnTable } from './churn-table.js';

export type Tier = 'l1' | 'l2';

export interface LookupHooks {
  /** Called once per tier consulted, with its outcome and duration (for spans). */
  onTier?(tier: Tier, hit: boolean, seconds: number): void;
}

export interface CacheReadiness {
  readonly l1: 'ok';
  readonly l2: 'disabled' | 'ok' | 'degraded';
}

export interface ResponseCacheOptions {
  /** How often the entry/byte gauges of L2 are read from Redis and expired L1 entries purged (ms). */
  readonly statsIntervalMs?: number;
  /** The clock for L1 TTLs (ms). */
  readonly now?: () => number;
}

/** How long after a failed L2 command `/ready` keeps reporting L2 as degraded. */
const DEGRADED_AFTER_ERROR_MS = 10_000;

export class ResponseCache {
  private readonly l1: MemoryCache;
  private readonly l2: RedisCache | undefined;
  /** Background L2 writes by sequence number; not a Set: see churn-table.ts. */
  private readonly pending = new ChurnTable<Promise<unknown>>();
  private writes = 0;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly gauges;
  private readonly counters;
  private lastL2Error = -Infinity;
  private readonly ttlMs: number;

  constructor(
    config: CacheConfig,
    metrics: GatewayMetrics,
    private readonly log: Logger,
    private readonly redis: Redis | Cluster | undefined,
    options: ResponseCacheOptions = {},
  ) {
    const { statsIntervalMs = 15_000, now = Date.now } = options;
    this.ttlMs = config.ttlSeconds * 1000;
    const { l1, l2 } = CacheTier;
    this.gauges = {
      l1Entries: metrics.get('cacheEntries').labels(l1),
      l1Bytes: metrics.get('cacheSizeBytes').labels(l1),
      l2Entries: metrics.get('cacheEntries').labels(l2),
      l2Bytes: metrics.get('cacheSizeBytes').labels(l2),
    };
    this.counters = {
      l1Hits: metrics.child('cacheHitsTotal', l1),
      l1Misses: metrics.child('cacheMissesTotal', l1),
      l2Hits: metrics.child('cacheHitsTotal', l2),
      l2Misses: metrics.child('cacheMissesTotal', l2),
      l2Errors: metrics.child('cacheErrorsTotal', l2),
      l1Evictions: metrics.child('cacheEvictionsTotal', l1),
      l1Duration: metrics.get('cacheLookupDurationSeconds').labels(l1),
      l2Duration: metrics.get('cacheLookupDurationSeconds').labels(l2),
    };
    this.l1 = new MemoryCache({
      maxEntries: config.l1.maxEntries,
      maxBytes: config.l1.maxBytes,
      now,
      onEvict: () => this.counters.l1Evictions.inc(),
    });
    // Zero series from the start, so dashboards and rate() see them before the first event.
    for (const c of [this.counters.l1Hits, this.counters.l1Misses, this.counters.l1Evictions]) c.inc(0);
    this.updateL1Gauges();
    if (redis) {
      const warn = logThrottle();
      this.l2 = new RedisCache(redis, {
        keyPrefix: config.l2.keyPrefix,
        commandTimeoutMs: config.l2.commandTimeoutMs,
        maxEntryBytes: config.l2.maxEntryBytes,
        onError: (op, err) => {
          if (op !== 'stats') {
            // Stats polling is not a cache operation a request felt.
            this.counters.l2Errors.inc();
            this.lastL2Error = Date.now();
          }
          warn((suppressed) => this.log.warn({ err: { message: err.message }, op, suppressed }, `cache l2 ${op} failed: ${err.message}`));
        },
      });
      for (const c of [this.counters.l2Hits, this.counters.l2Misses, this.counters.l2Errors]) c.inc(0);
    }
    this.timer = setInterval(() => void this.refresh(), statsIntervalMs);
    this.timer.unref();
  }

  /** L1 entries and bytes right now (also exported as gauges). */
  get l1Size(): { entries: number; bytes: number } {
    return { entries: this.l1.entries, bytes: this.l1.bytes };
  }

  /**
   * Looks `key` up in L1, then in L2; an L2 hit fills L1 for the TTL the entry has left in Redis
   * (the configured `ttlSeconds` when Redis reports none). Never throws: an L2 failure or timeout
   * is a miss, counted in cache_errors_total{tier="l2"}.
   */
  async lookup(key: string, hooks?: LookupHooks): Promise<{ answer: CachedAnswer; tier: Tier } | undefined> {
    const t1 = performance.now();
    const local = this.l1.get(key);
    const s1 = (performance.now() - t1) / 1000;
    this.counters.l1Duration.observe(s1);
    (local ? this.counters.l1Hits : this.counters.l1Misses).inc();
    this.updateL1Gauges();
    if (hooks?.onTier) safely(() => hooks.onTier!('l1', local !== undefined, s1));
    if (local) return { answer: local, tier: 'l1' };
    if (!this.l2) return undefined;

    const t2 = performance.now();
    const remote = await this.l2.get(key);
    const s2 = (performance.now() - t2) / 1000;
    this.counters.l2Duration.observe(s2);
    const hit = remote.status === 'hit';
    (hit ? this.counters.l2Hits : this.counters.l2Misses).inc();
    if (hooks?.onTier) safely(() => hooks.onTier!('l2', hit, s2));
    if (remote.status !== 'hit') return undefined;
    this.l1.set(key, remote.answer, remote.ttlMs ?? this.ttlMs);
    this.updateL1Gauges();
    return { answer: remote.answer, tier: 'l2' };
  }

  /** Stores a complete answer: L1 now, L2 in the background. Never throws, never waits. */
  store(key: string, answer: CachedAnswer, ttlSeconds: number): void {
    const ttlMs = ttlSeconds * 1000;
    if (!(ttlMs > 0)) return;
    try {
      this.l1.set(key, answer, ttlMs);
      this.updateL1Gauges();
    } catch (err) {
      this.log.warn({ err: { message: (err as Error).message } }, 'cache l1 store failed');
    }
    if (!this.l2) return;
    const write = this.l2.set(key, answer, ttlMs);
    const id = `w${++this.writes}`; // a name, not an index: it stays in the dictionary
    this.pending.set(id, write);
    void write.finally(() => this.pending.delete(id));
  }

  /**
   * Removes `key` from both tiers (L2 bounded like every command). Resolves false when L2 could
   * not confirm it (the entry may still be there until its TTL).
   */
  async delete(key: string): Promise<boolean> {
    this.l1.delete(key);
    this.updateL1Gauges();
    return this.l2 ? this.l2.delete(key) : true;
  }

  /** For `/ready`: L2 is degraded while its client is not connected or shortly after a failed command. */
  readiness(): CacheReadiness {
    if (!this.redis) return { l1: 'ok', l2: 'disabled' };
    const recentError = Date.now() - this.lastL2Error < DEGRADED_AFTER_ERROR_MS;
    return { l1: 'ok', l2: recentError || redisState(this.redis) === 'degraded' ? 'degraded' : 'ok' };
  }

  /** Resolves when the background L2 writes started so far have settled (each is bounded). */
  async drain(): Promise<void> {
    await Promise.allSettled(this.pending.values());
  }

  /**
   * Stops the stats timer and waits for background L2 writes. The Redis client belongs to the
   * caller, who closes it (see closeRedisClient).
   */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.drain();
  }

  /** Purges expired L1 entries and reads the L2 gauges; runs on the stats timer. */
  async refresh(): Promise<void> {
    this.l1.purgeExpired();
    this.updateL1Gauges();
    const stats = await this.l2?.stats();
    if (stats) {
      this.gauges.l2Entries.set(stats.entries);
      this.gauges.l2Bytes.set(stats.bytes);
    }
  }

  private updateL1Gauges(): void {
    this.gauges.l1Entries.set(this.l1.entries);
    this.gauges.l1Bytes.set(this.l1.bytes);
  }
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // a tracing hook must not break a lookup
  }
}
