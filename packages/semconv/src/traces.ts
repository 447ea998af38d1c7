/**
 * Span names and attribute keys. One trace per request; the tree is:
 *
 * llm_edge_request
 * ├─ authentication
 * ├─ cache_lookup
 * │  ├─ l1_lookup
 * │  └─ l2_lookup
 * ├─ routing_decision
 * ├─ provider_request      (one per attempt)
 * └─ response_processing
 */

export const Span = {
  request: 'llm_edge_request',
  authentication: 'authentication',
  cacheLookup: 'cache_lookup',
  l1Lookup: 'l1_lookup',
  l2Lookup: 'l2_lookup',
  routingDecision: 'routing_decision',
  providerRequest: 'provider_request',
  responseProcessing: 'response_processing',
} as const;
export type SpanName = (typeof Span)[keyof typeof Span];

/** Parent of each span in the tree (`null` for the root). */
export const SpanParent: Readonly<Record<SpanName, SpanName | null>> = {
  llm_edge_request: null,
  authentication: 'llm_edge_request',
  cache_lookup: 'llm_edge_request',
  l1_lookup: 'cache_lookup',
  l2_lookup: 'cache_lookup',
  routing_decision: 'llm_edge_request',
  provider_request: 'llm_edge_request',
  response_processing: 'llm_edge_request',
};

/**
 * Attribute keys. GenAI keys follow the OpenTelemetry GenAI semantic conventions; HTTP keys the
 * stable HTTP conventions; the rest are ours, under `llm_edge.`.
 */
export const Attr = {
  genAiSystem: 'gen_ai.system',
  genAiOperationName: 'gen_ai.operation.name',
  genAiRequestModel: 'gen_ai.request.model',
  genAiResponseModel: 'gen_ai.response.model',
  genAiRequestMaxTokens: 'gen_ai.request.max_tokens',
  genAiRequestTemperature: 'gen_ai.request.temperature',
  genAiRequestStream: 'gen_ai.request.stream',
  genAiResponseId: 'gen_ai.response.id',
  genAiResponseFinishReasons: 'gen_ai.response.finish_reasons',
  genAiUsageInputTokens: 'gen_ai.usage.input_tokens',
  genAiUsageOutputTokens: 'gen_ai.usage.output_tokens',
  httpRequestMethod: 'http.request.method',
  httpResponseStatusCode: 'http.response.status_code',
  httpRoute: 'http.route',
  serverAddress: 'server.address',
  errorType: 'error.type',
  requestId: 'llm_edge.request_id',
  keyId: 'llm_edge.key_id',
  cacheStatus: 'llm_edge.cache.status',
  cacheTier: 'llm_edge.cache.tier',
  cacheHit: 'llm_edge.cache.hit',
  provider: 'llm_edge.provider',
  target: 'llm_edge.target',
  attempt: 'llm_edge.attempt',
  routeName: 'llm_edge.route',
  costUsd: 'llm_edge.cost_usd',
  usageEstimated: 'llm_edge.usage.estimated',
  coalesced: 'llm_edge.coalesced',
} as const;
export type AttrKey = (typeof Attr)[keyof typeof Attr];

/**
 * Resilience decisions, recorded as events on the `provider_request` span that follows them (or
 * on the request span when no attempt follows).
 */
export const SpanEvent = {
  retry: 'retry',
  fallback: 'fallback',
  targetSkipped: 'target_skipped',
  attemptTimeout: 'attempt_timeout',
  retryBudgetExhausted: 'retry_budget_exhausted',
} as const;

/** Default tracing settings (DESIGN.md, "tracing"). */
export const TRACING_DEFAULTS = {
  serviceName: 'llm-edge-agent',
  samplerRatio: 0.1,
} as const;
