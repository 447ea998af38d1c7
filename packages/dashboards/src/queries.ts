/**
 * Expressions more than one dashboard shows. They follow the alerts' definitions (DESIGN.md, "Alerts")
 * so a panel and its alert measure the same thing.
 */
import { CacheStatus, Metrics } from '@llm-edge/semconv';
import { gateway, ne, quantile, rate, re, sumBy } from './promql.js';
import type { PromLabel } from './promql.js';

/** Requests answered per second. */
export function requestRate(by: readonly PromLabel[] = []): string {
  return sumBy(by, rate(gateway(Metrics.requestsTotal)));
}

/** Share of responses with a 5xx status (HighErrorRate). */
export function errorRatio(): string {
  return `${sumBy([], rate(gateway(Metrics.requestsTotal, re('status', '5..'))))} / ${requestRate()}`;
}

/**
 * Share of cache-eligible requests answered from L1 or L2 (LowCacheHitRate). Requests that bypass
 * the cache (`cache-control: no-cache`) are left out: they never had a chance to hit.
 */
export function cacheHitRatio(): string {
  const hits = sumBy([], rate(gateway(Metrics.requestsTotal, re('cache', `${CacheStatus.hitL1}|${CacheStatus.hitL2}`))));
  const eligible = sumBy([], rate(gateway(Metrics.requestsTotal, ne('cache', CacheStatus.bypass))));
  return `${hits} / ${eligible}`;
}

/** The q-quantile of end-to-end request latency (HighLatency uses 0.95). */
export function requestLatency(q: number): string {
  return quantile(q, Metrics.requestDurationSeconds);
}
