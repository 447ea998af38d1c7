/**
 * Fields of the gateway's one-line JSON access log. Never a prompt, a completion or a secret:
 * bodies are logged only when debug logging of bodies is turned on explicitly.
 */
export const LogField = {
  requestId: { key: 'request_id', doc: 'The `x-request-id` of the request (taken from the caller or generated).' },
  keyId: { key: 'key_id', doc: 'Id of the caller\'s API key (the tenant); never the key itself.' },
  route: { key: 'route', doc: 'The endpoint route, e.g. `/v1/chat/completions`.' },
  model: { key: 'model', doc: 'The model the caller asked for.' },
  provider: { key: 'provider', doc: 'The provider that answered (on a cache hit, the one whose answer was cached; empty for errors before routing).' },
  status: { key: 'status', doc: 'HTTP status sent to the caller.' },
  cache: { key: 'cache', doc: '`hit-l1`, `hit-l2`, `miss` or `bypass`.' },
  promptTokens: { key: 'prompt_tokens', doc: 'Input tokens of the answer.' },
  completionTokens: { key: 'completion_tokens', doc: 'Output tokens of the answer.' },
  usageEstimated: { key: 'usage_estimated', doc: 'True when the provider gave no usage and tokens were estimated from text.' },
  costUsd: { key: 'cost_usd', doc: 'Upstream cost of the request in US dollars (0 on cache hits).' },
  durationMs: { key: 'duration_ms', doc: 'Time from request received to response finished, in milliseconds.' },
  traceId: { key: 'trace_id', doc: 'OpenTelemetry trace id, when the request was traced.' },
} as const;
export type LogFieldKey = (typeof LogField)[keyof typeof LogField]['key'];
