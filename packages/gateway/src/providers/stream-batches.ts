/**
 * A provider's SSE body as batches of OpenAI chunk events, one batch per upstream read: the
 * handler awaits once and writes once per read instead of once per event (a fast provider
 * sends a whole answer in a read or two). The stream ends after the provider's terminal event
 * and never on a cut connection.
 */
import { ProviderErrorReason } from '@llm-edge/semconv';
import { SseParser, type SseEvent } from './sse.js';
import type { StreamEvent } from './types.js';
import { bodyChunks, settleBody, type UpstreamResponse } from './upstream-client.js';
import { fromNetworkError, UpstreamError } from './upstream-error.js';

/** Maps the provider's SSE events to OpenAI chunk events. */
export interface StreamDecoder {
  /** The chunk events one SSE event becomes (often one, sometimes none); throws on an error event. */
  decode(event: SseEvent): StreamEvent[];
  /** True once the terminal event (`[DONE]`, `message_stop`) went through `decode`. */
  readonly done: boolean;
  /** What a stream that ended before its terminal event lacked, for the error. */
  readonly terminal: string;
  /**
   * For a provider whose stream has no terminal event and ends with its body (Gemini): called
   * when the body ended cleanly before `done`. Returns the stream's last events when it was
   * complete, or undefined when it was cut short (then the stream is broken).
   */
  end?(): StreamEvent[] | undefined;
}

export async function* streamBatches(provider: string, res: UpstreamResponse, decoder: StreamDecoder): AsyncGenerator<StreamEvent[]> {
  const parser = new SseParser();
  try {
    for await (const chunk of bodyChunks(res)) {
      const batch: StreamEvent[] = [];
      let failure: unknown;
      for (const event of parser.push(chunk)) {
        try {
          for (const e of decoder.decode(event)) batch.push(e);
        } catch (err) {
          failure = err;
          break;
        }
        if (decoder.done) break;
      }
      // Events before a failure in the same read still reach the caller, as they would one by one.
      if (batch.length > 0) yield batch;
      if (failure !== undefined) throw failure;
      if (decoder.done) return;
    }
    const last = decoder.end?.();
    if (last !== undefined) {
      if (last.length > 0) yield last;
      return;
    }
  } catch (err) {
    throw fromNetworkError(provider, err);
  } finally {
    settleBody(res, decoder.done);
  }
  throw new UpstreamError(provider, ProviderErrorReason.streamBroken, `the stream ended without ${decoder.terminal}`);
}
