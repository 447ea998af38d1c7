// A fake Google Gen AI backend on one loopback server, in the shapes `@google/genai` parses:
//
// - the Gemini API: POST /v1beta/models/{model}:generateContent, :streamGenerateContent
//   (?alt=sse: one `data:` event per chunk; without it a JSON array), :embedContent,
//   :batchEmbedContents and GET /v1beta/models, with the key in `x-goog-api-key` (or `?key=`);
// - Vertex AI: POST /v1/projects/{p}/locations/{l}/publishers/google/models/{model}:generateContent,
//   :streamGenerateContent and :predict (text embeddings), and Claude at
//   publishers/anthropic/models/{model}:rawPredict / :streamRawPredict (the Messages API with
//   `anthropic_version` in the body and no `model`), each with `Authorization: Bearer <token>`
//   that the fake token endpoint (google-oauth.ts) issued and that has not expired.
//
// The answers are the shared fake model's (model.ts), so a Gemini answer and an OpenAI answer to
// the same conversation agree, usage included. Gemini 2.5 and 3 models think: they report
// THOUGHT_TOKENS `thoughtsTokenCount` unless thinkingConfig.thinkingBudget is 0.
import { randomBytes } from 'node:crypto';
import { messageBody as anthropicMessage, streamPlan as anthropicStreamPlan } from './anthropic.js';
import { PromptCache } from './anthropic-cache.js';
import { readMessagesRequest } from './anthropic-request.js';
import { FakeServer } from './fake-server.js';
import type { Exchange, FakeProvider, StreamPlan, Wire } from './fake-server.js';
import { readGenerateContentRequest, valueFor, type GenerateContentRequest } from './gemini-request.js';
import type { FakeGoogleOAuth } from './google-oauth.js';
import { answer, complete, countWords, embeddingOf, expectedReply, TOOL_CALL_TOKENS, toolResultReply } from './model.js';
import type { Answer, Completion } from './model.js';
import { BadRequest, isObject, pathOf } from './request-checks.js';
import type { Json } from './request-checks.js';

/** Models GET /v1beta/models lists. */
export const GEMINI_MODELS = ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.0-flash', 'text-embedding-004'] as const;
/** Thinking tokens a Gemini 2.5 / 3 answer reports (billed as output). */
export const THOUGHT_TOKENS = 4;
export const GEMINI_API_KEY = 'fake-gemini-key';
export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

export interface FakeGeminiOptions {
  /** Key Gemini API callers must send (`x-goog-api-key` or `?key=`). @default GEMINI_API_KEY */
  readonly apiKey?: string;
  /** The token endpoint whose tokens the Vertex paths accept; without one they answer 401. */
  readonly oauth?: FakeGoogleOAuth;
  /** Vertex: the only project and location served (others: 403 / 404). Any, when unset. */
  readonly project?: string;
  readonly location?: string;
  readonly chunkDelayMs?: number;
  readonly recordCalls?: boolean;
}

export function googleError(code: number, message: string, status: string, details?: unknown[]) {
  return { error: { code, message, status, ...(details ? { details } : {}) } };
}

// What Google answers for each status when a fault asks for one.
const ERRORS: Record<number, [string, string]> = {
  400: ['INVALID_ARGUMENT', 'Request contains an invalid argument.'],
  401: ['UNAUTHENTICATED', 'Request had invalid authentication credentials.'],
  403: ['PERMISSION_DENIED', 'The caller does not have permission.'],
  404: ['NOT_FOUND', 'Requested entity was not found.'],
  429: ['RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).'],
  500: ['INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting'],
  503: ['UNAVAILABLE', 'The model is overloaded. Please try again later.'],
  504: ['DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.'],
};

function errorForStatus(status: number) {
  const [s, message] = ERRORS[status] ?? (status >= 500 ? ['INTERNAL', 'Internal error.'] : ['FAILED_PRECONDITION', `Request failed with status ${status}.`]);
  return googleError(status, message, s);
}

const GEMINI_PATH = /^\/(v1beta|v1)\/models\/([^/:]+):([A-Za-z]+)$/;
const VERTEX_PATH = /^\/(v1|v1beta1)\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/(google|anthropic)\/models\/([^/:]+):([A-Za-z]+)$/;

/**
 * Starts the fake Gemini API and Vertex AI on a free loopback port.
 * @example
 * const gemini = await startFakeGemini({ oauth });
 * const ai = new GoogleGenAI({ apiKey: GEMINI_API_KEY, httpOptions: { baseUrl: gemini.url } });
 */
export function startFakeGemini(opts: FakeGeminiOptions = {}): Promise<FakeProvider> {
  return new FakeServer(new GeminiWire(opts), { chunkDelayMs: opts.chunkDelayMs ?? 0, recordCalls: opts.recordCalls ?? true }).listen();
}

class GeminiWire implements Wire {
  readonly streamErrorStatus = 503;
  readonly requestIdHeader = 'x-request-id';
  private readonly apiKey: string;
  private responses = 0;
  private toolUses = 0;
  /** Thought signatures issued with function calls (Gemini 3 wants them back). */
  private readonly signatures = new Set<string>();
  private readonly promptCache = new PromptCache();

  constructor(private readonly opts: FakeGeminiOptions) {
    this.apiKey = opts.apiKey ?? GEMINI_API_KEY;
  }

  errorBody(status: number): unknown {
    return errorForStatus(status);
  }

  handle(ex: Exchange): void {
    const path = pathOf(ex.call.path);
    const query = new URLSearchParams(ex.call.path.slice(path.length + 1));
    try {
      if (ex.call.method === 'GET' && /^\/(v1beta|v1)\/models$/.test(path)) {
        if (this.refuseKey(ex, query)) return;
        ex.json(200, { models: GEMINI_MODELS.map((id) => ({ name: `models/${id}`, displayName: id, supportedGenerationMethods: id.includes('embedding') ? ['embedContent'] : ['generateContent', 'countTokens'] })) });
        return;
      }
      const gemini = GEMINI_PATH.exec(path);
      const vertex = gemini ? null : VERTEX_PATH.exec(path);
      if (ex.call.method !== 'POST' || (!gemini && !vertex)) {
        ex.json(404, googleError(404, `Method not found: ${ex.call.method} ${path}`, 'NOT_FOUND'));
        return;
      }
      if (gemini) {
        if (this.refuseKey(ex, query)) return;
        this.geminiMethod(ex, decodeURIComponent(gemini[2]!), gemini[3]!, gemini[1]!, query);
        return;
      }
      const [, , project, location, publisher, model, method] = vertex!;
      if (this.refuseBearer(ex, decodeURIComponent(project!), decodeURIComponent(location!))) return;
      if (publisher === 'anthropic') this.claude(ex, decodeURIComponent(model!), method!);
      else this.vertexMethod(ex, decodeURIComponent(model!), method!, query);
    } catch (err) {
      if (err instanceof BadRequest) ex.json(400, googleError(400, err.message, 'INVALID_ARGUMENT'));
      else ex.json(500, googleError(500, `fake Gemini failed: ${String(err)}`, 'INTERNAL'));
    }
  }

  /** The Gemini API's key checks: none is 403, a wrong one the real API's 400 API_KEY_INVALID. */
  private refuseKey(ex: Exchange, query: URLSearchParams): boolean {
    const header = ex.req.headers['x-goog-api-key'];
    const key = typeof header === 'string' ? header : query.get('key');
    if (key === null || key === '') {
      ex.json(403, googleError(403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.", 'PERMISSION_DENIED'));
      return true;
    }
    if (key !== this.apiKey) {
      ex.json(400, googleError(400, 'API key not valid. Please pass a valid API key.', 'INVALID_ARGUMENT', [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
      ]));
      return true;
    }
    return false;
  }

  /** Vertex AI's checks: a bearer token from the fake token endpoint, still valid; the served project. */
  private refuseBearer(ex: Exchange, project: string, location: string): boolean {
    const auth = ex.req.headers.authorization;
    const token = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : '';
    const check = token && this.opts.oauth ? this.opts.oauth.check(token) : 'unknown';
    if (check !== 'valid') {
      const reason = !token ? 'CREDENTIALS_MISSING' : check === 'expired' ? 'ACCESS_TOKEN_EXPIRED' : 'ACCESS_TOKEN_INVALID';
      ex.json(401, googleError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.', 'UNAUTHENTICATED', [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'googleapis.com', metadata: { service: 'aiplatform.googleapis.com', method: 'google.cloud.aiplatform.v1.PredictionService.GenerateContent' } },
      ]));
      return true;
    }
    if (this.opts.project !== undefined && project !== this.opts.project) {
      ex.json(403, googleError(403, `Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/${project}/locations/${location}' (or it may not exist).`, 'PERMISSION_DENIED'));
      return true;
    }
    if (this.opts.location !== undefined && location !== this.opts.location) {
      ex.json(404, googleError(404, `Location ${location} is not served.`, 'NOT_FOUND'));
      return true;
    }
    return false;
  }

  private geminiMethod(ex: Exchange, model: string, method: string, version: string, query: URLSearchParams): void {
    const unsupported = () => ex.json(404, googleError(404, `models/${model} is not found for API version ${version}, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`, 'NOT_FOUND'));
    const embedding = model.includes('embedding');
    if (method === 'generateContent' || method === 'streamGenerateContent') {
      if (embedding || !model.startsWith('gemini-')) return unsupported();
      this.generate(ex, model, method === 'streamGenerateContent', query.get('alt') === 'sse');
    } else if (method === 'embedContent' || method === 'batchEmbedContents') {
      if (!embedding) return unsupported();
      const body = ex.call.body;
      if (!isObject(body)) throw new BadRequest('Invalid JSON payload received.');
      if (method === 'embedContent') ex.json(200, { embedding: { values: this.embed(body, model, '', false) } });
      else {
        if (!Array.isArray(body.requests) || body.requests.length === 0) throw new BadRequest('* BatchEmbedContentsRequest.requests: requests is not specified\n');
        for (const key of Object.keys(body)) if (key !== 'requests') throw new BadRequest(`Invalid JSON payload received. Unknown name "${key}": Cannot find field.`);
        ex.json(200, { embeddings: body.requests.map((r: unknown, i: number) => ({ values: this.embed(r, model, `requests[${i}]`, true) })) });
      }
    } else unsupported();
  }

  private vertexMethod(ex: Exchange, model: string, method: string, query: URLSearchParams): void {
    if ((method === 'generateContent' || method === 'streamGenerateContent') && model.startsWith('gemini-')) {
      this.generate(ex, model, method === 'streamGenerateContent', query.get('alt') === 'sse');
    } else if (method === 'predict' && model.includes('embedding')) {
      this.predict(ex);
    } else {
      ex.json(404, googleError(404, `Publisher Model \`publishers/google/models/${model}\` was not found or your project does not have access to it (${method}).`, 'NOT_FOUND'));
    }
  }

  private generate(ex: Exchange, model: string, stream: boolean, sse: boolean): void {
    const req = readGenerateContentRequest(ex.call.body, model, this.signatures);
    const ans = answer(req.conversation);
    const plan = this.plan(model, req, ans, ex.noUsage);
    if (!stream) ex.json(200, plan.json);
    else if (sse) ex.stream(plan.stream);
    else ex.json(200, plan.events); // without alt=sse the API streams one JSON array
  }

  /** The whole answer, its stream events and their SSE framing. */
  private plan(model: string, req: GenerateContentRequest, ans: Answer, noUsage: boolean): { json: Json; events: Json[]; stream: StreamPlan } {
    const responseId = `resp-${++this.responses}`;
    const indexes = Array.from({ length: req.candidateCount }, (_, i) => i);
    const thoughts = /^gemini-(2\.5|3)/.test(model) && req.thinkingBudget !== 0 ? THOUGHT_TOKENS : 0;
    let parts: Json[];
    let chunks: Json[][];
    let output: number;
    let finishReason: string;
    if (ans.kind === 'tool_call') {
      const part: Json = { functionCall: { name: ans.name, args: JSON.parse(ans.argumentsJson) as unknown } };
      if (/^gemini-3/.test(model)) {
        const signature = randomBytes(24).toString('base64');
        this.signatures.add(signature);
        part.thoughtSignature = signature;
      }
      ++this.toolUses;
      parts = [part];
      chunks = [[part]];
      output = TOOL_CALL_TOKENS;
      finishReason = 'STOP';
    } else {
      const completion = req.json ? jsonCompletion(req) : ans.completion;
      parts = [{ text: completion.text }];
      chunks = completion.chunks.map((text) => [{ text }]);
      output = completion.outputTokens;
      finishReason = completion.cause === 'max_tokens' ? 'MAX_TOKENS' : 'STOP';
    }
    const prompt = ans.inputTokens;
    const candidates = output * indexes.length;
    const promptDetails = [{ modality: 'TEXT', tokenCount: prompt }];
    const usage: Json = { promptTokenCount: prompt, candidatesTokenCount: candidates, totalTokenCount: prompt + candidates + thoughts, promptTokensDetails: promptDetails };
    if (thoughts > 0) usage.thoughtsTokenCount = thoughts;
    const partial: Json = { promptTokenCount: prompt, totalTokenCount: prompt, promptTokensDetails: promptDetails };
    const envelope = (body: Json, u: Json): Json => (noUsage ? { ...body, modelVersion: model, responseId } : { ...body, usageMetadata: u, modelVersion: model, responseId });
    const json = envelope({ candidates: indexes.map((index) => ({ content: { parts, role: 'model' }, finishReason, index })) }, usage);
    const events = chunks.map((p) => envelope({ candidates: indexes.map((index) => ({ content: { parts: p, role: 'model' }, index })) }, partial));
    const last = envelope({ candidates: indexes.map((index) => ({ content: { parts: [{ text: '' }], role: 'model' }, finishReason, index })) }, usage);
    const frame = (e: unknown) => `data: ${JSON.stringify(e)}\r\n\r\n`;
    return {
      json,
      events: [...events, last],
      stream: { preamble: '', chunks: events.map(frame), tail: frame(last), errorEvent: frame(errorForStatus(503)) },
    };
  }

  /** One EmbedContentRequest's vector (`model` must name the URL's model in a batch). */
  private embed(r: unknown, model: string, at: string, batch: boolean): number[] {
    const where = at ? ` at '${at}'` : '';
    if (!isObject(r)) throw new BadRequest(`Invalid JSON payload received${where}.`);
    for (const key of Object.keys(r)) {
      if (!['model', 'content', 'taskType', 'title', 'outputDimensionality'].includes(key)) throw new BadRequest(`Invalid JSON payload received. Unknown name "${key}"${where}: Cannot find field.`);
    }
    if (batch && r.model !== `models/${model}`) {
      throw new BadRequest(`* BatchEmbedContentsRequest.${at}.model: the model of each request must be the batch's model (models/${model}), got ${JSON.stringify(r.model)}.\n`);
    }
    const parts = isObject(r.content) && Array.isArray(r.content.parts) ? r.content.parts : undefined;
    if (!parts || parts.length === 0 || !parts.every((p) => isObject(p) && typeof p.text === 'string')) {
      throw new BadRequest(`* EmbedContentRequest.content${where}: content must have text parts.\n`);
    }
    const dims = r.outputDimensionality;
    if (dims !== undefined && (typeof dims !== 'number' || !Number.isInteger(dims) || dims < 1)) throw new BadRequest(`* EmbedContentRequest.output_dimensionality${where}: must be a positive integer.\n`);
    const vector = embeddingOf(parts.map((p) => (p as Json).text as string).join(' '));
    return typeof dims === 'number' ? vector.slice(0, dims) : vector;
  }

  /** Vertex AI text embeddings: instances in, predictions with token statistics out. */
  private predict(ex: Exchange): void {
    const body = ex.call.body;
    if (!isObject(body) || !Array.isArray(body.instances) || body.instances.length === 0) throw new BadRequest('instances: at least one instance is required.');
    const dims = isObject(body.parameters) ? body.parameters.outputDimensionality : undefined;
    const predictions = body.instances.map((instance: unknown, i: number) => {
      if (!isObject(instance) || typeof instance.content !== 'string') throw new BadRequest(`instances[${i}].content: a string is required.`);
      const vector = embeddingOf(instance.content);
      return { embeddings: { values: typeof dims === 'number' ? vector.slice(0, dims) : vector, statistics: { token_count: countWords(instance.content), truncated: false } } };
    });
    ex.json(200, { predictions, metadata: { billableCharacterCount: body.instances.reduce((n: number, x: Json) => n + String(x.content).length, 0) } });
  }

  /** Claude on Vertex: the Messages API in the rawPredict envelope. */
  private claude(ex: Exchange, model: string, method: string): void {
    const fail = (message: string) => ex.json(400, { type: 'error', error: { type: 'invalid_request_error', message } });
    if (method !== 'rawPredict' && method !== 'streamRawPredict') {
      ex.json(404, googleError(404, `Method ${method} is not served for publishers/anthropic/models/${model}.`, 'NOT_FOUND'));
      return;
    }
    if (!model.startsWith('claude-')) {
      ex.json(404, googleError(404, `Publisher Model \`publishers/anthropic/models/${model}\` was not found or your project does not have access to it.`, 'NOT_FOUND'));
      return;
    }
    const body = ex.call.body;
    if (!isObject(body)) return fail('There was an issue with your request body: it must be a JSON object.');
    const { anthropic_version: version, ...rest } = body;
    if (version === undefined) return fail('anthropic_version: Field required');
    if (version !== VERTEX_ANTHROPIC_VERSION) return fail(`anthropic_version: Input should be '${VERTEX_ANTHROPIC_VERSION}'`);
    if (rest.model !== undefined) return fail('model: Extra inputs are not permitted');
    if (method === 'streamRawPredict' && rest.stream !== true) return fail('stream: streamRawPredict requires "stream": true');
    try {
      const req = readMessagesRequest({ ...rest, model });
      const ans = answer(req.conversation);
      const cache = this.promptCache.use(req.cache);
      const id = `msg_vrtx_${++this.responses}`;
      const toolUseId = ans.kind === 'tool_call' ? `toolu_vrtx_${++this.toolUses}` : '';
      if (req.stream) ex.stream(anthropicStreamPlan(id, model, ans, toolUseId, ex.noUsage, cache));
      else ex.json(200, anthropicMessage(id, model, ans, toolUseId, ex.noUsage, cache));
    } catch (err) {
      if (err instanceof BadRequest) fail(err.message);
      else throw err;
    }
  }
}

/** responseMimeType application/json: the answer as JSON (shaped by the schema), then cut as usual. */
function jsonCompletion(req: GenerateContentRequest): Completion {
  const conv = req.conversation;
  const reply = conv.toolResultText !== null ? toolResultReply(conv.toolResultText) : expectedReply(conv.lastUserText);
  const text = JSON.stringify(valueFor(req.json?.schema, reply));
  return complete(text, conv.stop, conv.maxTokens);
}
