// A fake Azure OpenAI: the deployments API (`/openai/deployments/{d}/chat/completions|embeddings
// ?api-version=...`) and the v1 API (`/openai/v1/chat/completions|embeddings`, the deployment in
// `model`), authenticated by `api-key` or an Entra ID bearer token, answering what the fake
// OpenAI answers plus Azure's `prompt_filter_results` / `content_filter_results`, with Azure's
// error shape (`{"error":{"code","message"}}`) and a content-filter fault.
import { FakeServer } from './fake-server.js';
import type { Exchange, FakeProvider, StreamPlan, Wire } from './fake-server.js';
import { answer, countWords, embeddingBase64, embeddingOf } from './model.js';
import { completionBody, OPENAI_CREATED, openaiError, streamPlan, usageOf } from './openai.js';
import { readChatRequest, readEmbeddingsRequest } from './openai-request.js';
import { BadRequest, pathOf } from './request-checks.js';

export interface FakeAzureOptions {
  /** Key callers send as `api-key`. @default 'azure-fake-key' */
  readonly apiKey?: string;
  /** Entra ID tokens accepted as `Authorization: Bearer` (change with `setTokens`). @default [] */
  readonly adTokens?: readonly string[];
  /** Deployment name -> the model it runs (answers report the model, as Azure does). */
  readonly deployments?: Readonly<Record<string, string>>;
  readonly chunkDelayMs?: number;
  readonly recordCalls?: boolean;
}

export interface FakeAzure extends FakeProvider {
  /** The next chat request is refused by the content filter: its prompt (400) or its completion (200, finish_reason content_filter). */
  filterNext(what: 'prompt' | 'completion'): void;
  /** Replaces the accepted Entra ID tokens (an expired token is one no longer in the list). */
  setTokens(tokens: readonly string[]): void;
}

export const AZURE_DEPLOYMENTS: Readonly<Record<string, string>> = {
  'gpt-4o-mini': 'gpt-4o-mini-2024-07-18',
  'prod-mini': 'gpt-4o-mini-2024-07-18',
  'gpt-4o': 'gpt-4o-2024-08-06',
  'text-embedding-3-small': 'text-embedding-3-small',
};

/** Dated versions (`2024-10-21`, `2025-04-01-preview`); `preview` / `latest` on the v1 paths only. */
const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

const SAFE = { hate: { filtered: false, severity: 'safe' }, self_harm: { filtered: false, severity: 'safe' }, sexual: { filtered: false, severity: 'safe' }, violence: { filtered: false, severity: 'safe' } };
const PROMPT_FILTER_RESULTS = [{ prompt_index: 0, content_filter_results: SAFE }];

/** Azure's error body: `code` and `message` (the content filter adds OpenAI's fields too). */
export function azureError(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

const CONTENT_FILTER_ERROR = {
  error: {
    message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.",
    type: null,
    param: 'prompt',
    code: 'content_filter',
    status: 400,
    innererror: { code: 'ResponsibleAIPolicyViolation', content_filter_result: { ...SAFE, violence: { filtered: true, severity: 'high' } } },
  },
};

/**
 * Starts a fake Azure OpenAI resource on a free loopback port; its `url` is the endpoint.
 * @example
 * const azure = await startFakeAzure();
 * const client = new AzureOpenAI({ endpoint: azure.url, apiKey: 'azure-fake-key', apiVersion: '2024-10-21', deployment: 'gpt-4o-mini' });
 */
export async function startFakeAzure({ apiKey = 'azure-fake-key', adTokens = [], deployments = AZURE_DEPLOYMENTS, chunkDelayMs = 0, recordCalls = true }: FakeAzureOptions = {}): Promise<FakeAzure> {
  const wire = new AzureWire(apiKey, adTokens, deployments);
  const server = await new FakeServer(wire, { chunkDelayMs, recordCalls }).listen();
  return Object.assign(server, {
    filterNext: (what: 'prompt' | 'completion') => wire.filters.push(what),
    setTokens: (tokens: readonly string[]) => void (wire.tokens = new Set(tokens)),
  });
}

class AzureWire implements Wire {
  readonly streamErrorStatus = 500;
  readonly requestIdHeader = 'apim-request-id';
  readonly filters: Array<'prompt' | 'completion'> = [];
  tokens: Set<string>;
  private completions = 0;
  private toolCalls = 0;

  constructor(
    private readonly apiKey: string,
    adTokens: readonly string[],
    private readonly deployments: Readonly<Record<string, string>>,
  ) {
    this.tokens = new Set(adTokens);
  }

  errorBody(status: number): unknown {
    if (status === 429) return azureError('429', 'Requests to the ChatCompletions_Create Operation under Azure OpenAI API have exceeded call rate limit. Please retry after 1 second.');
    if (status >= 500) return azureError('InternalServerError', 'The server had an error while processing your request.');
    return azureError(String(status), `Request failed with status ${status}.`);
  }

  handle(ex: Exchange): void {
    if (!this.authorized(ex)) return;
    const path = pathOf(ex.call.path);
    const version = new URL(ex.call.path, 'http://fake').searchParams.get('api-version');
    const deployed = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/.exec(path);
    const v1 = /^\/openai\/v1\/(chat\/completions|embeddings)$/.exec(path);
    if (ex.call.method !== 'POST' || (!deployed && !v1)) {
      ex.json(404, azureError('404', 'Resource not found'));
      return;
    }
    if (deployed && version === null) {
      ex.json(400, azureError('MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.'));
      return;
    }
    if (deployed && !API_VERSION.test(version!)) {
      ex.json(400, azureError('BadRequest', 'API version not supported'));
      return;
    }
    const body = (typeof ex.call.body === 'object' && ex.call.body !== null ? ex.call.body : {}) as Record<string, unknown>;
    // The deployments URL names the deployment, and the body's model is optional there; v1 reads it from `model`.
    const deployment = deployed ? decodeURIComponent(deployed[1]!) : typeof body.model === 'string' ? body.model : '';
    const model = this.deployments[deployment];
    if (model === undefined) {
      ex.json(404, azureError('DeploymentNotFound', 'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.'));
      return;
    }
    try {
      const withModel = { ...body, model: body.model ?? deployment };
      if ((deployed?.[2] ?? v1![1]) === 'embeddings') this.embeddings(ex, withModel, model);
      else this.chat(ex, withModel, model);
    } catch (err) {
      if (err instanceof BadRequest) ex.json(400, openaiError(err.message, { type: 'invalid_request_error', param: err.param, code: err.code }));
      else ex.json(500, azureError('InternalServerError', `fake Azure failed: ${String(err)}`));
    }
  }

  /** `api-key: <key>`, or `Authorization: Bearer <token>`; Azure answers 401 either way. */
  private authorized(ex: Exchange): boolean {
    const key = ex.req.headers['api-key'];
    const auth = ex.req.headers.authorization;
    if (key !== undefined) {
      if (key === this.apiKey) return true;
    } else if (auth?.startsWith('Bearer ')) {
      if (this.tokens.has(auth.slice('Bearer '.length))) return true;
      ex.json(401, azureError('401', 'Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), or have expired.'));
      return false;
    }
    ex.json(401, azureError('401', 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.'));
    return false;
  }

  private embeddings(ex: Exchange, body: unknown, model: string): void {
    const req = readEmbeddingsRequest(body);
    const data = req.inputs.map((text, index) => {
      const vector = embeddingOf(text);
      return { object: 'embedding', index, embedding: req.encoding === 'base64' ? embeddingBase64(vector) : vector };
    });
    const tokens = req.inputs.reduce((n, text) => n + countWords(text), 0);
    ex.json(200, { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
  }

  private chat(ex: Exchange, body: unknown, model: string): void {
    const req = readChatRequest(body);
    const filter = this.filters.shift();
    if (filter === 'prompt') {
      ex.json(400, CONTENT_FILTER_ERROR);
      return;
    }
    const ans = answer(req.conversation);
    const id = `chatcmpl-azure-${++this.completions}`;
    const callId = ans.kind === 'tool_call' ? `call_${++this.toolCalls}` : '';
    const usage = ex.noUsage ? null : usageOf(ans);
    if (filter === 'completion') {
      if (req.stream) ex.stream(filteredStream(id, model, req.includeUsage ? usage : null));
      else ex.json(200, filteredCompletion(id, model, usage));
      return;
    }
    if (req.stream) {
      ex.stream(withFilterResults(streamPlan(id, model, ans, callId, req.includeUsage ? usage : null, req.includeUsage && !ex.noUsage)));
      return;
    }
    const completion = completionBody(id, model, ans, callId, usage) as { choices: Array<Record<string, unknown>> };
    ex.json(200, { ...completion, choices: completion.choices.map((c) => ({ ...c, content_filter_results: SAFE })), prompt_filter_results: PROMPT_FILTER_RESULTS, system_fingerprint: 'fp_azure' });
  }
}

function filteredCompletion(id: string, model: string, usage: unknown) {
  const filtered = { ...SAFE, violence: { filtered: true, severity: 'high' } };
  const choice = { index: 0, finish_reason: 'content_filter', message: { role: 'assistant', content: null, refusal: null }, logprobs: null, content_filter_results: filtered };
  return { id, object: 'chat.completion', created: OPENAI_CREATED, model, choices: [choice], prompt_filter_results: PROMPT_FILTER_RESULTS, ...(usage !== null ? { usage } : {}) };
}

/** Azure's streams: first a chunk with no choices carrying `prompt_filter_results`, then chunks whose choices carry `content_filter_results`. */
function withFilterResults(plan: StreamPlan): StreamPlan {
  const annotate = (events: string): string =>
    events.replace(/^data: (\{.*\})$/gm, (_line, json: string) => {
      const chunk = JSON.parse(json) as { choices: Array<Record<string, unknown>> };
      return `data: ${JSON.stringify({ ...chunk, choices: chunk.choices.map((c) => ({ ...c, content_filter_results: SAFE })) })}`;
    });
  const head = `data: ${JSON.stringify({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: PROMPT_FILTER_RESULTS })}\n\n`;
  return { preamble: head + annotate(plan.preamble), chunks: plan.chunks.map(annotate), tail: annotate(plan.tail), errorEvent: plan.errorEvent };
}

function filteredStream(id: string, model: string, usage: unknown): StreamPlan {
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: OPENAI_CREATED, model, choices, ...extra })}\n\n`;
  const preamble = `data: ${JSON.stringify({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: PROMPT_FILTER_RESULTS })}\n\n` + chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
  let tail = chunk([{ index: 0, delta: {}, finish_reason: 'content_filter', content_filter_results: { ...SAFE, violence: { filtered: true, severity: 'high' } } }]);
  if (usage !== null) tail += chunk([], { usage });
  tail += 'data: [DONE]\n\n';
  return { preamble, chunks: [], tail, errorEvent: `data: ${JSON.stringify(azureError('InternalServerError', 'stream failed'))}\n\n` };
}
