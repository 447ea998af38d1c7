/**
 * A ConverseStream body as batches of OpenAI chunk events. The body is AWS event-stream framing
 * (binary messages: a length prelude, headers, a payload, CRCs), not SSE: this module only cuts
 * the bytes at each message's declared length and has `@smithy/eventstream-codec` decode and
 * check it. One batch per upstream read, as `stream-batches.ts` does for SSE providers; the
 * stream ends after the translator's terminal event and never on a cut connection.
 */
import { ProviderErrorReason } from '@llm-edge/semconv';
import { EventStreamCodec, type Message } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { StreamEvent } from '../types.js';
import { bodyChunks, settleBody, type UpstreamResponse } from '../upstream-client.js';
import { fromNetworkError, UpstreamError } from '../upstream-error.js';

/** One decoded message: its string headers (`:event-type`, `:message-type`, ...) and payload text. */
export interface StreamMessage {
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: string;
}

/** Maps event-stream messages to OpenAI chunk events. */
export interface MessageTranslator {
  /** The chunk events one message becomes; throws an UpstreamError on an exception message. */
  translate(message: StreamMessage): StreamEvent[];
  /** True once the terminal event went through `translate`. */
  readonly done: boolean;
  /** What a stream that ended before its terminal event lacked, for the error. */
  readonly terminal: string;
}

/** AWS caps an event-stream message at 16 MiB; a larger prelude is a corrupt stream. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** Prelude (total length, headers length, prelude CRC) plus the message CRC. */
const MIN_MESSAGE_BYTES = 16;

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** Cuts a byte stream into whole event-stream messages and decodes each with the codec. */
export class EventStreamMessages {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly provider: string) {}

  /** Feeds bytes; returns the messages they complete. Throws on a corrupt frame. */
  push(chunk: Buffer): StreamMessage[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const out: StreamMessage[] = [];
    let offset = 0;
    while (this.buffer.length - offset >= 4) {
      const length = this.buffer.readUInt32BE(offset);
      if (length < MIN_MESSAGE_BYTES || length > MAX_MESSAGE_BYTES) throw this.corrupt(`a message length of ${length} bytes`);
      if (this.buffer.length - offset < length) break;
      out.push(this.decode(this.buffer.subarray(offset, offset + length)));
      offset += length;
    }
    this.buffer = this.buffer.subarray(offset);
    return out;
  }

  private decode(frame: Buffer): StreamMessage {
    let message: Message;
    try {
      message = codec.decode(frame); // checks both CRCs
    } catch (err) {
      throw this.corrupt(String((err as Error).message ?? err));
    }
    const headers: Record<string, string> = {};
    for (const [name, header] of Object.entries(message.headers)) {
      if (header.type === 'string') headers[name] = header.value;
    }
    return { headers, payload: toUtf8(message.body) };
  }

  private corrupt(what: string): UpstreamError {
    return new UpstreamError(this.provider, ProviderErrorReason.streamBroken, `sent a corrupt event-stream frame (${what})`);
  }
}

/**
 * Reads a ConverseStream body into batches of chunk events, one batch per upstream read.
 * @example
 * for await (const batch of eventStreamBatches('bedrock', res, new ConverseStreamTranslator(...))) write(batch);
 */
export async function* eventStreamBatches(provider: string, res: UpstreamResponse, translator: MessageTranslator): AsyncGenerator<StreamEvent[]> {
  const messages = new EventStreamMessages(provider);
  try {
    for await (const chunk of bodyChunks(res)) {
      const batch: StreamEvent[] = [];
      let failure: unknown;
      try {
        for (const message of messages.push(chunk)) {
          batch.push(...translator.translate(message));
          if (translator.done) break;
        }
      } catch (err) {
        failure = err;
      }
      // Events before a failure in the same read still reach the caller, as they would one by one.
      if (batch.length > 0) yield batch;
      if (failure !== undefined) throw failure;
      if (translator.done) return;
    }
  } catch (err) {
    throw fromNetworkError(provider, err);
  } finally {
    settleBody(res, translator.done);
  }
  throw new UpstreamError(provider, ProviderErrorReason.streamBroken, `the stream ended without ${translator.terminal}`);
}
