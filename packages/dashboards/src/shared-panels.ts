/**
 * Panels that appear on more than one dashboard, defined once so they cannot drift apart.
 */
import { ExternalMetrics, Metrics } from '@llm-edge/semconv';
import { forOf, percent } from '@llm-edge/monitoring';
import { redBelow, stateTimelinePanel, statPanel, timeSeriesPanel, type PanelBuilder } from './panels.js';
import { maxBy, sumBy } from '@llm-edge/monitoring';
import { alertConfig, cacheHitRatio, gateway, redis, requestRate } from './queries.js';
import { providerHealthStates } from './states.js';

/** Request Overview and Cache Performance: the number LowCacheHitRate watches. */
export function cacheHitRatioStat(): PanelBuilder {
  return statPanel({
    title: 'Cache hit ratio',
    description: `Share of cache-eligible requests answered from L1 or L2. LowCacheHitRate fires below ${percent(alertConfig.cacheHitRatio)} for ${forOf(alertConfig, 'LowCacheHitRate')}.`,
    unit: 'percentunit',
    queries: [{ expr: cacheHitRatio(), legend: 'hit ratio' }],
    thresholds: redBelow(alertConfig.cacheHitRatio),
    min: 0,
    max: 1,
  });
}

/** Request Overview and Cache Performance. */
export function responsesByCacheStatus(): PanelBuilder {
  return timeSeriesPanel({
    title: 'Responses by cache status',
    description: 'Requests per second answered from L1, from L2, upstream after a miss, or with the cache bypassed.',
    unit: 'reqps',
    queries: [{ expr: requestRate(['cache']), legend: '{{cache}}' }],
    min: 0,
  });
}

/** System Health and Provider Metrics: the state AllProvidersDown watches. */
export function providerHealthTimeline(): PanelBuilder {
  return stateTimelinePanel({
    title: 'Provider health',
    description: 'Whether each provider is taking traffic on at least one instance.',
    unit: 'none',
    queries: [{ expr: maxBy(['provider'], gateway(Metrics.providerHealth)), legend: '{{provider}}' }],
    thresholds: redBelow(1),
    mappings: providerHealthStates,
  });
}

/** System Health and Cache Performance: the share of L2 nodes RedisDown watches. */
export function redisUpStat(): PanelBuilder {
  const redisUp = redis(ExternalMetrics.redisUp);
  return statPanel({
    title: 'Redis instances up',
    description: `Redis instances the redis exporter reaches, over all it watches. RedisDown fires when one is down for ${forOf(alertConfig, 'RedisDown')}.`,
    unit: 'short',
    queries: [{ expr: `${sumBy([], redisUp)} / count(${redisUp})`, legend: 'up' }],
    thresholds: redBelow(1),
    min: 0,
    max: 1,
  });
}
