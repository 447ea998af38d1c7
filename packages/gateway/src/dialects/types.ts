/**
 * What a client dialect is: an ingress codec between the wire format a client speaks (OpenAI
 * Chat Completions, Anthropic Messages, OpenAI Responses) and the gateway's canonical form (the
 * OpenAI chat-completions shape of `api/types.ts`). The pipeline decodes a caller's body with
 * its dialect, runs every step on the canonical request, and encodes the canonical answer (a
 * chat.completion, or a stream of chat.completion.chunk payloads) back into the dialect.
 *
 * A dialect never does I/O: every function here is pure, so each is unit-tested with values.
 */
import type { ChatChunk, ChatCompletion, ChatRequest, Usage } from '../api/types.js';
import type { GatewayError } from '../http/errors.js';

export type DialectName = 'chat' | 'messages' | 'responses';

/** A caller's request decoded and validated, in canonical form. */
export interface Decoded {
  /** The canonical request every step after decoding reads. */
  readonly canonical: ChatRequest;
  /** The model the caller asked for (routing, limits, labels). */
  readonly model: string;
  /** True when the caller asked for a stream. */
  readonly stream: boolean;
  /** Streams only: whether the caller wants the usage the dialect carries at the end of a stream. */
  readonly includeUsage: boolean;
}

/** Turns one answer's canonical chunks into the dialect's stream event payloads, in order. */
export interface StreamEncoder {
  /** The payloads one canonical chunk becomes (often one, sometimes none or several). */
  push(chunk: ChatChunk): string[];
  /** The payloads that close the stream once the canonical stream ended, with its usage. */
  end(usage: Usage | undefined): string[];
}

export interface Dialect<D extends Decoded = Decoded> {
  readonly name: DialectName;
  /**
   * Validates and decodes a parsed JSON body.
   * @throws GatewayError 400 whose `param` names the bad field in the dialect's own terms
   */
  decode(body: Record<string, unknown>): D;
  /** A complete canonical answer as the dialect's JSON answer (bytes to send). */
  encodeJson(completion: ChatCompletion, request: D): string;
  /** An encoder for one streamed answer. */
  streamEncoder(request: D): StreamEncoder;
  /** One event payload framed for SSE (`event: <type>\ndata: <payload>\n\n`, or data only). */
  frame(payload: string): string;
  /** Bytes after the last event of a complete stream (`data: [DONE]\n\n` for chat, else ''). */
  readonly streamEnd: string;
  /**
   * A stored or live event this caller did not ask for (chat's usage-only chunk without
   * `stream_options.include_usage`): kept in the cache, left out of the caller's stream.
   */
  omits?(payload: string, request: D): boolean;
  /** A stored JSON answer of this dialect as its stream event payloads (a cached answer replayed to a streaming caller). */
  jsonToEvents(body: Buffer): string[];
  /** A complete stream's event payloads as this dialect's JSON answer (a cached stream served to a JSON caller). */
  eventsToJson(events: readonly string[]): Buffer;
  /** The error body in this dialect's shape. */
  errorBody(error: GatewayError): string;
  /** The SSE bytes that end a stream that failed after it started, in this dialect's shape. */
  streamErrorFrame(error: GatewayError): string;
}
