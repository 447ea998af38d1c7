/** Cache Performance: how well each tier answers, how fast it looks up, what it holds, and the Redis nodes behind L2. */
import { CacheTier, ExternalMetrics, Metrics } from '@llm-edge/semconv';
import { Dashboards, eq, sumBy } from '@llm-edge/monitoring';
import type { DashboardSpec } from '../build-dashboard.js';
import { redBelow, statPanel, timeSeriesPanel, type PanelBuilder, type Query } from '../panels.js';
import { alertConfig, gateway, quantile, rate, redis } from '../queries.js';
import { cacheHitRatioStat, redisUpStat, responsesByCacheStatus } from '../shared-panels.js';

/** hits / (hits + misses) of one tier's lookups, per tier. */
function tierHitRatio(): string {
  const hits = sumBy(['tier'], rate(gateway(Metrics.cacheHitsTotal)));
  const misses = sumBy(['tier'], rate(gateway(Metrics.cacheMissesTotal)));
  return `${hits} / (${hits} + ${misses})`;
}

/** One of the Redis row's time series: a third of the row beside the stat. */
function timeseriesOfRedis(title: string, description: string, unit: 'bytes' | 'short' | 'ops', queries: Query[]): PanelBuilder {
  return timeSeriesPanel({ title, description, unit, queries, min: 0, width: 6 });
}

export function cachePerformance(): DashboardSpec {
  return {
    ...Dashboards.cachePerformance,
    description: 'Hit ratio per tier, lookup latency, entries, bytes and evictions of the L1 (in-process) and L2 (Redis) caches.',
    panels: [
      cacheHitRatioStat(),
      statPanel({
        title: 'L1 entries',
        description: 'Entries held by the in-process caches, summed over gateway instances.',
        unit: 'short',
        queries: [{ expr: sumBy([], gateway(Metrics.cacheEntries, eq('tier', CacheTier.l1))), legend: 'l1' }],
      }),
      statPanel({
        title: 'L1 size',
        description: 'Bytes held by the in-process caches, summed over gateway instances.',
        unit: 'bytes',
        queries: [{ expr: sumBy([], gateway(Metrics.cacheSizeBytes, eq('tier', CacheTier.l1))), legend: 'l1' }],
      }),
      statPanel({
        title: 'Cache errors',
        description: 'Cache operations per second that failed or timed out; the gateway keeps serving without the cache.',
        unit: 'ops',
        queries: [{ expr: sumBy([], rate(gateway(Metrics.cacheErrorsTotal))), legend: 'errors' }],
      }),
      timeSeriesPanel({
        title: 'Hit ratio per tier',
        description: 'Lookups that found an entry over all lookups of the tier. An L2 lookup happens only after an L1 miss.',
        unit: 'percentunit',
        queries: [{ expr: tierHitRatio(), legend: '{{tier}}' }],
        thresholds: redBelow(alertConfig.cacheHitRatio),
        min: 0,
        max: 1,
      }),
      timeSeriesPanel({
        title: 'Lookups per tier',
        description: 'Cache lookups per second, hits and misses, per tier.',
        unit: 'ops',
        queries: [
          { expr: sumBy(['tier'], rate(gateway(Metrics.cacheHitsTotal))), legend: 'hits {{tier}}' },
          { expr: sumBy(['tier'], rate(gateway(Metrics.cacheMissesTotal))), legend: 'misses {{tier}}' },
        ],
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Lookup latency per tier',
        description: 'Percentiles of the time spent looking up one cache tier.',
        unit: 's',
        queries: [
          { expr: quantile(0.5, Metrics.cacheLookupDurationSeconds, ['tier']), legend: 'p50 {{tier}}' },
          { expr: quantile(0.99, Metrics.cacheLookupDurationSeconds, ['tier']), legend: 'p99 {{tier}}' },
        ],
        min: 0,
      }),
      responsesByCacheStatus(),
      timeSeriesPanel({
        // Per instance: L1 is one cache per replica, while every replica reports the same
        // approximate L2 figure, so a sum over instances would count L2 once per replica.
        title: 'Entries per tier',
        description: 'Entries held by each tier, per gateway instance (L2: approximate, the same Redis seen from each instance).',
        unit: 'short',
        queries: [{ expr: gateway(Metrics.cacheEntries), legend: '{{tier}} {{instance}}' }],
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Bytes per tier',
        description: 'Bytes held by each tier, per gateway instance (L2: approximate).',
        unit: 'bytes',
        queries: [{ expr: gateway(Metrics.cacheSizeBytes), legend: '{{tier}} {{instance}}' }],
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Evictions per tier',
        description: 'Entries evicted per second to keep the tier within its bounds.',
        unit: 'ops',
        queries: [{ expr: sumBy(['tier'], rate(gateway(Metrics.cacheEvictionsTotal))), legend: '{{tier}}' }],
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Cache errors per tier',
        description: 'Cache operations per second that failed or timed out, per tier.',
        unit: 'ops',
        queries: [{ expr: sumBy(['tier'], rate(gateway(Metrics.cacheErrorsTotal))), legend: '{{tier}}' }],
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Coalesced requests',
        description: 'Requests per second that joined an identical request already in flight instead of calling upstream.',
        unit: 'reqps',
        queries: [{ expr: sumBy([], rate(gateway(Metrics.coalescedRequestsTotal))), legend: 'coalesced' }],
        min: 0,
        width: 24,
      }),
      // The Redis nodes of L2, from the redis exporter (job `redis`, one instance per node).
      redisUpStat(),
      timeseriesOfRedis('Redis memory', 'Memory used by each Redis node, against its maxmemory (allkeys-lru evicts above it).', 'bytes', [
        { expr: redis(ExternalMetrics.redisMemoryUsedBytes), legend: 'used {{instance}}' },
        { expr: redis(ExternalMetrics.redisMemoryMaxBytes), legend: 'maxmemory {{instance}}' },
      ]),
      timeseriesOfRedis('Redis keys', 'Keys held by each Redis node (cache entries, stored responses and limit counters).', 'short', [
        { expr: sumBy(['instance'], redis(ExternalMetrics.redisDbKeys)), legend: '{{instance}}' },
      ]),
      timeseriesOfRedis('Redis evictions', 'Keys each Redis node evicted per second to stay under maxmemory.', 'ops', [
        { expr: sumBy(['instance'], rate(redis(ExternalMetrics.redisEvictedKeysTotal))), legend: '{{instance}}' },
      ]),
    ],
  };
}
