/** Provider Metrics: per provider, how fast and how reliably it answers, and how resilience reacts. */
import { BreakerState, Metrics } from '@llm-edge/semconv';
import { Dashboards, forOf, maxBy, sumBy } from '@llm-edge/monitoring';
import type { DashboardSpec } from '../build-dashboard.js';
import { redAbove, statPanel, stateTimelinePanel, timeSeriesPanel } from '../panels.js';
import { alertConfig, gateway, quantile, rate } from '../queries.js';
import { breakerStates } from '../states.js';
import { providerHealthTimeline } from '../shared-panels.js';

/** Breaker state per provider: the worst any instance reports. */
const breakerState = (): string => maxBy(['provider'], gateway(Metrics.circuitBreakerState));

export function providerMetrics(): DashboardSpec {
  return {
    ...Dashboards.providerMetrics,
    description: 'Latency, errors, retries, fallbacks and circuit breaker state per upstream provider.',
    panels: [
      statPanel({
        title: 'Breakers not closed',
        description: `Providers whose breaker is open or half-open on at least one instance. CircuitBreakerOpen fires when one stays so for ${forOf(alertConfig, 'CircuitBreakerOpen')}.`,
        unit: 'short',
        queries: [{ expr: `count(${breakerState()} > ${BreakerState.closed}) or vector(0)`, legend: 'not closed' }],
        thresholds: redAbove(1),
      }),
      statPanel({
        title: 'Provider attempts',
        description: 'Attempts sent to providers per second, retries included.',
        unit: 'reqps',
        queries: [{ expr: sumBy([], rate(gateway(Metrics.providerRequestsTotal))), legend: 'attempts' }],
      }),
      statPanel({
        title: 'Retries',
        description: 'Attempts retried after a failure, per second.',
        unit: 'ops',
        queries: [{ expr: sumBy([], rate(gateway(Metrics.retriesTotal))), legend: 'retries' }],
      }),
      statPanel({
        title: 'Fallbacks',
        description: 'Requests moved to the next target of their route, per second.',
        unit: 'ops',
        queries: [{ expr: sumBy([], rate(gateway(Metrics.fallbacksTotal))), legend: 'fallbacks' }],
      }),
      timeSeriesPanel({
        title: 'Provider latency',
        description: `Percentiles of the time from attempt sent to provider response complete; the dashed line is the ${alertConfig.latencySeconds}s HighLatency limit on end-to-end p95.`,
        unit: 's',
        queries: [
          { expr: quantile(0.5, Metrics.providerLatencySeconds, ['provider']), legend: 'p50 {{provider}}' },
          { expr: quantile(0.95, Metrics.providerLatencySeconds, ['provider']), legend: 'p95 {{provider}}' },
        ],
        thresholds: redAbove(alertConfig.latencySeconds),
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Attempts by status',
        description: 'Attempts sent to providers per second, by provider and status.',
        unit: 'reqps',
        queries: [{ expr: sumBy(['provider', 'status'], rate(gateway(Metrics.providerRequestsTotal))), legend: '{{provider}} {{status}}' }],
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Errors by reason',
        description: 'Failed provider attempts per second, by provider and reason (timeout, connection, rate_limited, ...).',
        unit: 'ops',
        queries: [{ expr: sumBy(['provider', 'reason'], rate(gateway(Metrics.providerErrorsTotal))), legend: '{{provider}} {{reason}}' }],
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Error ratio by provider',
        description: 'Failed attempts over all attempts, per provider. Retries and fallbacks may still answer the caller.',
        unit: 'percentunit',
        queries: [
          {
            expr: `${sumBy(['provider'], rate(gateway(Metrics.providerErrorsTotal)))} / ${sumBy(['provider'], rate(gateway(Metrics.providerRequestsTotal)))}`,
            legend: '{{provider}}',
          },
        ],
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Retries by provider',
        description: 'Attempts retried after a failure, per second, by provider.',
        unit: 'ops',
        queries: [{ expr: sumBy(['provider'], rate(gateway(Metrics.retriesTotal))), legend: '{{provider}}' }],
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Fallbacks',
        description: 'Requests moved from one target of a route to the next, per second.',
        unit: 'ops',
        queries: [{ expr: sumBy(['from', 'to'], rate(gateway(Metrics.fallbacksTotal))), legend: '{{from}} → {{to}}' }],
        min: 0,
      }),
      stateTimelinePanel({
        title: 'Circuit breaker state',
        description: 'Breaker state per provider (the worst over instances): closed, half-open (probing) or open (skipped).',
        unit: 'none',
        queries: [{ expr: breakerState(), legend: '{{provider}}' }],
        thresholds: [
          { value: null, color: 'green' },
          { value: BreakerState.halfOpen, color: 'orange' },
          { value: BreakerState.open, color: 'red' },
        ],
        mappings: breakerStates,
      }),
      providerHealthTimeline(),
      timeSeriesPanel({
        title: 'Tokens by provider',
        description: 'Tokens used upstream per second, by provider and type.',
        unit: 'short',
        queries: [{ expr: sumBy(['provider', 'type'], rate(gateway(Metrics.tokensTotal))), legend: '{{provider}} {{type}}' }],
        min: 0,
        width: 24,
      }),
    ],
  };
}
