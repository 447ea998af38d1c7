/**
 * Vertex AI: Google's models over the Gemini wire format (the Gemini adapter's translation, at
 * `/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:generateContent`
 * and `:streamGenerateContent?alt=sse`), Anthropic's Claude models (`claude-*`) over the
 * Messages format at `publishers/anthropic/models/{model}:rawPredict` / `:streamRawPredict`
 * (the Anthropic adapter's translation, `anthropic_version` in the body and no `model`), and
 * embeddings at `:predict`. Every request carries an OAuth2 access token from the configured
 * service-account key (token.ts).
 */
import { readFileSync } from 'node:fs';
import type { ChatCompletion, ChatRequest, EmbeddingsRequest } from '../../api/types.js';
import type { ProviderConfig } from '../../config/schema.js';
import { listedModels } from '../../telemetry/prices.js';
import { isCount } from '../answer-checks.js';
import { toAnthropicRequest } from '../anthropic/request.js';
import { toChatCompletion as anthropicCompletion, type AnthropicMessage } from '../anthropic/response.js';
import { messagesChatDecoder } from '../anthropic/stream.js';
import { MESSAGES_PATH, nativeJsonAnswer } from '../anthropic/native.js';
import { embeddingsAnswer, GeminiAdapter, modelSegment, textInputs } from '../gemini/index.js';
import { isObject } from '../gemini/response.js';
import { streamBatches } from '../stream-batches.js';
import type { CallOptions, ChatAnswer, JsonAnswer } from '../types.js';
import { discardBody } from '../upstream-client.js';
import { ServiceAccountTokenSource } from './token.js';
import type { Signal } from '../../http/cancel.js';

/** The Messages API version Vertex AI takes in the body of Claude requests. */
export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

/** Claude models Vertex AI lists (its ids carry the version after `@`), besides Google's own. */
export const VERTEX_CLAUDE_MODELS = ['claude-sonnet-4-5@20250929', 'claude-haiku-4-5@20251001', 'claude-opus-4-1@20250805'];

export class VertexAdapter extends GeminiAdapter {
  private readonly tokens: ServiceAccountTokenSource;
  private readonly project: string;
  private readonly location: string;

  constructor(name: string, config: ProviderConfig) {
    super(name, config, [...listedModels('google'), ...VERTEX_CLAUDE_MODELS]);
    const missing = (['location', 'credentialsFile'] as const).filter((f) => !config[f]);
    if (missing.length > 0) throw new Error(`providers.${name}: type vertex needs ${missing.join(', ')}`);
    // As Google's libraries do, the project defaults to the service account's own.
    const project = config.project ?? keyFileProject(config.credentialsFile!);
    if (!project) throw new Error(`providers.${name}: type vertex needs project (the key file ${config.credentialsFile} names none)`);
    this.project = encodeURIComponent(project);
    this.location = encodeURIComponent(config.location!);
    this.tokens = new ServiceAccountTokenSource(name, config.credentialsFile!, { timeoutMs: config.timeouts.connectMs + config.timeouts.firstByteMs });
  }

  override chat(request: ChatRequest, stream: boolean, options: CallOptions): Promise<ChatAnswer> {
    return isClaude(request.model) ? this.claude(request, stream, options) : super.chat(request, stream, options);
  }

  /** Text embedding models on Vertex answer `:predict` with a token count per input. */
  override async embeddings(request: EmbeddingsRequest, options: CallOptions): Promise<JsonAnswer> {
    const inputs = textInputs(request);
    const body: Record<string, unknown> = { instances: inputs.map((content) => ({ content })) };
    if (typeof request.dimensions === 'number') body.parameters = { outputDimensionality: request.dimensions };
    const res = await this.send(this.modelPath(request.model, 'predict'), JSON.stringify(body), options);
    const answer = await this.readJson(res, (v) => predictions(v) !== undefined, 'predictions');
    const { vectors, tokens } = predictions(answer)!;
    return embeddingsAnswer(this.name, request, vectors, inputs.length, tokens);
  }

  protected override modelPath(model: string, method: string, publisher = 'google'): string {
    return `/v1/projects/${this.project}/locations/${this.location}/publishers/${publisher}/models/${modelSegment(model)}:${method}`;
  }

  protected override async authHeaders(signal: Signal): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await this.tokens.token(signal)}` };
  }

  protected override credentialsRefused(headers: Record<string, string>): boolean {
    const bearer = headers.authorization;
    if (!bearer?.startsWith('Bearer ')) return false;
    this.tokens.invalidate(bearer.slice('Bearer '.length));
    return true;
  }

  /** Claude through the Anthropic translation, in Vertex's rawPredict envelope. */
  private async claude(request: ChatRequest, stream: boolean, options: CallOptions): Promise<ChatAnswer> {
    const { model: _model, ...messages } = toAnthropicRequest(request, stream);
    const body = JSON.stringify({ anthropic_version: VERTEX_ANTHROPIC_VERSION, ...messages });
    const res = await this.send(this.modelPath(request.model, stream ? 'streamRawPredict' : 'rawPredict', 'anthropic'), body, options);
    if (stream) return { kind: 'stream', events: streamBatches(this.name, res, messagesChatDecoder(this.name)), cancel: () => discardBody(res) };
    const { value } = nativeJsonAnswer(this.name, MESSAGES_PATH, res.status, await this.client.readAll(res));
    const completion: ChatCompletion = anthropicCompletion(value as unknown as AnthropicMessage);
    return { kind: 'json', bytes: Buffer.from(JSON.stringify(completion)), value: completion, usage: completion.usage };
  }
}

/** `claude-*` models are Anthropic's (publishers/anthropic); every other model is Google's. */
export function isClaude(model: string): boolean {
  return model.startsWith('claude-');
}

/** `project_id` of a service-account key file, if it can be read (nothing else is kept). */
function keyFileProject(file: string): string | undefined {
  try {
    const id = (JSON.parse(readFileSync(file, 'utf8')) as { project_id?: unknown }).project_id;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}

function predictions(answer: Record<string, unknown>): { vectors: number[][]; tokens: number | undefined } | undefined {
  if (!Array.isArray(answer.predictions)) return undefined;
  const vectors: number[][] = [];
  let tokens = 0;
  let counted = true;
  for (const p of answer.predictions) {
    const e = isObject(p) && isObject(p.embeddings) ? p.embeddings : undefined;
    if (!e || !Array.isArray(e.values) || !e.values.every((n) => typeof n === 'number')) return undefined;
    vectors.push(e.values as number[]);
    const count = isObject(e.statistics) ? e.statistics.token_count : undefined;
    if (isCount(count)) tokens += count;
    else counted = false;
  }
  return { vectors, tokens: counted ? tokens : undefined };
}
