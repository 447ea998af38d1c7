/**
 * Small PromQL builders. Every metric name enters a query through these functions, as a
 * `MetricDef` from `@llm-edge/semconv` or one of its `ExternalMetrics`, so a dashboard cannot
 * name a series the contract does not know.
 */
import { ExternalMetrics as External, GATEWAY_JOB } from '@llm-edge/semconv';
import type { ExternalMetrics, LabelName, MetricDef } from '@llm-edge/semconv';

/** Grafana's rate window: at least four scrapes, so `rate()` always has two samples. */
export const RATE_INTERVAL = '$__rate_interval';
/** Grafana's selected time range, as a duration. */
export const RANGE = '$__range';

export type ExternalMetricName = (typeof ExternalMetrics)[keyof typeof ExternalMetrics];
export type Metric = MetricDef | ExternalMetricName;

/** Labels a query may name: the contract's, plus those Prometheus adds (`job`, `instance`, `le`). */
export type PromLabel = LabelName | 'job' | 'instance' | 'le';

export type MatchOp = '=' | '!=' | '=~' | '!~';
export interface Matcher {
  readonly label: PromLabel;
  readonly op: MatchOp;
  readonly value: string;
}

export const eq = (label: PromLabel, value: string): Matcher => ({ label, op: '=', value });
export const re = (label: PromLabel, value: string): Matcher => ({ label, op: '=~', value });

/** The job selector every gateway series carries. */
export const gatewayJob: Matcher = eq('job', GATEWAY_JOB);

function metricName(metric: Metric): string {
  return typeof metric === 'string' ? metric : metric.name;
}

function renderMatchers(matchers: readonly Matcher[]): string {
  // JSON string escaping is a subset of PromQL's double-quoted string escaping.
  return matchers.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`).join(', ');
}

/** The external metrics that are histograms (prom-client's GC durations). */
const EXTERNAL_HISTOGRAMS: ReadonlySet<string> = new Set([External.nodejsGcDurationSeconds]);

function isHistogram(metric: Metric): boolean {
  return typeof metric === 'string' ? EXTERNAL_HISTOGRAMS.has(metric) : metric.type === 'histogram';
}

export type HistogramSeries = '_bucket' | '_sum' | '_count';

/** `name{matchers}`, or one of a histogram's series (`_bucket`, `_sum`, `_count`). */
export function series(metric: Metric, matchers: readonly Matcher[] = [], suffix: HistogramSeries | '' = ''): string {
  if (suffix !== '' && !isHistogram(metric)) {
    throw new Error(`promql: series ${suffix} needs a histogram, but ${metricName(metric)} is not one`);
  }
  const name = metricName(metric) + suffix;
  return matchers.length === 0 ? name : `${name}{${renderMatchers(matchers)}}`;
}

/** A gateway series: `series()` with `job="llm-edge-agent"` first. */
export function gateway(metric: Metric, ...matchers: Matcher[]): string {
  return series(metric, [gatewayJob, ...matchers]);
}

/** One series of a gateway histogram, e.g. `x_sum{job="llm-edge-agent"}`. */
export function gatewayHistogram(metric: Metric, suffix: HistogramSeries, ...matchers: Matcher[]): string {
  return series(metric, [gatewayJob, ...matchers], suffix);
}

export function rate(selector: string, window: string = RATE_INTERVAL): string {
  return `rate(${selector}[${window}])`;
}

/** `increase(selector[window])`, optionally shifted back in time (`offset 1d`: the same window yesterday). */
export function increase(selector: string, window: string = RANGE, offset?: string): string {
  return offset === undefined ? `increase(${selector}[${window}])` : `increase(${selector}[${window}] offset ${offset})`;
}

/** `sum(expr)` or `sum by (labels) (expr)`. */
export function sumBy(labels: readonly PromLabel[], expr: string): string {
  return labels.length === 0 ? `sum(${expr})` : `sum by (${labels.join(', ')}) (${expr})`;
}

export function maxBy(labels: readonly PromLabel[], expr: string): string {
  return labels.length === 0 ? `max(${expr})` : `max by (${labels.join(', ')}) (${expr})`;
}

/**
 * The q-quantile of a gateway histogram over the rate window, aggregated across instances and
 * kept apart by `by`: `histogram_quantile(q, sum by (by..., le) (rate(x_bucket{job=...}[w])))`.
 */
export function quantile(q: number, metric: MetricDef, by: readonly PromLabel[] = [], ...matchers: Matcher[]): string {
  if (!(q > 0 && q < 1)) throw new Error(`promql: quantile ${q} of ${metric.name} must be between 0 and 1`);
  const buckets = series(metric, [gatewayJob, ...matchers], '_bucket');
  return `histogram_quantile(${q}, ${sumBy([...by, 'le'], rate(buckets))})`;
}
