/**
 * Streamed answers: opening an upstream stream (an attempt succeeds only once its first event
 * arrived, so a target that fails before the first byte can be left for the next), and piping
 * its events to the caller as SSE frames with backpressure. After the first byte a failure ends
 * the stream with an SSE error event; it never fails over.
 */
import type { Span as OtelSpan } from '@opentelemetry/api';
import { ProviderErrorReason } from '@llm-edge/semconv';
import type { ChatRequest } from '../api/types.js';
import { GatewayError } from '../http/errors.js';
import type { Exchange } from '../http/exchange.js';
import { sseErrorFrame, startSse, writeFrame } from '../http/respond.js';
import { sseData, SSE_DONE } from '../providers/sse.js';
import type { CallOptions, StreamAnswer, StreamEvent } from '../providers/types.js';
import { UpstreamError } from '../providers/upstream-error.js';
import type { Target } from '../routing/router.js';

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
  try {
    const first = await answer.events.next();
    return { answer, first: first.done ? undefined : first.value };
  } catch (err) {
    answer.cancel();
    throw err;
  }
}

/**
 * Pipes a stream to the caller. Returns every event payload (for the cache and for usage
 * estimates) when the stream ended with its terminal event, or undefined when it broke or the
 * caller left: an incomplete stream is never stored or counted as complete.
 */
export interface PipeOptions {
  /** Sees every event payload as it arrives (the flight that joined requests follow). */
  readonly onEvent?: ((payload: string) => void) | undefined;
  /**
   * Aborts when nobody waits for the stream any more (the caller, or every caller on its
   * flight, left): reading stops, and the failure that follows is not the provider's.
   */
  readonly signal: AbortSignal;
}

export async function pipeStream(x: Exchange, opened: OpenedStream, includeUsage: boolean, options: PipeOptions): Promise<string[] | undefined> {
  const { onEvent, signal } = options;
  const { answer } = opened;
  const res = x.res;
  const events: string[] = [];
  startSse(res, x.headers());
  x.firstByteAt = performance.now();
  // One upstream read's events leave in one socket write.
  const forward = (batch: StreamEvent[]) => {
    let frames = '';
    for (const event of batch) {
      events.push(event.payload);
      onEvent?.(event.payload);
      if (event.usage) x.usage = event.usage;
      if (!event.usageOnly || includeUsage) frames += sseData(event.payload);
    }
    return frames === '' || res.destroyed ? undefined : writeFrame(res, frames);
  };
  try {
    if (opened.first) await forward(opened.first);
    for (;;) {
      if (signal.aborted) {
        answer.cancel();
        return undefined;
      }
      const next = await answer.events.next();
      if (next.done) break;
      await forward(next.value);
    }
    if (!res.destroyed) res.end(SSE_DONE);
    return events;
  } catch (err) {
    answer.cancel();
    // Reading was cut because nobody waits any more: no fault of the provider's, nobody to tell.
    if (signal.aborted) return undefined;
    const reason = err instanceof UpstreamError ? err.reason : ProviderErrorReason.streamBroken;
    const message = err instanceof UpstreamError ? err.message : 'the stream failed';
    x.metrics.get('providerErrorsTotal').labels(x.provider, reason).inc();
    if (!res.destroyed) res.end(sseErrorFrame(`Provider ${x.provider} stream failed: ${message}`, 'upstream_error', reason));
    throw new StreamBroken(err);
  }
}

/** A stream that failed after its first byte: already answered, so nothing more to send. */
export class StreamBroken extends Error {
  override readonly name = 'StreamBroken';
  constructor(override readonly cause: unknown) {
    super('stream broke after the first byte');
  }

  /** What a joined JSON caller sees when the stream it waited for broke. */
  toGatewayError(): GatewayError {
    return new GatewayError(502, 'upstream_error', 'The provider stream broke before it finished.', null, 'stream_broken');
  }
}
