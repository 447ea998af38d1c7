/**
 * Streamed answers: opening an upstream stream (an attempt succeeds only once its first event
 * arrived, so a target that fails before the first byte can be left for the next), and piping
 * its events to the caller in the caller's dialect, with backpressure. After the first byte a
 * failure ends the stream with the dialect's error event; it never fails over.
 */
import type { Span as OtelSpan } from '@opentelemetry/api';
import { ProviderErrorReason } from '@llm-edge/semconv';
import type { ChatChunk, ChatRequest, Usage } from '../api/types.js';
import type { Dialect, StreamEncoder } from '../dialects/types.js';
import { GatewayError } from '../http/errors.js';
import type { CallOptions, StreamAnswer, StreamEvent } from '../providers/types.js';
import { UpstreamError } from '../providers/upstream-error.js';
import type { Target } from '../routing/router.js';
import type { GatewayMetrics } from '../telemetry/metrics.js';
import type { Headers, Responder } from './responder.js';
import type { Signal } from '../http/cancel.js';

/** A stream whose first events already arrived. */
export interface OpenedStream {
  readonly answer: StreamAnswer;
  readonly first: StreamEvent[] | undefined;
  /** The attempt's `provider_request` span, ended when the stream ends (recorded requests only). */
  readonly span?: OtelSpan;
}

export async function openStream(target: Target, request: ChatRequest, options: CallOptions): Promise<OpenedStream> {
  const answer = await target.provider.chat({ ...request, model: target.model }, true, options);
  if (answer.kind !== 'stream') throw new Error(`provider ${target.provider.name} answered a stream request with JSON`);
  return firstEvents(answer);
}

/** Waits for a stream's first events: until then, the attempt may still fail over. */
export async function firstEvents(answer: StreamAnswer): Promise<OpenedStream> {
  try {
    const first = await answer.events.next();
    return { answer, first: first.done ? undefined : first.value };
  } catch (err) {
    answer.cancel();
    throw err;
  }
}

/**
 * How provider events become the caller's: chat's are the provider's chunks as they are; another
 * dialect's come from its encoder, fed the canonical chunks.
 */
export interface EventEncoding {
  /** The dialect's payloads for one provider event. */
  event(event: StreamEvent): string[];
  /** The dialect's closing payloads, once the provider's stream ended. */
  end(usage: Usage | undefined): string[];
}

/** Provider events passed through as they are (the provider speaks the caller's dialect). */
export const AS_THEY_ARE: EventEncoding = { event: (e) => [e.payload], end: () => [] };

/** Canonical chunks encoded into a dialect. */
export function encodedBy(encoder: StreamEncoder): EventEncoding {
  return {
    event: (e) => encoder.push(e.chunk ?? (JSON.parse(e.payload) as ChatChunk)),
    end: (usage) => encoder.end(usage),
  };
}

export interface PipeOptions {
  readonly dialect: Dialect;
  readonly encoding: EventEncoding;
  /** A stored event this caller did not ask for (chat's usage-only chunk without include_usage). */
  readonly omit?: ((payload: string) => boolean) | undefined;
  readonly headers: Headers;
  /** Sees every dialect payload as it goes out (the flight joined requests follow). */
  readonly onEvent?: ((payload: string) => void) | undefined;
  /**
   * Aborts when nobody waits for the stream any more (the caller, or every caller on its
   * flight, left): reading stops, and the failure that follows is not the provider's.
   */
  readonly signal: Signal;
  readonly metrics: GatewayMetrics;
  readonly provider: string;
}

/** What a stream delivered. */
export interface Piped {
  /** True when it ended with its terminal event; an incomplete stream is never stored. */
  readonly complete: boolean;
  /** The dialect's payloads, in order (what the cache stores). */
  readonly events: string[];
  /** The provider's payloads (canonical chunks unless passed through), for estimates. */
  readonly upstream: string[];
  readonly usage: Usage | undefined;
  readonly firstByteAt: number;
}

/**
 * Pipes a stream to the caller. Returns what it sent: complete when the stream ended with its
 * terminal event, incomplete when nobody waits for it any more (what arrived until then is still
 * counted and billed).
 * @throws StreamBroken when it failed after the first byte (the caller got the error event)
 */
export async function pipeStream(responder: Responder, opened: OpenedStream, o: PipeOptions): Promise<Piped | undefined> {
  const { answer } = opened;
  const events: string[] = [];
  const upstream: string[] = [];
  let usage: Usage | undefined;
  responder.startStream(o.headers);
  const firstByteAt = performance.now();
  const emit = (payloads: string[]): string => {
    let frames = '';
    for (const payload of payloads) {
      events.push(payload);
      o.onEvent?.(payload);
      if (!o.omit?.(payload)) frames += o.dialect.frame(payload);
    }
    return frames;
  };
  // One upstream read's events leave in one socket write.
  const forward = (batch: StreamEvent[]) => {
    let frames = '';
    for (const event of batch) {
      upstream.push(event.payload);
      if (event.usage) usage = event.usage;
      frames += emit(o.encoding.event(event));
    }
    return frames === '' || responder.gone ? undefined : responder.write(frames);
  };
  try {
    if (opened.first) await forward(opened.first);
    for (;;) {
      if (o.signal.aborted) {
        answer.cancel();
        return { complete: false, events, upstream, usage, firstByteAt };
      }
      const next = await answer.events.next();
      if (next.done) break;
      await forward(next.value);
    }
    responder.end(emit(o.encoding.end(usage)) + o.dialect.streamEnd);
    return { complete: true, events, upstream, usage, firstByteAt };
  } catch (err) {
    answer.cancel();
    // Reading was cut because nobody waits any more: no fault of the provider's, nobody to tell.
    if (o.signal.aborted) return { complete: false, events, upstream, usage, firstByteAt };
    const reason = err instanceof UpstreamError ? err.reason : ProviderErrorReason.streamBroken;
    const message = err instanceof UpstreamError ? err.message : 'the stream failed';
    o.metrics.get('providerErrorsTotal').labels(o.provider, reason).inc();
    responder.end(o.dialect.streamErrorFrame(new GatewayError(502, 'upstream_error', `Provider ${o.provider} stream failed: ${message}`, null, reason)));
    throw new StreamBroken(err, o.provider, firstByteAt, { usage, upstream });
  }
}

/** A stream that failed after its first byte: already answered, so nothing more to send. */
export class StreamBroken extends Error {
  override readonly name = 'StreamBroken';

  constructor(
    override readonly cause: unknown,
    /** The provider whose stream broke. */
    readonly provider: string,
    readonly firstByteAt: number,
    /** What arrived before it broke: still counted and billed. */
    readonly partial: { readonly usage: Usage | undefined; readonly upstream: readonly string[] },
    /** Milliseconds spent on provider calls before it broke. */
    readonly upstreamMs = 0,
    /** What the part that arrived cost (USD). */
    readonly costUsd = 0,
  ) {
    super('stream broke after the first byte');
  }

  /** The same failure, with the time the attempts took and what the partial answer cost. */
  after(upstreamMs: number, costUsd: number): StreamBroken {
    return new StreamBroken(this.cause, this.provider, this.firstByteAt, this.partial, upstreamMs, costUsd);
  }

  /** What a joined JSON caller sees when the stream it waited for broke. */
  toGatewayError(): GatewayError {
    return new GatewayError(502, 'upstream_error', 'The provider stream broke before it finished.', null, 'stream_broken');
  }
}
