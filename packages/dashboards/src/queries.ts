/**
 * Expressions more than one dashboard shows. They follow the definitions of `packages/alerts` so a
 * panel and its alert measure the same thing, with one difference: an alert filters an idle
 * denominator away, a panel shows 0% rather than "no data" when a numerator has no series yet.
 */
import { CacheStatus, Metrics, REDIS_JOB } from '@llm-edge/semconv';
import { gateway, quantile, rate, re, sumBy } from './promql.js';
import type { PromLabel } from './promql.js';

/** The Redis exporter's scrape job, as `packages/alerts` selects it. */
export { REDIS_JOB };

/** Requests answered per second. */
export function requestRate(by: readonly PromLabel[] = []): string {
  return sumBy(by, rate(gateway(Metrics.requestsTotal)));
}

/** Share of responses with a 5xx status (HighErrorRate). */
export function errorRatio(): string {
  return statusRatio('5..');
}

/** Share of responses whose status matches `pattern`; 0 rather than "no data" when none do. */
export function statusRatio(pattern: string): string {
  return `(${sumBy([], rate(gateway(Metrics.requestsTotal, re('status', pattern))))} or vector(0)) / ${requestRate()}`;
}

const HITS = [CacheStatus.hitL1, CacheStatus.hitL2].join('|');
/** Requests that looked in the cache; `bypass` (`cache-control: no-cache`) never had a chance to hit. */
const LOOKUPS = [CacheStatus.hitL1, CacheStatus.hitL2, CacheStatus.miss].join('|');

/**
 * Share of cacheable requests answered from L1 or L2 (LowCacheHitRate). Request-level, from
 * `requests_total{cache}`: the per-tier lookup counters see a request twice (L1 miss, L2 lookup).
 */
export function cacheHitRatio(): string {
  const hits = sumBy([], rate(gateway(Metrics.requestsTotal, re('cache', HITS))));
  const lookups = sumBy([], rate(gateway(Metrics.requestsTotal, re('cache', LOOKUPS))));
  return `(${hits} or vector(0)) / ${lookups}`;
}

/** The q-quantile of end-to-end request latency over all instances (HighLatency uses 0.95). */
export function requestLatency(q: number): string {
  return quantile(q, Metrics.requestDurationSeconds);
}
