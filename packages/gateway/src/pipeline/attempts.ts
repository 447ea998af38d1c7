/**
 * The attempts step: the route's targets tried through the resilience layer, each attempt a
 * `provider_request` span (so retries and fallbacks show in the trace) whose context goes
 * upstream as `traceparent`, counted by provider and status, failures by reason.
 */
import { SpanKind, trace, type Attributes, type Span as OtelSpan } from '@opentelemetry/api';
import { Attr, Span } from '@llm-edge/semconv';
import type { CallOptions } from '../providers/types.js';
import { UpstreamError } from '../providers/upstream-error.js';
import type { AttemptInfo, Resilience } from '../resilience/index.js';
import type { Route, Target } from '../routing/router.js';
import type { Telemetry } from '../telemetry/index.js';
import { failSpan, type RequestTrace } from './request.js';
import type { Signal } from '../http/cancel.js';

export interface AttemptOptions<T> {
  /** The GenAI operation of the endpoint (`chat`, `embeddings`). */
  readonly operation: string;
  /** Aborts when nobody waits for the answer any more (the caller, or every caller on its flight). */
  readonly signal: Signal;
  /** The request's deadline, ms after its start. */
  readonly timeoutMs: number;
  /** The answer's GenAI attributes (response model, finish reasons, usage) for a recorded span. */
  readonly describe?: (value: T) => Attributes;
  /**
   * Streams: a successful attempt's span stays open, handed over with the value, and the stream
   * ends it once its usage is known (the attempt itself is over at its first event).
   */
  readonly handOver?: (value: T, span: OtelSpan) => T;
}

export interface Attempted<T> {
  readonly value: T;
  readonly target: Target;
  /** Milliseconds spent in provider calls, every attempt included. */
  readonly upstreamMs: number;
}

/**
 * Runs `call` on the route's targets until one answers.
 * @throws GatewayError for the caller when none does
 */
export async function attempt<T>(
  request: RequestTrace,
  resilience: Resilience,
  telemetry: Telemetry,
  route: Route,
  call: (target: Target, options: CallOptions) => Promise<T>,
  options: AttemptOptions<T>,
): Promise<Attempted<T>> {
  const timing = { upstreamMs: 0 };
  const { value, target } = await resilience.run(route, (t, a) => recordAttempt(request, telemetry, t, a, call, options, timing), {
    signal: options.signal,
    deadline: request.startedAt + options.timeoutMs,
    onEvent: (name, attributes) => request.noteEvent(name, attributes),
  });
  return { value, target, upstreamMs: timing.upstreamMs };
}

async function recordAttempt<T>(
  request: RequestTrace,
  telemetry: Telemetry,
  target: Target,
  info: AttemptInfo,
  call: (target: Target, options: CallOptions) => Promise<T>,
  options: AttemptOptions<T>,
  timing: { upstreamMs: number },
): Promise<T> {
  const { signal } = info;
  const provider = target.provider.name;
  const m = telemetry.metrics;
  const span = request.startSpan(Span.providerRequest, request.recording ? attemptAttributes(options.operation, target, info) : undefined, undefined, SpanKind.CLIENT);
  request.takeEvents(span);
  const headers: Record<string, string> = { 'x-request-id': request.id };
  // Sampled out, the "span" is the request's own, whose context the request already has.
  telemetry.tracing.inject(span === request.span ? request.context : trace.setSpan(request.context, span), headers);
  const started = performance.now();
  let handedOver = false;
  try {
    let value: T = await call(target, { signal, headers });
    m.child('providerRequestsTotal', provider, '200').inc();
    if (span.isRecording()) {
      span.setAttribute(Attr.httpResponseStatusCode, 200);
      if (options.describe) span.setAttributes(options.describe(value));
    }
    if (options.handOver && span !== request.span) {
      value = options.handOver(value, span);
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
    timing.upstreamMs += ms;
    m.child('providerLatencySeconds', provider).observe(ms / 1000);
    if (!handedOver) span.end();
  }
}


/** True when the attempt was aborted because its caller left (a timeout aborts with an UpstreamError). */
function callerLeft(signal: Signal): boolean {
  return signal.aborted && !(signal.reason instanceof UpstreamError);
}

function attemptAttributes(operation: string, target: Target, info: AttemptInfo): Attributes {
  return {
    [Attr.genAiSystem]: target.provider.type === 'anthropic' ? 'anthropic' : 'openai',
    [Attr.genAiOperationName]: operation,
    [Attr.genAiRequestModel]: target.model,
    [Attr.serverAddress]: target.provider.host,
    [Attr.provider]: target.provider.name,
    [Attr.target]: target.id,
    [Attr.attempt]: info.overall,
  };
}

/**
 * The call options for one attempt on `target`, with the caller's body to send as it came when
 * the target serves the very model asked for (nothing in it to rewrite).
 */
export function withRawBody(options: CallOptions, raw: Buffer, requested: string, target: Target): CallOptions {
  // Object.assign, not a spread literal: see withProvider in headers.ts.
  return target.model === requested ? Object.assign({}, options, { rawBody: raw }) : options;
}
