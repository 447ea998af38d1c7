/**
 * The Gemini API (generativelanguage.googleapis.com) behind the OpenAI shape:
 * `POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent?alt=sse` with the key
 * in `x-goog-api-key`, `:embedContent` / `:batchEmbedContents` for embeddings. Vertex AI speaks
 * the same wire format at other paths with an OAuth token: it extends this class and overrides
 * `modelPath` and `authHeaders` (vertex/index.ts).
 */
import { ProviderErrorReason } from '@llm-edge/semconv';
import type { ChatCompletion, ChatRequest, EmbeddingsRequest } from '../../api/types.js';
import type { ProviderConfig, ProviderType } from '../../config/schema.js';
import { badRequest, GatewayError } from '../../http/errors.js';
import { listedModels } from '../../telemetry/prices.js';
import { estimateEmbeddingTokens } from '../../telemetry/tokens.js';
import { parseObject } from '../answer-checks.js';
import { streamBatches } from '../stream-batches.js';
import type { CallOptions, ChatAnswer, JsonAnswer, ProviderAdapter } from '../types.js';
import { discardBody, UpstreamClient, type UpstreamResponse } from '../upstream-client.js';
import { UpstreamError } from '../upstream-error.js';
import { googleFailure } from './errors.js';
import { toGeminiRequest } from './request.js';
import { isGenerateContentResponse, isObject, toChatCompletion } from './response.js';
import { GeminiStreamTranslator } from './stream.js';
import type { Signal } from '../../http/cancel.js';

export class GeminiAdapter implements ProviderAdapter {
  readonly type: ProviderType;
  readonly models: readonly string[];
  protected readonly client: UpstreamClient;

  constructor(
    readonly name: string,
    protected readonly config: ProviderConfig,
    defaultModels: readonly string[] = listedModels('google'),
  ) {
    this.type = config.type;
    this.models = config.models.length > 0 ? config.models : defaultModels;
    this.client = new UpstreamClient(name, config);
  }

  get host(): string {
    return this.client.host;
  }

  async chat(request: ChatRequest, stream: boolean, options: CallOptions): Promise<ChatAnswer> {
    const body = JSON.stringify(toGeminiRequest(request));
    const path = this.modelPath(request.model, stream ? 'streamGenerateContent?alt=sse' : 'generateContent');
    const res = await this.send(path, body, options);
    if (stream) {
      return { kind: 'stream', events: streamBatches(this.name, res, new GeminiStreamTranslator(this.name, request.model)), cancel: () => discardBody(res) };
    }
    const answer = await this.readJson(res, isGenerateContentResponse, 'an answer');
    const completion: ChatCompletion = toChatCompletion(answer, request.model);
    return { kind: 'json', bytes: Buffer.from(JSON.stringify(completion)), value: completion, usage: completion.usage };
  }

  /** One input: `:embedContent`; several: `:batchEmbedContents`. Text inputs only. */
  async embeddings(request: EmbeddingsRequest, options: CallOptions): Promise<JsonAnswer> {
    const inputs = textInputs(request);
    const single = typeof request.input === 'string';
    const dimensions = typeof request.dimensions === 'number' ? { outputDimensionality: request.dimensions } : {};
    const content = (text: string) => ({ content: { parts: [{ text }] }, ...dimensions });
    const model = modelSegment(request.model);
    const body = single ? content(inputs[0]!) : { requests: inputs.map((text) => ({ model: `models/${model}`, ...content(text) })) };
    const res = await this.send(this.modelPath(request.model, single ? 'embedContent' : 'batchEmbedContents'), JSON.stringify(body), options);
    const answer = await this.readJson(res, (v) => vectorsOf(v, single) !== undefined, 'embeddings');
    return embeddingsAnswer(this.name, request, vectorsOf(answer, single)!, inputs.length);
  }

  close(): Promise<void> {
    return this.client.close();
  }

  /** The request path of a model method (`generateContent`, `streamGenerateContent?alt=sse`, ...). */
  protected modelPath(model: string, method: string): string {
    return `/v1beta/models/${modelSegment(model)}:${method}`;
  }

  /** Credentials for one request. */
  protected authHeaders(_signal: Signal): Promise<Record<string, string>> | Record<string, string> {
    return this.config.apiKey ? { 'x-goog-api-key': this.config.apiKey } : {};
  }

  /**
   * The provider refused the credentials a request carried (401). Returns true when new ones may
   * be accepted (Vertex drops its cached token: it was revoked, or the clocks disagree), so the
   * request is sent once more with them.
   */
  protected credentialsRefused(_headers: Record<string, string>): boolean {
    return false;
  }

  /** POSTs with credentials; a non-2xx answer becomes an UpstreamError. */
  protected async send(path: string, body: string, options: CallOptions, retried = false): Promise<UpstreamResponse> {
    const auth = await this.authHeaders(options.signal);
    const res = await this.client.post(path, body, { ...options.headers, ...auth }, options.signal);
    if (res.status >= 200 && res.status < 300) return res;
    const bytes = await this.client.readAll(res).catch(() => Buffer.alloc(0));
    if (res.status === 401 && this.credentialsRefused(auth) && !retried) return this.send(path, body, options, true);
    throw googleFailure(this.name, res.status, res.headers, bytes);
  }

  /** A 200's body as a whole JSON object of the expected shape; else a provider failure. */
  protected async readJson(res: UpstreamResponse, whole: (v: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>> {
    const value = parseObject((await this.client.readAll(res)).toString('utf8'));
    if (!value || !whole(value)) {
      const got = !value ? 'a body that is not a whole JSON object' : isObject(value.error) ? 'an error object' : `something other than ${what}`;
      throw new UpstreamError(this.name, ProviderErrorReason.server, `answered HTTP ${res.status} with ${got}`);
    }
    return value;
  }
}

/**
 * A model id as one path segment: `models/` dropped (Google's own ids carry it), everything but
 * `@` (Vertex's version separator) percent-encoded, so a caller's model cannot reach another path.
 */
export function modelSegment(model: string): string {
  const id = model.startsWith('models/') ? model.slice('models/'.length) : model;
  return encodeURIComponent(id).replace(/%40/g, '@');
}

export function textInputs(request: EmbeddingsRequest): string[] {
  const input = request.input;
  const inputs = typeof input === 'string' ? [input] : Array.isArray(input) && input.every((x) => typeof x === 'string') ? (input as string[]) : undefined;
  if (!inputs) throw badRequest('Gemini embedding models take text input only (a string or an array of strings).', 'input', 'unsupported_value');
  if (inputs.length === 0) throw badRequest('input must not be empty.', 'input', 'invalid_value');
  return inputs;
}

function vectorsOf(answer: Record<string, unknown>, single: boolean): number[][] | undefined {
  const list = single ? [answer.embedding] : answer.embeddings;
  if (!Array.isArray(list)) return undefined;
  const vectors: number[][] = [];
  for (const e of list) {
    if (!isObject(e) || !Array.isArray(e.values) || !e.values.every((n) => typeof n === 'number')) return undefined;
    vectors.push(e.values as number[]);
  }
  return vectors;
}

/** OpenAI's embeddings list; base64 is little-endian float32, as OpenAI encodes it. */
export function embeddingsAnswer(provider: string, request: EmbeddingsRequest, vectors: number[][], expected: number, promptTokens?: number): JsonAnswer {
  if (vectors.length !== expected) {
    throw new UpstreamError(provider, ProviderErrorReason.server, `answered ${vectors.length} embeddings for ${expected} inputs`);
  }
  const base64 = request.encoding_format === 'base64';
  const data = vectors.map((values, index) => ({ object: 'embedding', index, embedding: base64 ? toBase64(values) : values }));
  // Google reports no token count for embeddings: the body carries the gateway's estimate, and the
  // answer no usage, so metrics mark it estimated.
  const tokens = promptTokens ?? estimateEmbeddingTokens(request);
  const value = { object: 'list', data, model: request.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
  return { kind: 'json', bytes: Buffer.from(JSON.stringify(value)), value, usage: promptTokens === undefined ? undefined : { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens } };
}

function toBase64(values: readonly number[]): string {
  const bytes = Buffer.allocUnsafe(values.length * 4);
  values.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  return bytes.toString('base64');
}

/** A provider-side refusal that needs no round trip. */
export function unsupported(provider: string, message: string, param: string): UpstreamError {
  const error = new GatewayError(400, 'invalid_request_error', message, param, 'unsupported_model');
  return new UpstreamError(provider, ProviderErrorReason.client, message, 400, undefined, error);
}
