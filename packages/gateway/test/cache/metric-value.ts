// Reads one series of a gateway metric, the way a scrape would see it.
import type { GatewayMetrics } from '../../src/telemetry/metrics.js';

/**
 * The value of `name` (a histogram's `_count` or `_sum` too) for the first series whose labels
 * include `labels`; 0 when no such series exists yet.
 */
export async function metricValue(metrics: GatewayMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const base = name.replace(/_(count|sum)$/, '');
  const metric = metrics.registry.getSingleMetric(base);
  if (!metric) throw new Error(`metricValue: no metric named ${base}`);
  const { values } = await metric.get();
  const match = values.find(
    (v) => ((v as { metricName?: string }).metricName ?? base) === name && Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want),
  );
  return match?.value ?? 0;
}
