/**
 * Every metric the gateway emits. The gateway registers its prom-client metrics from this list,
 * and the alerts and dashboards build their PromQL from it, so a renamed metric is a type error
 * everywhere at once.
 */

export const METRIC_PREFIX = 'llm_edge_';

export type MetricType = 'counter' | 'gauge' | 'histogram';

/**
 * Label names used across the contract. Values are bounded: never request ids, keys or prompts
 * (`scope` and `id` name budgets: key and team ids come from the config, never from callers).
 */
export const Label = {
  route: 'route',
  model: 'model',
  provider: 'provider',
  status: 'status',
  cache: 'cache',
  tier: 'tier',
  reason: 'reason',
  type: 'type',
  from: 'from',
  to: 'to',
  scope: 'scope',
  id: 'id',
  result: 'result',
} as const;
export type LabelName = (typeof Label)[keyof typeof Label];

/** Fixed label values (DESIGN.md, "The telemetry contract"). */
export const CacheStatus = { hitL1: 'hit-l1', hitL2: 'hit-l2', miss: 'miss', bypass: 'bypass' } as const;
export type CacheStatusValue = (typeof CacheStatus)[keyof typeof CacheStatus];

export const CacheTier = { l1: 'l1', l2: 'l2' } as const;
export type CacheTierValue = (typeof CacheTier)[keyof typeof CacheTier];

export const TokenType = { prompt: 'prompt', completion: 'completion' } as const;
export type TokenTypeValue = (typeof TokenType)[keyof typeof TokenType];

/** `circuit_breaker_state` gauge values. */
export const BreakerState = { closed: 0, halfOpen: 1, open: 2 } as const;
export type BreakerStateValue = (typeof BreakerState)[keyof typeof BreakerState];

/** Bounded reasons for `provider_errors_total{reason}`. */
export const ProviderErrorReason = {
  timeout: 'timeout',
  connection: 'connection',
  rateLimited: 'rate_limited',
  server: 'server_error',
  client: 'client_error',
  streamBroken: 'stream_broken',
  circuitOpen: 'circuit_open',
} as const;
export type ProviderErrorReasonValue = (typeof ProviderErrorReason)[keyof typeof ProviderErrorReason];

/** Latency buckets in seconds: sub-millisecond cache hits up to minute-long generations. */
export const LATENCY_BUCKETS = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60,
] as const;
/** Buckets for the gateway's own overhead and cache lookups: tens of microseconds to a second. */
export const FAST_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
] as const;

/** Event-loop delay buckets in seconds: a millisecond (the timer's own granularity) to a second. */
export const LOOP_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] as const;

export interface MetricDef<L extends readonly LabelName[] = readonly LabelName[], T extends MetricType = MetricType> {
  /** Full Prometheus name, prefix included. */
  readonly name: string;
  readonly type: T;
  readonly help: string;
  readonly labels: L;
  /** Histogram bucket upper bounds in seconds (histograms only). */
  readonly buckets?: readonly number[];
}

function def<const L extends readonly LabelName[], const T extends MetricType>(
  short: string,
  type: T,
  help: string,
  labels: L,
  buckets?: readonly number[],
): MetricDef<L, T> {
  const name = METRIC_PREFIX + short;
  return buckets === undefined ? { name, type, help, labels } : { name, type, help, labels, buckets };
}

const { route, model, provider, status, cache, tier, reason, type, from, to, scope, id, result } = Label;

/** What a budget belongs to (`scope` label). */
export const BudgetScope = { key: 'key', team: 'team' } as const;
export type BudgetScopeValue = (typeof BudgetScope)[keyof typeof BudgetScope];

/** What became of a config reload (`config_reloads_total{result}`). */
export const ConfigReloadResult = { applied: 'applied', refused: 'refused' } as const;
export type ConfigReloadResultValue = (typeof ConfigReloadResult)[keyof typeof ConfigReloadResult];

export const Metrics = {
  requestsTotal: def('requests_total', 'counter', 'Requests answered by the gateway.', [
    route, model, provider, status, cache,
  ]),
  requestDurationSeconds: def(
    'request_duration_seconds',
    'histogram',
    'Time from request received to response finished, in seconds.',
    [route, provider, cache],
    LATENCY_BUCKETS,
  ),
  timeToFirstByteSeconds: def(
    'time_to_first_byte_seconds',
    'histogram',
    'Time from request received to the first byte of a streamed response, in seconds.',
    [route, provider, cache],
    LATENCY_BUCKETS,
  ),
  inFlightRequests: def('in_flight_requests', 'gauge', 'Requests being handled right now.', []),
  activeConnections: def('active_connections', 'gauge', 'Open client TCP connections.', []),
  eventLoopDelaySeconds: def(
    'event_loop_delay_seconds',
    'histogram',
    'How late a timer due every 10 ms ran, in seconds: what a request arriving then waited for the event loop (GC pauses and synchronous work included).',
    [],
    LOOP_BUCKETS,
  ),
  cacheHitsTotal: def('cache_hits_total', 'counter', 'Cache lookups that found an entry.', [tier]),
  cacheMissesTotal: def('cache_misses_total', 'counter', 'Cache lookups that found nothing.', [tier]),
  cacheLookupDurationSeconds: def(
    'cache_lookup_duration_seconds',
    'histogram',
    'Time spent looking up one cache tier, in seconds.',
    [tier],
    FAST_BUCKETS,
  ),
  cacheEntries: def('cache_entries', 'gauge', 'Entries held by a cache tier (L2: approximate).', [tier]),
  cacheSizeBytes: def('cache_size_bytes', 'gauge', 'Bytes held by a cache tier (L2: approximate).', [tier]),
  cacheEvictionsTotal: def('cache_evictions_total', 'counter', 'Entries evicted to stay within bounds.', [tier]),
  cacheErrorsTotal: def('cache_errors_total', 'counter', 'Cache operations that failed or timed out.', [tier]),
  providerRequestsTotal: def('provider_requests_total', 'counter', 'Attempts sent to a provider.', [
    provider, status,
  ]),
  providerLatencySeconds: def(
    'provider_latency_seconds',
    'histogram',
    'Time from attempt sent to the provider answer (JSON: complete; streams: first event), in seconds.',
    [provider],
    LATENCY_BUCKETS,
  ),
  providerErrorsTotal: def('provider_errors_total', 'counter', 'Failed provider attempts by reason.', [
    provider, reason,
  ]),
  providerHealth: def('provider_health', 'gauge', 'Whether a provider is taking traffic (1) or not (0).', [
    provider,
  ]),
  circuitBreakerState: def(
    'circuit_breaker_state',
    'gauge',
    'Circuit breaker state per provider: 0 closed, 1 half-open, 2 open.',
    [provider],
  ),
  retriesTotal: def('retries_total', 'counter', 'Attempts retried after a failure.', [provider]),
  fallbacksTotal: def('fallbacks_total', 'counter', 'Requests moved to the next target of a route.', [from, to]),
  tokensTotal: def('tokens_total', 'counter', 'Tokens used upstream, by type.', [provider, model, type]),
  costUsdTotal: def('cost_usd_total', 'counter', 'Upstream spend in US dollars.', [provider, model]),
  cacheSavingsUsdTotal: def(
    'cache_savings_usd_total',
    'counter',
    'Spend avoided by answering from cache, in US dollars.',
    [model],
  ),
  coalescedRequestsTotal: def(
    'coalesced_requests_total',
    'counter',
    'Requests that joined an identical request already in flight instead of calling upstream.',
    [],
  ),
  overheadSeconds: def(
    'overhead_seconds',
    'histogram',
    'Time spent in the gateway itself per request, upstream time excluded, in seconds.',
    [route],
    FAST_BUCKETS,
  ),
  rateLimitedTotal: def('rate_limited_total', 'counter', 'Requests refused by a per-key limit.', []),
  authFailuresTotal: def('auth_failures_total', 'counter', 'Requests refused for a missing or bad key.', []),
  budgetUsd: def('budget_usd', 'gauge', 'The budget of a key or team for its current period, in US dollars.', [scope, id]),
  budgetSpendUsd: def('budget_spend_usd', 'gauge', 'Spend of a key or team in its current budget period, in US dollars (reservations in flight included; as this replica last saw it).', [scope, id]),
  budgetRemainingUsd: def('budget_remaining_usd', 'gauge', 'What is left of a key or team budget in its current period, in US dollars.', [scope, id]),
  budgetRefusalsTotal: def('budget_refusals_total', 'counter', 'Requests refused because a key or team budget could not afford their worst-case cost.', [scope, id]),
  configReloadsTotal: def('config_reloads_total', 'counter', 'Config file reloads, by result (`applied` or `refused`).', [result]),
} as const;

export type MetricKey = keyof typeof Metrics;

/** Every contract metric as a list, in declaration order. */
export const allMetrics: readonly MetricDef[] = Object.values(Metrics);

/**
 * Metrics from outside the contract that alerts and dashboards may name: prom-client's default
 * process and Node.js metrics, Prometheus's own `up`, and the redis exporter's (oliver006's
 * redis_exporter, the same names in Debian's 1.45 and the pinned image) for the L2 nodes.
 */
export const ExternalMetrics = {
  up: 'up',
  redisUp: 'redis_up',
  redisMemoryUsedBytes: 'redis_memory_used_bytes',
  redisMemoryMaxBytes: 'redis_memory_max_bytes',
  redisDbKeys: 'redis_db_keys',
  redisEvictedKeysTotal: 'redis_evicted_keys_total',
  processCpuSecondsTotal: 'process_cpu_seconds_total',
  processResidentMemoryBytes: 'process_resident_memory_bytes',
  processOpenFds: 'process_open_fds',
  processStartTimeSeconds: 'process_start_time_seconds',
  nodejsEventloopLagSeconds: 'nodejs_eventloop_lag_seconds',
  nodejsEventloopLagP99Seconds: 'nodejs_eventloop_lag_p99_seconds',
  nodejsHeapSizeUsedBytes: 'nodejs_heap_size_used_bytes',
  nodejsActiveHandlesTotal: 'nodejs_active_handles_total',
  nodejsGcDurationSeconds: 'nodejs_gc_duration_seconds',
} as const;

/** The Prometheus job that scrapes the gateway. */
export const GATEWAY_JOB = 'llm-edge-agent';

/** The Prometheus job that scrapes the redis exporters (`redis_up`). */
export const REDIS_JOB = 'redis';

/** Every series name a query may use: contract metrics with histogram suffixes, plus external ones. */
export function knownSeriesNames(): Set<string> {
  const names = new Set<string>(Object.values(ExternalMetrics));
  names.add('nodejs_gc_duration_seconds_bucket');
  names.add('nodejs_gc_duration_seconds_sum');
  names.add('nodejs_gc_duration_seconds_count');
  for (const m of allMetrics) {
    names.add(m.name);
    if (m.type === 'histogram') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(m.name + suffix);
    }
  }
  return names;
}
