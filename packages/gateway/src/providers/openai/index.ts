/**
 * OpenAI and every server that speaks its API (vLLM, Ollama, LM Studio, ...): the canonical shape
 * is theirs, so requests pass with the target model swapped in and answers pass back as bytes.
 * OpenAI itself also speaks the Responses dialect natively (`responses-native.ts`).
 */
import { ProviderErrorReason } from '@llm-edge/semconv';
import type { ChatCompletion, ChatRequest, EmbeddingsRequest } from '../../api/types.js';
import { checkedUsage, isChatChunk, isChatCompletion, isEmbeddingsAnswer, parseObject } from '../answer-checks.js';
import type { ProviderConfig } from '../../config/schema.js';
import type { DialectName } from '../../dialects/types.js';
import { listedModels } from '../../telemetry/prices.js';
import type { CallOptions, ChatAnswer, JsonAnswer, NativeAnswer, NativeCall, ProviderAdapter, StreamEvent } from '../types.js';
import { streamBatches } from '../stream-batches.js';
import { discardBody, UpstreamClient, type UpstreamResponse, type WholeResponse } from '../upstream-client.js';
import { UpstreamError } from '../upstream-error.js';
import { NativeResponsesStream, nativeResponsesJson, RESPONSES_PATH } from './responses-native.js';

export class OpenAIAdapter implements ProviderAdapter {
  readonly type: ProviderConfig['type'];
  readonly models: readonly string[];
  /** Only OpenAI itself: OpenAI-compatible servers rarely have `/v1/responses`, so they are translated to chat. */
  readonly nativeDialects: readonly DialectName[];
  protected readonly client: UpstreamClient;

  constructor(
    readonly name: string,
    protected readonly config: ProviderConfig,
  ) {
    this.type = config.type;
    this.models = config.models.length > 0 || config.type !== 'openai' ? config.models : listedModels('openai');
    this.client = new UpstreamClient(name, config);
    this.nativeDialects = config.type === 'openai' ? ['responses'] : [];
  }

  get host(): string {
    return this.client.host;
  }

  async chat(request: ChatRequest, stream: boolean, options: CallOptions): Promise<ChatAnswer> {
    // Usage is always asked for upstream so tokens and cost are counted; a caller that did not
    // ask for it does not get the usage-only chunk (the handler drops it).
    const body = stream
      ? JSON.stringify({ ...request, stream: true, stream_options: { ...request.stream_options, include_usage: true } })
      : (options.rawBody ?? JSON.stringify({ ...request, stream: false }));
    if (!stream) return this.json<ChatCompletion>(await this.client.postWhole(this.chatPath(request.model), body, this.headers(options), options.signal), isChatCompletion);
    const res = await this.client.post(this.chatPath(request.model), body, this.headers(options), options.signal);
    if (res.status < 200 || res.status >= 300) throw await this.client.failure(res);
    return { kind: 'stream', events: this.events(res), cancel: () => discardBody(res) };
  }

  async embeddings(request: EmbeddingsRequest, options: CallOptions): Promise<JsonAnswer> {
    const res = await this.client.postWhole(this.embeddingsPath(request.model), options.rawBody ?? JSON.stringify(request), this.headers(options), options.signal);
    return this.json(res, isEmbeddingsAnswer);
  }

  /**
   * A Responses request sent as it is to `<baseUrl>/responses` (the base URL ends in `/v1`).
   * JSON answers are checked to be a finished response; streams pass OpenAI's events on, ending
   * after response.completed / response.incomplete, with usage on that event.
   */
  async native(call: NativeCall, options: CallOptions): Promise<NativeAnswer> {
    if (call.dialect !== 'responses' || call.path !== RESPONSES_PATH || !this.nativeDialects.includes('responses')) {
      throw new Error(`provider ${this.name} does not serve ${call.dialect} ${call.path} natively`);
    }
    const headers = { ...call.headers, ...this.headers(options) };
    const path = call.path.slice('/v1'.length);
    if (!call.stream) {
      const whole = await this.client.postWhole(path, call.body, headers, options.signal);
      return nativeResponsesJson(this.name, whole.status, whole.bytes);
    }
    const res = await this.client.post(path, call.body, headers, options.signal);
    if (res.status < 200 || res.status >= 300) throw await this.client.failure(res);
    return { kind: 'stream', events: streamBatches(this.name, res, new NativeResponsesStream(this.name)), cancel: () => discardBody(res) };
  }

  close(): Promise<void> {
    return this.client.close();
  }

  /** Where chat requests go under the base URL; Azure's path names the deployment. */
  protected chatPath(_model: string): string {
    return '/chat/completions';
  }

  protected embeddingsPath(_model: string): string {
    return '/embeddings';
  }

  protected headers(options: CallOptions): Record<string, string> {
    const headers: Record<string, string> = Object.assign({}, options.headers); // not a spread: see pipeline/headers.ts
    if (this.config.apiKey) headers.authorization = `Bearer ${this.config.apiKey}`;
    return headers;
  }

  /**
   * A JSON answer passes through as the bytes received, once it parsed whole and has the shape
   * `complete` asks for: a body cut short or an error object sent with 200 is a provider
   * failure, never an answer passed on or cached.
   */
  private json<T>(res: WholeResponse, complete: (answer: Record<string, unknown>) => boolean): JsonAnswer<T> {
    const bytes = res.bytes;
    const answer = parseObject(bytes.toString('utf8'));
    if (!answer || !complete(answer)) {
      const what = !answer ? 'a body that is not a whole JSON object' : isObject(answer.error) ? 'an error object' : 'an incomplete answer';
      throw new UpstreamError(this.name, ProviderErrorReason.server, `answered HTTP ${res.status} with ${what}`);
    }
    return { kind: 'json', bytes, value: answer as T, usage: checkedUsage(answer.usage) };
  }

  private events(res: UpstreamResponse): AsyncGenerator<StreamEvent[]> {
    let done = false;
    return streamBatches(this.name, res, {
      terminal: 'its terminal event',
      get done() {
        return done;
      },
      decode: ({ data }) => {
        if (data !== '[DONE]') return [this.event(data)];
        done = true;
        return [];
      },
    });
  }

  private event(payload: string): StreamEvent {
    const chunk = parseObject(payload);
    if (chunk && isObject(chunk.error)) {
      const message = typeof chunk.error.message === 'string' ? chunk.error.message : 'stream error';
      throw new UpstreamError(this.name, ProviderErrorReason.streamBroken, message);
    }
    if (!chunk || !isChatChunk(chunk)) throw new UpstreamError(this.name, ProviderErrorReason.streamBroken, 'sent a malformed stream chunk');
    if (chunk.usage === undefined || chunk.usage === null) return { payload };
    const choices = chunk.choices as unknown[];
    return { payload, usage: checkedUsage(chunk.usage), usageOnly: choices.length === 0 };
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
