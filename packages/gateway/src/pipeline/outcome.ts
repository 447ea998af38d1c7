/**
 * What happened to one request, as one record: the pipeline returns it, and the transport writes
 * the request metrics, the access log line and the root span's attributes from it, once.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import { Attr, CacheStatus, type CacheStatusValue } from '@llm-edge/semconv';
import type { Usage } from '../api/types.js';
import type { Telemetry } from '../telemetry/index.js';
import type { RequestTrace } from './request.js';
import type { Responder } from './responder.js';

export interface Outcome {
  /** The caller's key id, once authenticated. */
  readonly keyId: string;
  /** The requested model, once routing accepted it (an unknown name never becomes a label). */
  readonly model: string;
  /** The provider that answered (on a cache hit, the one whose answer was cached). */
  readonly provider: string;
  readonly cache: CacheStatusValue;
  readonly usage?: Usage | undefined;
  readonly usageEstimated: boolean;
  readonly costUsd: number;
  /** Milliseconds spent waiting on providers (or on the request a joiner followed). */
  readonly upstreamMs: number;
  /** `performance.now()` of a stream's first byte. */
  readonly firstByteAt?: number | undefined;
}

/** The outcome of a request refused or failed before anything was known about it. */
export const NOTHING_YET: Outcome = { keyId: '', model: '', provider: '', cache: CacheStatus.bypass, usageEstimated: false, costUsd: 0, upstreamMs: 0 };

/**
 * Records a finished request: `requests_total`, the duration, overhead and first-byte
 * histograms, the access log line and the root span. The status is what the caller got (499
 * when it left before any answer); the duration ends when the answer did, or the caller left.
 */
export function recordOutcome(telemetry: Telemetry, request: RequestTrace, responder: Responder, outcome: Outcome): void {
  const m = telemetry.metrics;
  const end = Math.min(responder.endedAt ?? Infinity, performance.now());
  const seconds = (end - request.startedAt) / 1000;
  const status = responder.status;
  const { route } = request;
  const { provider, cache, model, usage } = outcome;
  m.child('requestsTotal', route, model && m.modelLabel(model), provider, String(status), cache).inc();
  m.child('requestDurationSeconds', route, provider, cache).observe(seconds);
  m.child('overheadSeconds', route).observe(Math.max(0, seconds - outcome.upstreamMs / 1000));
  if (outcome.firstByteAt !== undefined) {
    m.child('timeToFirstByteSeconds', route, provider, cache).observe((outcome.firstByteAt - request.startedAt) / 1000);
  }
  endSpan(request, status, outcome);
  const log = telemetry.log;
  if (log.isLevelEnabled('info')) {
    log.info({
      msg: 'request',
      request_id: request.id,
      key_id: outcome.keyId,
      route,
      model,
      provider,
      status,
      cache,
      prompt_tokens: usage?.prompt_tokens ?? 0,
      completion_tokens: usage?.completion_tokens ?? 0,
      usage_estimated: outcome.usageEstimated,
      cost_usd: outcome.costUsd,
      duration_ms: Math.round(seconds * 1000 * 100) / 100,
      trace_id: request.traceId ?? '',
    });
  }
}

function endSpan(request: RequestTrace, status: number, outcome: Outcome): void {
  const span = request.span;
  if (!span.isRecording()) return span.end();
  request.takeEvents(span);
  span.setAttributes({
    [Attr.httpResponseStatusCode]: status,
    [Attr.cacheStatus]: outcome.cache,
    [Attr.genAiRequestModel]: outcome.model,
    [Attr.provider]: outcome.provider,
    [Attr.keyId]: outcome.keyId,
    [Attr.costUsd]: outcome.costUsd,
  });
  if (outcome.usage) {
    span.setAttribute(Attr.genAiUsageInputTokens, outcome.usage.prompt_tokens);
    span.setAttribute(Attr.genAiUsageOutputTokens, outcome.usage.completion_tokens);
    span.setAttribute(Attr.usageEstimated, outcome.usageEstimated);
  }
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
  span.end();
}
