/**
 * What counts as data for a dashboard query in the end-to-end test. Every query must come back from
 * Prometheus as a vector without error or warning; it must hold a finite sample unless an
 * allowance below excuses it (each with its reason); and queries over failure counters must show
 * them moving (a sample above zero), because the counters are exported from zero and a panel that
 * only ever shows that zero proves nothing.
 */
import { ExternalMetrics, Metrics } from '@llm-edge/semconv';
import type { PanelQuery } from '@llm-edge/dashboards';
import { vectorOf, type QueryResult, type Sample } from './prometheus-api.js';

export interface EmptyAllowance {
  readonly reason: string;
  readonly matches: (q: PanelQuery) => boolean;
}

/** The redis exporter's series the dashboards read. */
export const REDIS_EXPORTER_SERIES: readonly string[] = [
  ExternalMetrics.redisUp,
  ExternalMetrics.redisMemoryUsedBytes,
  ExternalMetrics.redisMemoryMaxBytes,
  ExternalMetrics.redisDbKeys,
  ExternalMetrics.redisEvictedKeysTotal,
];

/** Queries that may return an empty (but valid) result, and why. */
export const ALLOWED_EMPTY: readonly EmptyAllowance[] = [
  {
    reason:
      'the Redis panels read the redis exporter (job redis), which this test does not run: it scrapes the gateway only. ' +
      'alerting.e2e.test.ts runs the exporter in front of a Redis Cluster and checks these panels get data',
    matches: (q) => REDIS_EXPORTER_SERIES.some((name) => q.expr.includes(name)),
  },
  {
    reason: 'compares with the same hour yesterday (offset 1d); a Prometheus the test started minutes ago has no samples from a day ago',
    matches: (q) => /\boffset 1d\b/.test(q.expr),
  },
];

/** Counters of failures and cache events the test's traffic provokes on purpose. */
const MUST_MOVE = [
  Metrics.retriesTotal,
  Metrics.fallbacksTotal,
  Metrics.providerErrorsTotal,
  Metrics.rateLimitedTotal,
  Metrics.authFailuresTotal,
  Metrics.budgetRefusalsTotal,
  Metrics.coalescedRequestsTotal,
  Metrics.cacheEvictionsTotal,
  Metrics.cacheErrorsTotal,
].map((m) => m.name);

/** Label values a query broken down by that label must show, as the traffic produces them all. */
const MUST_SHOW: Readonly<Record<string, (values: string[]) => string | undefined>> = {

  status: (v) => (['200', '401', '429'].every((s) => v.includes(s)) && v.some((s) => /^5\d\d$/.test(s)) ? undefined : 'statuses 200, 401, 429 and a 5xx'),
  cache: (v) => (['hit-l1', 'hit-l2', 'miss'].every((s) => v.includes(s)) ? undefined : 'cache hit-l1, hit-l2 and miss'),
};

const BUDGET_SERIES = [Metrics.budgetUsd, Metrics.budgetSpendUsd, Metrics.budgetRemainingUsd].map((m) => m.name);

/**
 * What the budget and reload panels must show, as the test's config and traffic produce it: the
 * budgets of two keys and a team (a panel of one scope, its own ids; refusals, the broke key's),
 * and reloads both applied and refused.
 */
const MUST_SHOW_SERIES: ReadonlyArray<{ readonly matches: (expr: string) => boolean; readonly label: string; readonly values: readonly string[] }> = [
  { matches: (e) => e.includes(Metrics.budgetRefusalsTotal.name), label: 'id', values: ['broke'] },
  { matches: (e) => BUDGET_SERIES.some((n) => e.includes(n)) && e.includes('scope="key"'), label: 'id', values: ['budgeted', 'broke'] },
  { matches: (e) => BUDGET_SERIES.some((n) => e.includes(n)) && e.includes('scope="team"'), label: 'id', values: ['e2e-team'] },
  { matches: (e) => BUDGET_SERIES.some((n) => e.includes(n)) && !e.includes('scope='), label: 'scope', values: ['key', 'team'] },
  { matches: (e) => e.includes(Metrics.configReloadsTotal.name), label: 'result', values: ['applied', 'refused'] },
];

/** The allowance that covers `q`, if any. */
export function allowanceFor(q: PanelQuery): EmptyAllowance | undefined {
  return ALLOWED_EMPTY.find((a) => a.matches(q));
}

/** Why a dashboard query's answer does not count as data (yet), or undefined when it does. */
export function problemWith(q: PanelQuery, r: QueryResult): string | undefined {
  if (r.status !== 'success') return `error ${r.errorType}: ${r.error}`;
  if ((r.warnings ?? []).length > 0) return `warnings ${r.warnings!.join('; ')}`;
  if (r.data?.resultType !== 'vector') return `a ${r.data?.resultType}, not a vector`;
  if (allowanceFor(q)) return undefined;
  const samples = vectorOf(r);
  if (samples.length === 0) return 'empty result';
  const finite = samples.filter((s) => Number.isFinite(value(s)));
  if (finite.length === 0) return `no finite value: ${samples.map((s) => s.value[1]).join(', ')}`;
  const moving = /\b(rate|increase)\(/.test(q.expr) && (MUST_MOVE.some((name) => q.expr.includes(name)) || q.expr.includes('status=~"5.."'));
  if (moving && !finite.some((s) => value(s) > 0)) return `not moving: ${samples.map((s) => s.value[1]).join(', ')}`;
  for (const [label, check] of Object.entries(MUST_SHOW)) {
    if (!new RegExp(`by \\(${label}\\)`).test(q.expr)) continue;
    const missing = check(finite.filter((s) => value(s) > 0).map((s) => s.metric[label] ?? ''));
    if (missing) return `wants ${missing}; got ${JSON.stringify(samples.map((s) => [s.metric[label], s.value[1]]))}`;
  }
  for (const want of MUST_SHOW_SERIES) {
    if (!want.matches(q.expr)) continue;
    const shown = finite.map((s) => s.metric[want.label] ?? '');
    const absent = want.values.filter((v) => !shown.includes(v));
    if (absent.length > 0) return `wants ${want.label} ${want.values.join(', ')}; got ${JSON.stringify(samples.map((s) => [s.metric, s.value[1]]))}`;
  }
  return undefined;
}

function value(s: Sample): number {
  return Number(s.value[1]);
}
