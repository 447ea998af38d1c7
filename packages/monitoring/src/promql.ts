/**
 * The PromQL builder of alerts and dashboards. It only assembles text; every metric enters as a
 * `MetricDef` of `@llm-edge/semconv` or one of its `ExternalMetrics`, so neither can name a
 * series the contract does not know, and both spell a selector the same way.
 */
import { ExternalMetrics as External } from '@llm-edge/semconv';
import type { ExternalMetrics, LabelName, MetricDef } from '@llm-edge/semconv';

export type ExternalMetricName = (typeof ExternalMetrics)[keyof typeof ExternalMetrics];
export type Metric = MetricDef | ExternalMetricName;

/** Labels a query may name: the contract's, plus those Prometheus adds (`job`, `instance`, `le`). */
export type PromLabel = LabelName | 'job' | 'instance' | 'le';

export type HistogramSeries = '_bucket' | '_sum' | '_count';

/**
 * `label="value"`, quoted the way PromQL reads it (JSON string escaping is a subset of PromQL's).
 * @example eq('job', 'llm-edge-agent') // 'job="llm-edge-agent"'
 */
export function eq(label: PromLabel, value: string): string {
  return `${label}=${JSON.stringify(value)}`;
}

/**
 * `label=~"a|b"`, each alternative escaped so it matches literally.
 * @example oneOf('cache', ['hit-l1', 'hit-l2']) // 'cache=~"hit-l1|hit-l2"'
 */
export function oneOf(label: PromLabel, values: readonly string[]): string {
  const alternatives = values.map((v) => v.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&'));
  return `${label}=~${JSON.stringify(alternatives.join('|'))}`;
}

/**
 * `label=~"regex"` for a regular expression written by hand.
 * @example matches('status', '5..') // 'status=~"5.."'
 */
export function matches(label: PromLabel, regex: string): string {
  return `${label}=~${JSON.stringify(regex)}`;
}

function metricName(metric: Metric): string {
  return typeof metric === 'string' ? metric : metric.name;
}

/** The external metrics that are histograms (prom-client's GC durations). */
const EXTERNAL_HISTOGRAMS: ReadonlySet<string> = new Set([External.nodejsGcDurationSeconds]);

function isHistogram(metric: Metric): boolean {
  return typeof metric === 'string' ? EXTERNAL_HISTOGRAMS.has(metric) : metric.type === 'histogram';
}

/**
 * `name{matchers}`, or one of a histogram's series (`_bucket`, `_sum`, `_count`). A matcher may be
 * a whole user-supplied list (`namespace="llm",job="gw"`); empty ones are skipped, so a metric
 * with no matchers stays valid PromQL.
 * @example series(Metrics.requestsTotal, ['job="llm-edge-agent"', matches('status', '5..')])
 */
export function series(metric: Metric, matchers: readonly string[] = [], suffix: HistogramSeries | '' = ''): string {
  if (suffix !== '' && !isHistogram(metric)) {
    throw new Error(`promql: series ${suffix} needs a histogram, but ${metricName(metric)} is not one`);
  }
  const name = metricName(metric) + suffix;
  const parts = matchers.map((m) => m.trim()).filter((m) => m !== '');
  return parts.length === 0 ? name : `${name}{${parts.join(', ')}}`;
}

/** `rate(selector[window])`. */
export function rate(selector: string, window: string): string {
  return `rate(${selector}[${window}])`;
}

/** `increase(selector[window])`, optionally shifted back in time (`offset 1d`: the same window yesterday). */
export function increase(selector: string, window: string, offset?: string): string {
  return offset === undefined ? `increase(${selector}[${window}])` : `increase(${selector}[${window}] offset ${offset})`;
}

/** `sum(expr)` or `sum by (labels) (expr)`. */
export function sumBy(labels: readonly PromLabel[], expr: string): string {
  return labels.length === 0 ? `sum(${expr})` : `sum by (${labels.join(', ')}) (${expr})`;
}

/** `max(expr)` or `max by (labels) (expr)`. */
export function maxBy(labels: readonly PromLabel[], expr: string): string {
  return labels.length === 0 ? `max(${expr})` : `max by (${labels.join(', ')}) (${expr})`;
}

/** `min(expr)` or `min by (labels) (expr)`. */
export function minBy(labels: readonly PromLabel[], expr: string): string {
  return labels.length === 0 ? `min(${expr})` : `min by (${labels.join(', ')}) (${expr})`;
}

/**
 * The q-quantile of a histogram over `window`, aggregated across instances and kept apart by `by`:
 * `histogram_quantile(q, sum by (by..., le) (rate(x_bucket{matchers}[window])))`.
 */
export function quantile(
  q: number,
  metric: MetricDef,
  { matchers = [], window, by = [] }: { readonly matchers?: readonly string[]; readonly window: string; readonly by?: readonly PromLabel[] },
): string {
  if (!(q > 0 && q < 1)) throw new Error(`promql: quantile ${q} of ${metric.name} must be between 0 and 1`);
  return `histogram_quantile(${num(q)}, ${sumBy([...by, 'le'], rate(series(metric, matchers, '_bucket'), window))})`;
}

/**
 * `(numerator or vector(0)) / (denominator > floor)`: 0 rather than no sample while the numerator
 * has no series yet, and no sample rather than NaN (or noise) while the denominator is at or
 * under `floor`.
 */
export function ratio(numerator: string, denominator: string, floor = 0): string {
  return `(${numerator} or vector(0)) / (${denominator} > ${num(floor)})`;
}

/** A number as PromQL reads it, without exponent notation surprises for integers. */
export function num(value: number): string {
  return Number.isInteger(value) ? value.toFixed(0) : String(value);
}
