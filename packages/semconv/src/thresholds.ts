/**
 * The seed's alert thresholds (DESIGN.md's alert table), in one place: `@llm-edge/alerts` uses
 * them as its defaults and `@llm-edge/dashboards` draws them on panels, so a panel turns red
 * exactly where an alert fires.
 */
export const SeedThresholds = {
  /** HighErrorRate: 5xx responses over all responses. */
  errorRatio: 0.01,
  /** HighLatency: p95 request latency, seconds. */
  p95LatencySeconds: 2,
  /** LowCacheHitRate: cache hit ratio, fires below. */
  cacheHitRatio: 0.6,
  /** HighMemoryUsage: resident memory, bytes (3.5 GB, decimal). */
  residentMemoryBytes: 3.5e9,
  /** HighCPUUsage: CPU seconds per second (one core = 1). */
  cpuRatio: 0.8,
  /** HighConnectionCount: open client connections. */
  activeConnections: 900,
  /** HighDailyCost: spend over the last 24 hours, US dollars. */
  dailyCostUsd: 100,
  /** CostSpike: last hour's spend over the same hour yesterday. */
  costSpikeRatio: 1.5,
} as const;
