/**
 * One request's context from arrival to the last byte: its id, caller, model, provider, cache
 * status and timings. It writes the access log line and the request metrics when the response
 * finishes, so every path (answer, error, cut stream) is counted exactly once.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CacheStatus, type CacheStatusValue } from '@llm-edge/semconv';
import type { Usage } from '../api/types.js';
import type { Caller } from '../auth/api-keys.js';
import { SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { Attr, Span as SpanName, type SpanName as SpanNameValue } from '@llm-edge/semconv';
import type { Telemetry } from '../telemetry/index.js';
import { isInternal, toGatewayError } from './errors.js';
import { sendError, type Headers } from './respond.js';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export class Exchange {
  readonly id: string;
  readonly startedAt = performance.now();
  /** Created on first use: most cache hits never need an abort signal. */
  private controller: AbortController | undefined;
  private left = false;
  caller: Caller | undefined;
  /** The requested model, once routing accepted it (an unknown name never becomes a label). */
  model = '';
  provider = '';
  cache: CacheStatusValue = CacheStatus.bypass;
  usage: Usage | undefined;
  usageEstimated = false;
  costUsd = 0;
  /** Milliseconds spent waiting on providers: taken out of the gateway's own overhead. */
  upstreamMs = 0;
  /** Set when the first streamed byte went out. */
  firstByteAt: number | undefined;
  /** The request's root span and its context, parent of every step's span. */
  readonly span: Span;
  readonly context: Context;
  /** Tokens the request was admitted for by the limits, settled against usage afterwards. */
  admittedTokens = 0;
  /** Headers every answer to this request carries (e.g. `x-ratelimit-*`). */
  extraHeaders: Headers = {};
  private finished = false;
  private readonly pendingEvents: Array<{ name: string; attributes: Attributes }> = [];

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    /** The endpoint route, a bounded metric label. */
    readonly route: string,
    private readonly telemetry: Telemetry,
  ) {
    const given = req.headers['x-request-id'];
    this.id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    const { tracing } = telemetry;
    const parent = tracing.extract(req.headers);
    this.span = tracing.tracer.startSpan(
      SpanName.request,
      { kind: SpanKind.SERVER, attributes: { [Attr.httpRequestMethod]: req.method ?? '', [Attr.httpRoute]: route, [Attr.requestId]: this.id } },
      parent,
    );
    this.context = trace.setSpan(parent, this.span);
    // The caller leaving mid-request aborts the upstream call and any stream.
    res.once('close', () => {
      if (!res.writableFinished) {
        this.left = true;
        this.controller?.abort(new Error('client disconnected'));
      }
      this.finish();
    });
    telemetry.metrics.get('inFlightRequests').inc();
  }

  get metrics() {
    return this.telemetry.metrics;
  }

  get traceId(): string | undefined {
    const ctx = this.span.spanContext();
    return ctx.traceFlags & 1 ? ctx.traceId : undefined;
  }

  /**
   * Notes a resilience decision (retry, fallback, skipped target, ...) for the trace: it lands on
   * the next `provider_request` span, or on the request span when no attempt follows.
   */
  noteEvent(name: string, attributes: Attributes): void {
    if (this.span.isRecording()) this.pendingEvents.push({ name, attributes });
  }

  /** Adds attributes to the request span; `attributes` runs only when the request is recorded. */
  annotate(attributes: () => Attributes): void {
    if (!this.span.isRecording()) return;
    try {
      this.span.setAttributes(attributes());
    } catch {
      // an answer the attributes cannot be read from still goes out; the trace just lacks them
    }
  }

  /** Hands the noted events to an attempt's span. */
  takeEvents(span: Span): void {
    for (const e of this.pendingEvents.splice(0)) span.addEvent(e.name, e.attributes);
  }

  /** Starts a child span of the request, or of `parent`. The caller ends it. */
  startSpan(name: SpanNameValue, attributes?: Attributes, parent?: Span, kind: SpanKind = SpanKind.INTERNAL, startTime?: number): Span {
    // A request sampled out records nothing: its non-recording root stands in for every step
    // (same trace context for `traceparent`, ending it is a no-op), so steps allocate nothing.
    if (!this.span.isRecording()) return this.span;
    const ctx = parent ? trace.setSpan(this.context, parent) : this.context;
    return this.telemetry.tracing.tracer.startSpan(name, { kind, attributes, startTime }, ctx);
  }

  /** Runs one step of the request in its own span; a thrown error is recorded on it. */
  step<T>(name: SpanNameValue, fn: (span: Span) => Promise<T> | T, attributes?: Attributes): Promise<T> {
    // Sampled out, a step is just its function: no span, no extra async frame to await.
    if (!this.span.isRecording()) {
      try {
        return Promise.resolve(fn(this.span));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.recordedStep(name, fn, attributes);
  }

  private async recordedStep<T>(name: SpanNameValue, fn: (span: Span) => Promise<T> | T, attributes?: Attributes): Promise<T> {
    const span = this.startSpan(name, attributes);
    try {
      return await fn(span);
    } catch (err) {
      failSpan(span, err);
      throw err;
    } finally {
      span.end();
    }
  }

  /** Aborts when the caller disconnects before the answer is complete. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.left) this.controller.abort(new Error('client disconnected'));
    }
    return this.controller.signal;
  }

  /**
   * Answers with `err` in the caller's error shape, unless an answer already started. An error
   * the gateway did not expect is a bare 500 to the caller and a log line with its cause here.
   */
  fail(err: unknown): void {
    if (isInternal(err)) {
      // pino's error serializer: type, message and stack; nothing of the request (no headers, no body).
      this.telemetry.log.error({ msg: 'internal error', request_id: this.id, route: this.route, err: err instanceof Error ? err : { message: String(err) } });
    }
    sendError(this.res, toGatewayError(err), this.headers());
  }

  /** Headers every answer carries. */
  headers(extra: Headers = {}): Headers {
    const headers: Headers = { 'x-request-id': this.id, 'x-llm-edge-cache': this.cache, ...this.extraHeaders, ...extra };
    if (this.provider) headers['x-llm-edge-provider'] = this.provider;
    return headers;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    const m = this.telemetry.metrics;
    const log = this.telemetry.log;
    m.get('inFlightRequests').dec();
    const seconds = (performance.now() - this.startedAt) / 1000;
    const status = this.res.headersSent ? this.res.statusCode : 499; // 499: caller left before an answer
    const statusLabel = String(status);
    m.child('requestsTotal', this.route, this.model && m.modelLabel(this.model), this.provider, statusLabel, this.cache).inc();
    m.child('requestDurationSeconds', this.route, this.provider, this.cache).observe(seconds);
    m.child('overheadSeconds', this.route).observe(Math.max(0, seconds - this.upstreamMs / 1000));
    if (this.firstByteAt !== undefined) {
      m.child('timeToFirstByteSeconds', this.route, this.provider, this.cache).observe((this.firstByteAt - this.startedAt) / 1000);
    }
    this.endSpan(status);
    if (log.isLevelEnabled('info')) {
      log.info({
        msg: 'request',
        request_id: this.id,
        key_id: this.caller?.keyId ?? '',
        route: this.route,
        model: this.model,
        provider: this.provider,
        status,
        cache: this.cache,
        prompt_tokens: this.usage?.prompt_tokens ?? 0,
        completion_tokens: this.usage?.completion_tokens ?? 0,
        usage_estimated: this.usageEstimated,
        cost_usd: this.costUsd,
        duration_ms: Math.round(seconds * 1000 * 100) / 100,
        trace_id: this.traceId ?? '',
      });
    }
  }

  private endSpan(status: number): void {
    const span = this.span;
    if (!span.isRecording()) return span.end();
    this.takeEvents(span);
    span.setAttributes({
      [Attr.httpResponseStatusCode]: status,
      [Attr.cacheStatus]: this.cache,
      [Attr.genAiRequestModel]: this.model,
      [Attr.provider]: this.provider,
      [Attr.keyId]: this.caller?.keyId ?? '',
      [Attr.costUsd]: this.costUsd,
    });
    if (this.usage) {
      span.setAttribute(Attr.genAiUsageInputTokens, this.usage.prompt_tokens);
      span.setAttribute(Attr.genAiUsageOutputTokens, this.usage.completion_tokens);
      span.setAttribute(Attr.usageEstimated, this.usageEstimated);
    }
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
    span.end();
  }
}

/** Marks a span failed with the error's type and message (never a stack with secrets). */
export function failSpan(span: Span, err: unknown): void {
  if (!span.isRecording()) return;
  const e = err as { name?: string; reason?: string; message?: string; status?: number };
  span.setStatus({ code: SpanStatusCode.ERROR, message: e.message ?? String(err) });
  span.setAttribute(Attr.errorType, e.reason ?? e.name ?? 'error');
  span.addEvent('exception', { 'exception.type': e.name ?? 'Error', 'exception.message': e.message ?? String(err) });
}
