/**
 * One request's identity and trace: its id, start time, endpoint route, and the root span with
 * the helpers steps use to open child spans. Nothing a step decides is written here: steps
 * return what they found, and the pipeline's `Outcome` carries it to the transport.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { Attr, Span as SpanName, type SpanName as SpanNameValue } from '@llm-edge/semconv';
import type { Tracing } from '../telemetry/tracing.js';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export class RequestTrace {
  readonly id: string;
  readonly startedAt = performance.now();
  /** The request's root span and its context, parent of every step's span. */
  readonly span: Span;
  readonly context: Context;
  private readonly pendingEvents: Array<{ name: string; attributes: Attributes }> = [];

  constructor(
    /** The endpoint route, a bounded metric label. */
    readonly route: string,
    /** The caller's request headers, read-only. */
    readonly headers: IncomingHttpHeaders,
    readonly method: string,
    private readonly tracing: Tracing,
  ) {
    const given = headers['x-request-id'];
    this.id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    const parent = tracing.extract(headers);
    this.span = tracing.tracer.startSpan(
      SpanName.request,
      { kind: SpanKind.SERVER, attributes: { [Attr.httpRequestMethod]: method, [Attr.httpRoute]: route, [Attr.requestId]: this.id } },
      parent,
    );
    this.context = trace.setSpan(parent, this.span);
  }

  get recording(): boolean {
    return this.span.isRecording();
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

  /** Hands the noted events to an attempt's span (or the request's, at the end). */
  takeEvents(span: Span): void {
    for (const e of this.pendingEvents.splice(0)) span.addEvent(e.name, e.attributes);
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

  /** Starts a child span of the request, or of `parent`. The caller ends it. */
  startSpan(name: SpanNameValue, attributes?: Attributes, parent?: Span, kind: SpanKind = SpanKind.INTERNAL, startTime?: number): Span {
    // A request sampled out records nothing: its non-recording root stands in for every step
    // (same trace context for `traceparent`, ending it is a no-op), so steps allocate nothing.
    if (!this.span.isRecording()) return this.span;
    const ctx = parent ? trace.setSpan(this.context, parent) : this.context;
    return this.tracing.tracer.startSpan(name, { kind, attributes, startTime }, ctx);
  }

  /** Runs one step in its own span; a thrown error is recorded on it. */
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

  /** The synchronous twin of `step`, for the steps that need no I/O. */
  stepSync<T>(name: SpanNameValue, fn: (span: Span) => T, attributes?: Attributes): T {
    if (!this.span.isRecording()) return fn(this.span);
    const span = this.startSpan(name, attributes);
    try {
      return fn(span);
    } catch (err) {
      failSpan(span, err);
      throw err;
    } finally {
      span.end();
    }
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
}

/** Marks a span failed with the error's type and message (never a stack with secrets). */
export function failSpan(span: Span, err: unknown): void {
  if (!span.isRecording()) return;
  const e = err as { name?: string; reason?: string; message?: string; status?: number };
  span.setStatus({ code: SpanStatusCode.ERROR, message: e.message ?? String(err) });
  span.setAttribute(Attr.errorType, e.reason ?? e.name ?? 'error');
  span.addEvent('exception', { 'exception.type': e.name ?? 'Error', 'exception.message': e.message ?? String(err) });
}
