/**
 * Anthropic's Messages API behind the OpenAI shape: translate the request, call `/v1/messages`,
 * translate the answer or the stream back.
 */
import { ProviderErrorReason } from '@llm-edge/semconv';
import type { ChatCompletion, ChatRequest } from '../../api/types.js';
import type { ProviderConfig } from '../../config/schema.js';
import { GatewayError } from '../../http/errors.js';
import { listedModels } from '../../telemetry/prices.js';
import type { DialectName } from '../../dialects/types.js';
import type { CallOptions, ChatAnswer, JsonAnswer, NativeAnswer, NativeCall, ProviderAdapter, StreamEvent } from '../types.js';
import { streamBatches } from '../stream-batches.js';
import { discardBody, UpstreamClient, type UpstreamResponse } from '../upstream-client.js';
import { UpstreamError } from '../upstream-error.js';
import { toAnthropicRequest } from './request.js';
import { toChatCompletion, type AnthropicMessage } from './response.js';
import { messagesChatDecoder } from './stream.js';
import { COUNT_TOKENS_PATH, MESSAGES_PATH, NativeMessagesStream, nativeJsonAnswer } from './native.js';

export class AnthropicAdapter implements ProviderAdapter {
  readonly type = 'anthropic' as const;
  readonly models: readonly string[];
  readonly nativeDialects: readonly DialectName[] = ['messages'];
  private readonly client: UpstreamClient;

  constructor(
    readonly name: string,
    private readonly config: ProviderConfig,
  ) {
    this.models = config.models.length > 0 ? config.models : listedModels('anthropic');
    this.client = new UpstreamClient(name, config);
  }

  get host(): string {
    return this.client.host;
  }

  async chat(request: ChatRequest, stream: boolean, options: CallOptions): Promise<ChatAnswer> {
    const body = JSON.stringify(toAnthropicRequest(request, stream));
    if (stream) {
      const res = await this.client.post('/v1/messages', body, this.headers(options), options.signal);
      if (res.status < 200 || res.status >= 300) throw await this.client.failure(res);
      return { kind: 'stream', events: this.events(res), cancel: () => discardBody(res) };
    }
    const res = await this.client.postWhole('/v1/messages', body, this.headers(options), options.signal);
    // The same completeness check as a native answer: a cut body or a 200 error is a provider failure.
    const { value } = nativeJsonAnswer(this.name, MESSAGES_PATH, res.status, res.bytes);
    const completion: ChatCompletion = toChatCompletion(value as unknown as AnthropicMessage);
    return { kind: 'json', bytes: Buffer.from(JSON.stringify(completion)), value: completion, usage: completion.usage };
  }

  /** A Messages request sent as the caller wrote it (see native.ts). */
  async native(call: NativeCall, options: CallOptions): Promise<NativeAnswer> {
    if (call.dialect !== 'messages' || (call.path !== MESSAGES_PATH && call.path !== COUNT_TOKENS_PATH)) {
      const error = new GatewayError(404, 'not_found_error', `Provider ${this.name} does not serve ${call.dialect} ${call.path} natively.`);
      throw new UpstreamError(this.name, ProviderErrorReason.client, error.message, 404, undefined, error);
    }
    const headers = this.headers(options, call.headers['anthropic-version'] || undefined);
    const beta = call.headers['anthropic-beta'];
    if (beta) headers['anthropic-beta'] = beta;
    if (call.stream && call.path === MESSAGES_PATH) {
      const res = await this.client.post(call.path, call.body, headers, options.signal);
      if (res.status < 200 || res.status >= 300) throw await this.client.failure(res);
      return { kind: 'stream', events: streamBatches(this.name, res, new NativeMessagesStream(this.name)), cancel: () => discardBody(res) };
    }
    const res = await this.client.postWhole(call.path, call.body, headers, options.signal);
    return nativeJsonAnswer(this.name, call.path, res.status, res.bytes);
  }

  embeddings(): Promise<JsonAnswer> {
    const error = new GatewayError(400, 'invalid_request_error', `Provider ${this.name} has no embeddings endpoint.`, 'model', 'unsupported_model');
    return Promise.reject(new UpstreamError(this.name, ProviderErrorReason.client, error.message, 400, undefined, error));
  }

  close(): Promise<void> {
    return this.client.close();
  }

  /** The caller's `anthropic-version` wins on the native path: their body is written for it. */
  private headers(options: CallOptions, version = this.config.apiVersion): Record<string, string> {
    const headers: Record<string, string> = { ...options.headers, 'anthropic-version': version };
    if (this.config.apiKey) headers['x-api-key'] = this.config.apiKey;
    return headers;
  }

  private events(res: UpstreamResponse): AsyncGenerator<StreamEvent[]> {
    return streamBatches(this.name, res, messagesChatDecoder(this.name));
  }
}
