/**
 * One provider attempt as telemetry sees it: a `provider_request` span (one per attempt, so
 * retries and fallbacks show in the trace) whose context goes upstream as `traceparent`, the
 * attempt counted by provider and status, failures by reason, and its time taken out of the
 * gateway's own overhead.
 */
import { SpanKind, trace, type Attributes } from '@opentelemetry/api';
import { Attr, Span } from '@llm-edge/semconv';
import type { Gateway } from '../gateway.js';
import { failSpan, type Exchange } from '../http/exchange.js';
import type { CallOptions } from '../providers/types.js';
import { UpstreamError } from '../providers/upstream-error.js';
import type { AttemptInfo } from '../resilience/index.js';
import type { Target } from '../routing/router.js';

/** The attempt context for `resilience.run`: the abort signal, and decisions noted for the trace. */
export function attemptContext(x: Exchange, signal: AbortSignal = x.signal) {
  return { signal, onEvent: (name: string, attributes: Record<string, string | number | boolean>) => x.noteEvent(name, attributes) };
}

/**
 * @param attempt from `resilience.run`: its signal carries the attempt's timeout and the abort
 */
export async function recordAttempt<T>(gw: Gateway, x: Exchange, target: Target, attempt: AttemptInfo, call: (options: CallOptions) => Promise<T>): Promise<T> {
  const { signal } = attempt;
  const provider = target.provider.name;
  const m = gw.metrics;
  const span = x.startSpan(Span.providerRequest, x.span.isRecording() ? attemptAttributes(x, target, attempt) : undefined, undefined, SpanKind.CLIENT);
  x.takeEvents(span);
  const headers: Record<string, string> = { 'x-request-id': x.id };
  // Sampled out, the "span" is the request's own, whose context the request already has.
  gw.telemetry.tracing.inject(span === x.span ? x.context : trace.setSpan(x.context, span), headers);
  const started = performance.now();
  try {
    const value = await call({ signal, headers });
    m.child('providerRequestsTotal', provider, '200').inc();
    span.setAttribute(Attr.httpResponseStatusCode, 200);
    return value;
  } catch (err) {
    if (err instanceof UpstreamError) {
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
    span.end();
  }
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
