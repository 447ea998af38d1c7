/**
 * The shared PromQL builder and the alerts' measures (`@llm-edge/monitoring`), bound to what every
 * panel uses: the alerts' default selectors, Grafana's rate window and range. A panel that shows
 * an alert's condition calls the measure the alert compares with its threshold, so the two cannot
 * drift apart; the one difference is the traffic floor, which a panel leaves at 0 (it shows the
 * ratio whenever there is traffic, where LowCacheHitRate also needs a minimum rate).
 */
import {
  budgetGauge as budgetGaugeOf,
  budgetSpendRatio as budgetSpendRatioOf,
  cacheHitRatio as cacheHitRatioOf,
  defaultAlertConfig,
  errorRatio as errorRatioOf,
  gatewaySeries,
  increase as increaseOver,
  measureScope,
  quantile as quantileOf,
  rate as rateOver,
  redisSeries,
  requestLatency as requestLatencyOf,
  requestRate as requestRateOf,
  series,
  spend as spendOf,
  statusRatio as statusRatioOf,
  type HistogramSeries,
  type Metric,
  type PromLabel,
} from '@llm-edge/monitoring';
import type { Metrics, MetricDef } from '@llm-edge/semconv';

/** Grafana's rate window: at least four scrapes, so `rate()` always has two samples. */
export const RATE_INTERVAL = '$__rate_interval';
/** Grafana's selected time range, as a duration. */
export const RANGE = '$__range';

/** The alert config whose thresholds and `for`s the panels draw and quote: the seed's. */
export const alertConfig = defaultAlertConfig;
/** The alerts' selectors over Grafana's rate window. */
export const panelScope = measureScope(alertConfig, RATE_INTERVAL);

/** A gateway series: `metric{job="llm-edge-agent", ...matchers}`. */
export function gateway(metric: Metric, ...matchers: string[]): string {
  return gatewaySeries(panelScope, metric, ...matchers);
}

/** A redis exporter series: `metric{job="redis", ...matchers}`. */
export function redis(metric: Metric, ...matchers: string[]): string {
  return redisSeries(panelScope, metric, ...matchers);
}

/** One series of a gateway histogram, e.g. `x_sum{job="llm-edge-agent"}`. */
export function gatewayHistogram(metric: Metric, suffix: HistogramSeries, ...matchers: string[]): string {
  return series(metric, [panelScope.gateway, ...matchers], suffix);
}

/** `rate(selector[$__rate_interval])`. */
export function rate(selector: string, window: string = RATE_INTERVAL): string {
  return rateOver(selector, window);
}

/** `increase(selector[$__range])`, or over `window`, optionally `offset` back in time. */
export function increase(selector: string, window: string = RANGE, offset?: string): string {
  return increaseOver(selector, window, offset);
}

/** The q-quantile of a gateway histogram over the rate window, over all instances, kept apart by `by`. */
export function quantile(q: number, metric: MetricDef, by: readonly PromLabel[] = [], ...matchers: string[]): string {
  return quantileOf(q, metric, { matchers: [panelScope.gateway, ...matchers], window: RATE_INTERVAL, by });
}

/** Requests answered per second. */
export function requestRate(by: readonly PromLabel[] = []): string {
  return requestRateOf(panelScope, by);
}

/** Share of responses with a 5xx status: HighErrorRate's measure. */
export function errorRatio(): string {
  return errorRatioOf(panelScope);
}

/** Share of responses whose status matches `pattern`; 0 rather than "no data" when none do. */
export function statusRatio(pattern: string): string {
  return statusRatioOf(panelScope, pattern);
}

/** Share of cacheable requests answered from L1 or L2: LowCacheHitRate's measure. */
export function cacheHitRatio(): string {
  return cacheHitRatioOf(panelScope);
}

/** The q-quantile of end-to-end request latency over all instances: HighLatency's measure at its quantile. */
export function requestLatency(q: number): string {
  return requestLatencyOf(panelScope, q);
}

/** Upstream dollars over `window` (default: the dashboard's range): HighDailyCost's measure over its window. */
export function spend(window: string = RANGE, offset?: string): string {
  return spendOf(panelScope, window, offset);
}

/** Share of each key's and team's period budget spent: BudgetNearlyExhausted's measure. */
export function budgetSpendRatio(...matchers: string[]): string {
  return budgetSpendRatioOf(panelScope, ...matchers);
}

/** A budget gauge per key and team over the fleet (the freshest replica's). */
export function budgetGauge(
  metric: typeof Metrics.budgetUsd | typeof Metrics.budgetSpendUsd | typeof Metrics.budgetRemainingUsd,
  ...matchers: string[]
): string {
  return budgetGaugeOf(panelScope, metric, ...matchers);
}
