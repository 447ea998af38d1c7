/**
 * One provider attempt as telemetry sees it: a `provider_request` span (one per attempt, so
 * retries and fallbacks show in the trace) whose context goes upstream as `traceparent`, the
 * attempt counted by provider and status, failures by reason, and its time taken out of the
 * gateway's own overhead.
 */
import { SpanKind, trace, type Attributes, type Span as OtelSpan } from '@opentelemetry/api';
import { Attr, Span } from '@llm-edge/semconv';
import type { Gateway } from '../gateway.js';
import { failSpan, type Exchange } from '../http/exchange.js';
import type { CallOptions } from '../providers/types.js';
import { UpstreamError } from '../providers/upstream-error.js';
import { badRequest } from '../http/errors.js';
import type { AttemptContext, AttemptInfo } from '../resilience/index.js';
import type { Target } from '../routing/router.js';

/**
 * The attempt context for `resilience.run`: the abort signal, the request's deadline, and
 * decisions noted for the trace.
 */
export function attemptContext(gw: Gateway, x: Exchange, signal: AbortSignal): AttemptContext {
  return {
    signal,
    deadline: x.startedAt + requestTimeoutMs(gw, x),
    onEvent: (name: string, attributes: Record<string, string | number | boolean>) => x.noteEvent(name, attributes),
  };
}

/** Largest `x-llm-edge-timeout` a caller may send, in seconds (a day). */
const MAX_TIMEOUT_SECONDS = 86_400;

/**
 * The request's deadline in ms from its start: `resilience.requestTimeoutMs`, or less when the
 * caller asks with `x-llm-edge-timeout: <seconds>` (capped by the config, never raised by it).
 * @throws GatewayError 400 for a header that is not a positive number of seconds
 */
export function requestTimeoutMs(gw: Gateway, x: Exchange): number {
  const configured = gw.config.resilience.requestTimeoutMs;
  const raw = x.req.headers['x-llm-edge-timeout'];
  if (raw === undefined) return configured;
  const seconds = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_TIMEOUT_SECONDS) {
    throw badRequest(`Header x-llm-edge-timeout must be a number of seconds above 0 and at most ${MAX_TIMEOUT_SECONDS}.`, 'x-llm-edge-timeout', 'invalid_header');
  }
  return Math.min(configured, seconds * 1000);
}

export interface RecordOptions<T> {
  /** The answer's GenAI attributes (response model, finish reasons, usage) for a recorded span. */
  readonly describe?: (value: T) => Attributes;
  /**
   * Streams: a successful attempt's span stays open, handed over with the value, and the stream
   * ends it once its usage is known (the attempt itself is over at its first event).
   */
  readonly handOver?: (value: T, span: OtelSpan) => T;
}

/**
 * @param attempt from `resilience.run`: its signal carries the attempt's timeout and the abort
 */
export async function recordAttempt<T>(gw: Gateway, x: Exchange, target: Target, attempt: AttemptInfo, call: (options: CallOptions) => Promise<T>, record: RecordOptions<T> = {}): Promise<T> {
  const { signal } = attempt;
  const provider = target.provider.name;
  const m = gw.metrics;
  const span = x.startSpan(Span.providerRequest, x.span.isRecording() ? attemptAttributes(x, target, attempt) : undefined, undefined, SpanKind.CLIENT);
  x.takeEvents(span);
  const headers: Record<string, string> = { 'x-request-id': x.id };
  // Sampled out, the "span" is the request's own, whose context the request already has.
  gw.telemetry.tracing.inject(span === x.span ? x.context : trace.setSpan(x.context, span), headers);
  const started = performance.now();
  let handedOver = false;
  try {
    let value: T = await call({ signal, headers });
    m.child('providerRequestsTotal', provider, '200').inc();
    if (span.isRecording()) {
      span.setAttribute(Attr.httpResponseStatusCode, 200);
      if (record.describe) span.setAttributes(record.describe(value));
    }
    if (record.handOver && span !== x.span) {
      value = record.handOver(value, span);
      handedOver = true;
    }
    return value;
  } catch (err) {
    // A caller who left cut the attempt short: nothing to say about the provider.
    if (err instanceof UpstreamError && !callerLeft(signal)) {
      m.get('providerRequestsTotal').labels(provider, err.status ? String(err.status) : 'error').inc();
      m.get('providerErrorsTotal').labels(provider, err.reason).inc();
      if (err.status) span.setAttribute(Attr.httpResponseStatusCode, err.status);
    }
    failSpan(span, err);
    throw err;
  } finally {
    const ms = performance.now() - started;
    x.upstreamMs += ms;
    m.child('providerLatencySeconds', provider).observe(ms / 1000);
    if (!handedOver) span.end();
  }
}

/** True when the attempt was aborted because its caller left (a timeout aborts with an UpstreamError). */
function callerLeft(signal: AbortSignal): boolean {
  return signal.aborted && !(signal.reason instanceof UpstreamError);
}

function attemptAttributes(x: Exchange, target: Target, attempt: AttemptInfo): Attributes {
  return {
    [Attr.genAiSystem]: target.provider.type === 'anthropic' ? 'anthropic' : 'openai',
    [Attr.genAiOperationName]: operationOf(x),
    [Attr.genAiRequestModel]: target.model,
    [Attr.serverAddress]: target.provider.host,
    [Attr.provider]: target.provider.name,
    [Attr.target]: target.id,
    [Attr.attempt]: attempt.overall,
  };
}

/** The GenAI operation of the request's endpoint. */
export function operationOf(x: Exchange): 'chat' | 'embeddings' {
  return x.route === '/v1/embeddings' ? 'embeddings' : 'chat';
}

/**
 * The call options for one attempt on `target`, with the caller's body to send as it came when
 * the target serves the very model asked for (nothing in it to rewrite).
 */
export function withRawBody(options: CallOptions, raw: Buffer, requested: string, target: Target): CallOptions {
  return target.model === requested ? { ...options, rawBody: raw } : options;
}
