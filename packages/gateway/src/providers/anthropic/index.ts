/**
 * Anthropic's Messages API behind the OpenAI shape: translate the request, call `/v1/messages`,
 * translate the answer or the stream back.
 */
import { ProviderErrorReason } from '@llm-edge/semconv';
import type { ChatCompletion, ChatRequest } from '../../api/types.js';
import type { ProviderConfig } from '../../config/schema.js';
import { GatewayError } from '../../http/errors.js';
import { listedModels } from '../../telemetry/prices.js';
import type { CallOptions, ChatAnswer, JsonAnswer, ProviderAdapter, StreamEvent } from '../types.js';
import { streamBatches } from '../stream-batches.js';
import { discardBody, UpstreamClient, type UpstreamResponse } from '../upstream-client.js';
import { UpstreamError } from '../upstream-error.js';
import { toAnthropicRequest } from './request.js';
import { isAnthropicMessage, toChatCompletion } from './response.js';
import { parseObject } from '../answer-checks.js';
import { AnthropicStreamTranslator } from './stream.js';

export class AnthropicAdapter implements ProviderAdapter {
  readonly type = 'anthropic' as const;
  readonly models: readonly string[];
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
    const res = await this.client.post('/v1/messages', body, this.headers(options), options.signal);
    if (res.status < 200 || res.status >= 300) throw await this.client.failure(res);
    if (stream) return { kind: 'stream', events: this.events(res), cancel: () => discardBody(res) };
    const bytes = await this.client.readAll(res);
    const message = parseObject(bytes.toString('utf8'));
    // A body cut short or an error sent with 200 is a provider failure, never an answer.
    if (!message || !isAnthropicMessage(message)) {
      throw new UpstreamError(this.name, ProviderErrorReason.server, `answered HTTP ${res.status} with ${message ? 'something other than a message' : 'a body that is not a whole JSON object'}`);
    }
    const completion: ChatCompletion = toChatCompletion(message);
    return { kind: 'json', bytes: Buffer.from(JSON.stringify(completion)), value: completion, usage: completion.usage };
  }

  embeddings(): Promise<JsonAnswer> {
    const error = new GatewayError(400, 'invalid_request_error', `Provider ${this.name} has no embeddings endpoint.`, 'model', 'unsupported_model');
    return Promise.reject(new UpstreamError(this.name, ProviderErrorReason.client, error.message, 400, undefined, error));
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private headers(options: CallOptions): Record<string, string> {
    const headers: Record<string, string> = { ...options.headers, 'anthropic-version': this.config.apiVersion };
    if (this.config.apiKey) headers['x-api-key'] = this.config.apiKey;
    return headers;
  }

  private events(res: UpstreamResponse): AsyncGenerator<StreamEvent[]> {
    const translator = new AnthropicStreamTranslator(this.name);
    return streamBatches(this.name, res, {
      terminal: 'message_stop',
      get done() {
        return translator.done;
      },
      decode: ({ event, data }) => translator.translate(event, data),
    });
  }
}
