/**
 * Azure OpenAI: OpenAI's wire format at Azure's URLs, so it is the OpenAI adapter with its paths
 * and auth swapped. `apiMode: deployments` (default) calls
 * `{endpoint}/openai/deployments/{deployment}/chat/completions?api-version=...`; `apiMode: v1`
 * calls `{endpoint}/openai/v1/chat/completions` with the deployment as `model`. Auth is
 * `api-key`, or `Authorization: Bearer` with an Entra ID token (entra-token.ts). Azure's extra
 * fields (`prompt_filter_results`, `content_filter_results`) pass through, and its content
 * filter already speaks OpenAI's shape: a filtered prompt is a 400 with `code: content_filter`
 * (passed to the caller as it is), a filtered completion a 200 with `finish_reason: content_filter`.
 */
import type { ChatRequest, EmbeddingsRequest } from '../../api/types.js';
import type { ProviderConfig } from '../../config/schema.js';
import type { DialectName } from '../../dialects/types.js';
import { OpenAIAdapter } from '../openai/index.js';
import type { CallOptions, ChatAnswer, JsonAnswer } from '../types.js';
import { EntraToken } from './entra-token.js';

export class AzureOpenAIAdapter extends OpenAIAdapter {
  /** Responses goes translated to chat: Azure's /openai/v1/responses is not wired or tested here. */
  override readonly nativeDialects: readonly DialectName[] = [];
  private readonly token: EntraToken | undefined;
  private readonly apiVersion: string;

  constructor(name: string, config: ProviderConfig) {
    // The models it lists are the names its deployment map knows (listed as azure/<model>).
    super(name, { ...config, models: config.models.length > 0 ? config.models : Object.keys(config.deployments) });
    this.apiVersion = encodeURIComponent(config.apiVersion);
    const entra = { token: config.adToken, file: config.adTokenFile };
    this.token = config.apiKey === undefined && (entra.token !== undefined || entra.file !== undefined) ? new EntraToken(name, entra) : undefined;
  }

  override chat(request: ChatRequest, stream: boolean, options: CallOptions): Promise<ChatAnswer> {
    const [upstream, opts] = this.forDeployment(request, options);
    return super.chat(upstream, stream, opts);
  }

  override embeddings(request: EmbeddingsRequest, options: CallOptions): Promise<JsonAnswer> {
    const [upstream, opts] = this.forDeployment(request, options);
    return super.embeddings(upstream, opts);
  }

  /** A model's deployment: its entry in `deployments`, else the name itself (`azure/<deployment>`). */
  deployment(model: string): string {
    return this.config.deployments[model] ?? model;
  }

  protected override chatPath(model: string): string {
    return this.path(model, 'chat/completions');
  }

  protected override embeddingsPath(model: string): string {
    return this.path(model, 'embeddings');
  }

  protected override headers(options: CallOptions): Record<string, string> {
    const headers: Record<string, string> = Object.assign({}, options.headers); // not a spread: see pipeline/headers.ts
    if (this.token) headers.authorization = `Bearer ${this.token.current()}`;
    else if (this.config.apiKey) headers['api-key'] = this.config.apiKey;
    return headers;
  }

  private path(model: string, operation: string): string {
    if (this.config.apiMode === 'v1') return `/openai/v1/${operation}`;
    return `/openai/deployments/${encodeURIComponent(this.deployment(model))}/${operation}?api-version=${this.apiVersion}`;
  }

  /**
   * The v1 API reads the deployment from `model`, so a mapped model is re-encoded with it (the
   * caller's bytes name the model, not the deployment); the deployments URL carries it instead.
   */
  private forDeployment<T extends { model: string }>(request: T, options: CallOptions): [T, CallOptions] {
    const deployment = this.deployment(request.model);
    if (this.config.apiMode !== 'v1' || deployment === request.model) return [request, options];
    return [{ ...request, model: deployment }, { ...options, rawBody: undefined }];
  }
}
