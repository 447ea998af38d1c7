/**
 * Shared bits of the resilience tests: reading one series of a contract metric from a running
 * gateway, and a config with the cache off (a cached answer would hide the provider calls the
 * tests count) and small timeouts.
 */
import { Metrics, type MetricKey } from '@llm-edge/semconv';
import type { Harness } from '../harness.js';

/** The value of one series (labels must match exactly the given ones), 0 when absent. */
export async function metricValue(h: Harness, key: MetricKey, labels: Record<string, string> = {}): Promise<number> {
  const metric = h.gateway.gateway.metrics.registry.getSingleMetric(Metrics[key].name);
  if (!metric) throw new Error(`metric ${Metrics[key].name} is not registered`);
  const { values } = await metric.get();
  const want = Object.entries(labels);
  const found = values.find((v) => want.every(([k, val]) => String((v.labels as Record<string, unknown>)[k]) === val));
  return found?.value ?? 0;
}

type Timeouts = Partial<Record<'connectMs' | 'firstByteMs' | 'totalMs' | 'idleMs', number>>;

const TEST_TIMEOUTS = { connectMs: 1_000, firstByteMs: 5_000, totalMs: 10_000, idleMs: 5_000 };

/**
 * Config text for the gateway (JSON is YAML): cache off, small provider timeouts, and the given
 * resilience settings, routes and extra providers.
 */
export function configYaml({
  resilience = {},
  timeouts = {},
  routes = [],
  providers = {},
  extra = {},
}: {
  resilience?: Record<string, unknown>;
  timeouts?: { openai?: Timeouts; anthropic?: Timeouts };
  routes?: unknown[];
  providers?: Record<string, unknown>;
  /** More top-level sections (`auth`, ...). */
  extra?: Record<string, unknown>;
} = {}): string {
  return JSON.stringify({
    cache: { enabled: false },
    telemetry: { logLevel: 'warn' },
    providers: {
      openai: { timeouts: { ...TEST_TIMEOUTS, ...timeouts.openai } },
      anthropic: { timeouts: { ...TEST_TIMEOUTS, ...timeouts.anthropic } },
      ...providers,
    },
    routes,
    resilience,
    ...extra,
  });
}

/** A request body with a unique prompt, so nothing could answer it from a cache. */
let n = 0;
export function uniquePrompt(text = 'hello'): string {
  return `${text} ${++n}`;
}
