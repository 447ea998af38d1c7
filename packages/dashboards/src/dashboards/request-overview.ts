/** Request Overview: is the gateway answering, how fast, how often wrongly, and how often from cache. */
import { Metrics } from '@llm-edge/semconv';
import { Dashboards, forOf, percent, quantileName, sumBy } from '@llm-edge/monitoring';
import type { DashboardSpec } from '../build-dashboard.js';
import { redAbove, redBelow, statPanel, timeSeriesPanel } from '../panels.js';
import { alertConfig, cacheHitRatio, errorRatio, gateway, quantile, rate, requestLatency, requestRate, statusRatio } from '../queries.js';
import { cacheHitRatioStat, responsesByCacheStatus } from '../shared-panels.js';

export function requestOverview(): DashboardSpec {
  /** The quantile HighLatency watches (p95). */
  const watched = quantileName(alertConfig.latencyQuantile);
  return {
    ...Dashboards.requestOverview,
    description: 'Request rate, latency percentiles, errors and cache hits of the gateway.',
    panels: [
      statPanel({
        title: 'Request rate',
        description: 'Requests answered per second, all routes.',
        unit: 'reqps',
        queries: [{ expr: requestRate(), legend: 'requests' }],
      }),
      statPanel({
        title: 'Error ratio (5xx)',
        description: `Share of responses with a 5xx status. HighErrorRate fires above ${percent(alertConfig.errorRatio)} for ${forOf(alertConfig, 'HighErrorRate')}.`,
        unit: 'percentunit',
        queries: [{ expr: errorRatio(), legend: '5xx ratio' }],
        thresholds: redAbove(alertConfig.errorRatio),
      }),
      statPanel({
        title: `${watched} latency`,
        description: `${Number((alertConfig.latencyQuantile * 100).toFixed(4))}th percentile of request duration. HighLatency fires above ${alertConfig.latencySeconds}s for ${forOf(alertConfig, 'HighLatency')}.`,
        unit: 's',
        queries: [{ expr: requestLatency(alertConfig.latencyQuantile), legend: watched }],
        thresholds: redAbove(alertConfig.latencySeconds),
      }),
      cacheHitRatioStat(),
      timeSeriesPanel({
        title: 'Requests by status',
        description: 'Requests answered per second, by HTTP status.',
        unit: 'reqps',
        queries: [{ expr: requestRate(['status']), legend: '{{status}}' }],
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Request latency',
        description: 'Percentiles of the time from request received to response finished; the dashed line is the HighLatency limit on p95.',
        unit: 's',
        queries: [
          { expr: requestLatency(0.5), legend: 'p50' },
          { expr: requestLatency(0.95), legend: 'p95' },
          { expr: requestLatency(0.99), legend: 'p99' },
        ],
        thresholds: redAbove(alertConfig.latencySeconds),
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Error ratio',
        description: 'Share of responses with a 5xx status (HighErrorRate) and with a 4xx status (caller errors, no alert).',
        unit: 'percentunit',
        queries: [
          { expr: errorRatio(), legend: '5xx' },
          { expr: statusRatio('4..'), legend: '4xx' },
        ],
        thresholds: redAbove(alertConfig.errorRatio),
        min: 0,
      }),
      responsesByCacheStatus(),
      timeSeriesPanel({
        title: 'Cache hit ratio',
        description: 'Share of cache-eligible requests answered from cache; the dashed line is the LowCacheHitRate limit.',
        unit: 'percentunit',
        queries: [{ expr: cacheHitRatio(), legend: 'hit ratio' }],
        thresholds: redBelow(alertConfig.cacheHitRatio),
        min: 0,
        max: 1,
      }),
      timeSeriesPanel({
        title: 'Requests by model',
        description: 'Requests answered per second, by the model the caller asked for.',
        unit: 'reqps',
        queries: [{ expr: requestRate(['model']), legend: '{{model}}' }],
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Time to first byte (streams)',
        description: 'Percentiles of the time from request received to the first byte of a streamed response.',
        unit: 's',
        queries: [
          { expr: quantile(0.5, Metrics.timeToFirstByteSeconds), legend: 'p50' },
          { expr: quantile(0.95, Metrics.timeToFirstByteSeconds), legend: 'p95' },
        ],
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Gateway overhead',
        description: 'Time spent in the gateway itself per request, upstream time excluded.',
        unit: 's',
        queries: [
          { expr: quantile(0.5, Metrics.overheadSeconds), legend: 'p50' },
          { expr: quantile(0.99, Metrics.overheadSeconds), legend: 'p99' },
        ],
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Refused requests',
        description: 'Requests refused per second for a per-key limit (429) or a missing or bad key (401).',
        unit: 'reqps',
        queries: [
          { expr: sumBy([], rate(gateway(Metrics.rateLimitedTotal))), legend: 'rate limited' },
          { expr: sumBy([], rate(gateway(Metrics.authFailuresTotal))), legend: 'auth failures' },
        ],
        min: 0,
      }),
      timeSeriesPanel({
        title: 'In-flight and coalesced requests',
        description: 'Requests being handled now, and requests per second that joined an identical one already in flight.',
        unit: 'short',
        queries: [
          { expr: sumBy([], gateway(Metrics.inFlightRequests)), legend: 'in flight' },
          { expr: sumBy([], rate(gateway(Metrics.coalescedRequestsTotal))), legend: 'coalesced per second' },
        ],
        min: 0,
      }),
    ],
  };
}
