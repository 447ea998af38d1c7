/**
 * What the alerts watch, as PromQL: an alert compares a measure with its threshold, a dashboard
 * panel plots the same measure (over Grafana's rate window), so the panel that shows an alert's
 * condition computes exactly what the alert evaluates.
 */
import { CacheStatus, ConfigReloadResult, Label, Metrics } from '@llm-edge/semconv';
import type { AlertConfig } from './config.js';
import { eq, increase, matches, maxBy, minBy, num, oneOf, quantile, rate, ratio, series, sumBy, type Metric, type PromLabel } from './promql.js';

/** Where a measure looks: the selectors of the gateway's and Redis's series, and the rate window. */
export interface MeasureScope {
  /** Matchers selecting the gateway's scrape targets, e.g. `job="llm-edge-agent"`. */
  readonly gateway: string;
  /** Matchers selecting the redis exporter's targets, e.g. `job="redis"`. */
  readonly redis: string;
  /** Window of every `rate()` over gateway traffic: `5m` in an alert, `$__rate_interval` on a panel. */
  readonly window: string;
}

/**
 * The scope of `config`'s alerts; a dashboard passes its own window.
 * @example measureScope(defaultAlertConfig, '$__rate_interval')
 */
export function measureScope(config: AlertConfig, window: string = config.rateWindow): MeasureScope {
  return { gateway: config.gatewaySelector, redis: config.redisSelector, window };
}

/** `metric{<gateway selector>, ...matchers}` */
export function gatewaySeries(scope: MeasureScope, metric: Metric, ...matchers: string[]): string {
  return series(metric, [scope.gateway, ...matchers]);
}

/** `metric{<redis selector>, ...matchers}` */
export function redisSeries(scope: MeasureScope, metric: Metric, ...matchers: string[]): string {
  return series(metric, [scope.redis, ...matchers]);
}

/** Requests answered per second, summed (by `by`) over the fleet. */
export function requestRate(scope: MeasureScope, by: readonly PromLabel[] = [], ...matchers: string[]): string {
  return sumBy(by, rate(gatewaySeries(scope, Metrics.requestsTotal, ...matchers), scope.window));
}

/** Share of responses whose status matches `pattern` (e.g. `4..`); 0 while none do, nothing while idle. */
export function statusRatio(scope: MeasureScope, pattern: string): string {
  return ratio(requestRate(scope, [], matches(Label.status, pattern)), requestRate(scope));
}

/** HighErrorRate: share of responses with a 5xx status. */
export function errorRatio(scope: MeasureScope): string {
  return statusRatio(scope, '5..');
}

const HITS = [CacheStatus.hitL1, CacheStatus.hitL2];
/** Requests that consulted the cache; `bypass` (`cache-control: no-cache`) never had a chance to hit. */
const LOOKUPS = [CacheStatus.hitL1, CacheStatus.hitL2, CacheStatus.miss];

/**
 * LowCacheHitRate: share of cacheable requests answered from L1 or L2. Request-level, from
 * `requests_total{cache}`: per-tier lookup counters would count a request twice (an L1 miss, then
 * an L2 lookup). Below `minRequestRate` cacheable requests per second there is no sample.
 */
export function cacheHitRatio(scope: MeasureScope, minRequestRate = 0): string {
  return ratio(requestRate(scope, [], oneOf(Label.cache, HITS)), requestRate(scope, [], oneOf(Label.cache, LOOKUPS)), minRequestRate);
}

/** HighLatency: the fleet's q-quantile of request latency (buckets summed over instances first). */
export function requestLatency(scope: MeasureScope, q: number): string {
  return quantile(q, Metrics.requestDurationSeconds, { matchers: [scope.gateway], window: scope.window });
}

/** HighDailyCost and CostSpike: upstream dollars over `range`, optionally `offset` back in time. */
export function spend(scope: MeasureScope, range: string, offset?: string): string {
  return sumBy([], increase(gatewaySeries(scope, Metrics.costUsdTotal), range, offset));
}

/** What a budget is kept apart by: `scope` (key or team) and the key's or team's `id`. */
export const BUDGET_LABELS: readonly PromLabel[] = [Label.scope, Label.id];

/**
 * A budget gauge per key and team over the fleet. Each replica exports the spend it last saw, so
 * the largest is the freshest; the budget and what is left are the same on every replica, or the
 * freshest too (max of spend, min of remaining, read by the same settle).
 */
export function budgetGauge(
  scope: MeasureScope,
  metric: typeof Metrics.budgetUsd | typeof Metrics.budgetSpendUsd | typeof Metrics.budgetRemainingUsd,
  ...matchers: string[]
): string {
  const selector = gatewaySeries(scope, metric, ...matchers);
  return metric === Metrics.budgetRemainingUsd ? minBy(BUDGET_LABELS, selector) : maxBy(BUDGET_LABELS, selector);
}

/**
 * BudgetNearlyExhausted: share of each key's and team's budget for its current period that is
 * spent (reservations in flight included). A budget of 0 gives no sample rather than +Inf.
 */
export function budgetSpendRatio(scope: MeasureScope, ...matchers: string[]): string {
  return `${budgetGauge(scope, Metrics.budgetSpendUsd, ...matchers)} / (${budgetGauge(scope, Metrics.budgetUsd, ...matchers)} > 0)`;
}

/**
 * ConfigReloadFailed: gateway instances that refused a config reload within `window`. The
 * gateway creates the `refused` series at its first refusal, already at 1, so `increase()` cannot
 * see that one (it has no earlier sample to compare with): a series younger than `window` counts
 * as a refusal too (`unless ... offset`).
 */
export function refusedReloads(scope: MeasureScope, window: string): string {
  const refused = gatewaySeries(scope, Metrics.configReloadsTotal, eq(Label.result, ConfigReloadResult.refused));
  const byTarget: PromLabel[] = ['job', 'instance'];
  return (
    `${sumBy(byTarget, increase(refused, window))} > ${num(0)} ` +
    `or ${sumBy(byTarget, `${refused} unless ${refused} offset ${window}`)}`
  );
}
