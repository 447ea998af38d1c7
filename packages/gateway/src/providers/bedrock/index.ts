/**
 * Amazon Bedrock Runtime's Converse API behind the OpenAI shape: translate the request, sign
 * it (SigV4 or a Bedrock API key), call `/model/{modelId}/converse` or `/converse-stream`, and
 * translate the answer or the event stream back.
 */
import { randomUUID } from 'node:crypto';
import { ProviderErrorReason } from '@llm-edge/semconv';
import type { ChatCompletion, ChatRequest } from '../../api/types.js';
import type { ProviderConfig } from '../../config/schema.js';
import { GatewayError } from '../../http/errors.js';
import { listedModels } from '../../telemetry/prices.js';
import { parseObject } from '../answer-checks.js';
import type { CallOptions, ChatAnswer, JsonAnswer, ProviderAdapter } from '../types.js';
import { discardBody, UpstreamClient, type UpstreamResponse } from '../upstream-client.js';
import { UpstreamError } from '../upstream-error.js';
import { bedrockFailure } from './errors.js';
import { eventStreamBatches } from './event-stream.js';
import { toConverseRequest } from './request.js';
import { isConverseAnswer, toChatCompletion } from './response.js';
import { bedrockSigner, type RequestSigner } from './signing.js';
import { ConverseStreamTranslator } from './stream.js';

export class BedrockAdapter implements ProviderAdapter {
  readonly type = 'bedrock' as const;
  readonly models: readonly string[];
  private readonly client: UpstreamClient;
  private readonly signer: RequestSigner;
  /** The base URL's path, which the signature covers with the rest of the path. */
  private readonly basePath: string;
  private readonly signedHost: string;

  constructor(
    readonly name: string,
    config: ProviderConfig,
  ) {
    // The router lists and reaches them as `<provider>/<modelId>`.
    this.models = config.models.length > 0 ? config.models : listedModels('bedrock');
    this.signer = bedrockSigner(name, config);
    this.client = new UpstreamClient(name, config);
    const base = new URL(config.baseUrl);
    this.basePath = base.pathname.replace(/\/+$/, '');
    this.signedHost = base.host;
  }

  get host(): string {
    return this.client.host;
  }

  async chat(request: ChatRequest, stream: boolean, options: CallOptions): Promise<ChatAnswer> {
    const { body, answerTool } = toConverseRequest(request);
    // Model ids contain ':' (and ARNs '/'): one encoded path segment.
    const path = `/model/${encodeURIComponent(request.model)}/${stream ? 'converse-stream' : 'converse'}`;
    const text = JSON.stringify(body);
    const auth = await this.signer.headers(this.basePath + path, text);
    const headers: Record<string, string> = { ...options.headers, ...auth, host: this.signedHost };
    if (stream) headers.accept = 'application/vnd.amazon.eventstream';
    const res = await this.client.post(path, text, headers, options.signal);
    if (res.status < 200 || res.status >= 300) {
      throw bedrockFailure(this.name, res.status, res.headers, await this.client.readAll(res).catch(() => Buffer.alloc(0)));
    }
    const id = `chatcmpl-${requestId(res)}`;
    if (stream) {
      const translator = new ConverseStreamTranslator(this.name, id, request.model, answerTool);
      return { kind: 'stream', events: eventStreamBatches(this.name, res, translator), cancel: () => discardBody(res) };
    }
    const answer = parseObject((await this.client.readAll(res)).toString('utf8'));
    // A cut body or an error object sent with 200 is a provider failure, never an answer.
    if (!answer || !isConverseAnswer(answer)) {
      const what = !answer ? 'a body that is not a whole JSON object' : typeof answer.message === 'string' ? 'an error object' : 'an incomplete answer';
      throw new UpstreamError(this.name, ProviderErrorReason.server, `answered HTTP ${res.status} with ${what}`);
    }
    const completion: ChatCompletion = toChatCompletion(answer, id, request.model, answerTool);
    return { kind: 'json', bytes: Buffer.from(JSON.stringify(completion)), value: completion, usage: completion.usage };
  }

  embeddings(): Promise<JsonAnswer> {
    const error = new GatewayError(400, 'invalid_request_error', `Provider ${this.name} has no embeddings endpoint.`, 'model', 'unsupported_model');
    return Promise.reject(new UpstreamError(this.name, ProviderErrorReason.client, error.message, 400, undefined, error));
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** Bedrock's request id names the answer, so a completion can be traced in AWS's logs. */
function requestId(res: UpstreamResponse): string {
  const v = res.headers['x-amzn-requestid'];
  return (Array.isArray(v) ? v[0] : v) || randomUUID();
}
