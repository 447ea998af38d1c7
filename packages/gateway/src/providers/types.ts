/**
 * The one interface every provider adapter implements. The request path speaks OpenAI's
 * chat-completions shape; an adapter translates it to its provider's wire format and the
 * provider's answers (JSON and stream events) back.
 */
import type { ChatChunk, ChatCompletion, ChatRequest, EmbeddingsRequest, Usage } from '../api/types.js';
import type { ProviderType } from '../config/schema.js';
import type { DialectName } from '../dialects/types.js';
import type { Signal } from '../http/cancel.js';

export interface CallOptions {
  /** Aborted when the caller goes away or the attempt times out. */
  readonly signal: Signal;
  /** Headers to pass upstream as they are (`traceparent`, `x-request-id`). */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * The caller's body as received, when it is this request unchanged (the model asked for is
   * the target's): a provider that speaks OpenAI's format sends these bytes instead of
   * re-encoding what may be a long prompt. Never set for streams (the gateway adds to those).
   */
  readonly rawBody?: Buffer;
}

/** A complete JSON answer, already in OpenAI's shape. */
export interface JsonAnswer<T = unknown> {
  readonly kind: 'json';
  /** Bytes to send to the caller as they are. */
  readonly bytes: Buffer;
  readonly value: T;
  readonly usage: Usage | undefined;
}

/**
 * A streamed answer: OpenAI chunk payloads (the JSON after `data: `), in order, in batches (the
 * events of one upstream read, never empty). The iterator throws an UpstreamError when the
 * stream breaks or stalls; it ends after the provider's terminal event (never on a cut
 * connection).
 */
export interface StreamAnswer {
  readonly kind: 'stream';
  readonly events: AsyncIterator<StreamEvent[]>;
  /** Releases the upstream connection early (caller gone). */
  cancel(): void;
}

export interface StreamEvent {
  /** The chunk as JSON text, ready to frame as `data: ...`. */
  readonly payload: string;
  /** Parsed when the adapter had to parse it anyway (translation); else undefined. */
  readonly chunk?: ChatChunk;
  /** Usage carried by this event, when it carries any. */
  readonly usage?: Usage;
  /** True for the usage-only chunk (empty choices) some providers send last. */
  readonly usageOnly?: boolean;
}

export type ChatAnswer = JsonAnswer<ChatCompletion> | StreamAnswer;

/**
 * A request in a dialect the provider speaks itself (Anthropic Messages to Anthropic, OpenAI
 * Responses to OpenAI), sent as the caller wrote it so provider-only features survive
 * (`cache_control`, thinking blocks, `anthropic-beta`, reasoning items).
 */
export interface NativeCall {
  readonly dialect: DialectName;
  /** The endpoint within the dialect: `/v1/messages`, `/v1/messages/count_tokens`, `/v1/responses`. */
  readonly path: string;
  /** The body to send: the caller's bytes, or re-encoded with the target's model. */
  readonly body: Buffer | string;
  readonly stream: boolean;
  /** Caller headers the provider's API reads (`anthropic-version`, `anthropic-beta`), passed on. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The provider's answer in the dialect itself. A JSON answer is the provider's bytes (checked
 * to be a complete answer); a stream's events carry the provider's event payloads (the JSON of
 * each `data:`, whose `type` names the event), with the canonical usage on the events that
 * carry it. The same rules as `StreamAnswer`: the iterator throws an UpstreamError when the
 * stream breaks, and ends only after the provider's terminal event.
 */
export type NativeAnswer = JsonAnswer<Record<string, unknown>> | StreamAnswer;

export interface ProviderAdapter {
  /** The provider's name in the config (`openai`, `anthropic`, `local`, ...): a metric label. */
  readonly name: string;
  readonly type: ProviderType;
  /** Model ids this provider lists in `GET /v1/models`. */
  readonly models: readonly string[];
  /** The host requests go to (`server.address` on attempt spans). */
  readonly host: string;
  chat(request: ChatRequest, stream: boolean, options: CallOptions): Promise<ChatAnswer>;
  embeddings(request: EmbeddingsRequest, options: CallOptions): Promise<JsonAnswer>;
  /** The dialects this provider speaks natively (none: every dialect is translated to `chat`). */
  readonly nativeDialects?: readonly DialectName[];
  /** Sends a request in one of `nativeDialects` as it is. */
  native?(call: NativeCall, options: CallOptions): Promise<NativeAnswer>;
  close(): Promise<void>;
}
