/**
 * Grafana expands its built-in variables before a query reaches Prometheus; anything else that
 * sends a dashboard's expression to Prometheus (the end-to-end test, `promtool`) must do the same.
 */
import { durationMs } from '@llm-edge/monitoring';

export interface PrometheusQueryOptions {
  /** Stands for `$__rate_interval`. @default '1m' (four 15s scrapes, Grafana's floor for it) */
  readonly rateInterval?: string;
  /** Stands for `$__interval` (the step). @default '15s' (the scrape interval) */
  readonly interval?: string;
  /** Stands for `$__range` (the dashboard's time range). @default '1h' */
  readonly range?: string;
}

const VARIABLE = /\$(?:\{(\w+)\}|(\w+))/g;

/**
 * `expr` with Grafana's time variables replaced by concrete durations, ready for Prometheus's
 * HTTP API. Any other `$variable` is an error: Prometheus would reject it anyway, less clearly.
 *
 * @example
 * toPrometheusQuery('sum(rate(llm_edge_requests_total[$__rate_interval]))')
 * // 'sum(rate(llm_edge_requests_total[1m]))'
 */
export function toPrometheusQuery(expr: string, opts: PrometheusQueryOptions = {}): string {
  const rateInterval = opts.rateInterval ?? '1m';
  const interval = opts.interval ?? '15s';
  const range = opts.range ?? '1h';
  const intervalMs = durationMs(interval, 'interval');
  const rangeMs = durationMs(range, 'range');
  durationMs(rateInterval, 'rateInterval');

  const values: Record<string, string> = {
    __rate_interval: rateInterval,
    __interval: interval,
    __interval_ms: String(intervalMs),
    __range: range,
    __range_s: String(Math.floor(rangeMs / 1000)),
    __range_ms: String(rangeMs),
  };
  return expr.replace(VARIABLE, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    const value = values[name];
    if (value === undefined) {
      throw new Error(`toPrometheusQuery: unknown variable ${whole} in ${JSON.stringify(expr)}; known: ${Object.keys(values).map((v) => '$' + v).join(', ')}`);
    }
    return value;
  });
}
