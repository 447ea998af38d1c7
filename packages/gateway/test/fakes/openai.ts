// A fake OpenAI API: /v1/chat/completions (JSON and SSE, tools, stop, max_tokens, usage),
// /v1/responses (JSON and SSE, stored responses), /v1/embeddings and /v1/models, in the exact
// shapes the official `openai` SDK parses.
import { FakeServer } from './fake-server.js';
import type { Exchange, FakeProvider, StreamPlan, Wire } from './fake-server.js';
import { TOOL_CALL_TOKENS, answer, argumentFragments, countWords, embeddingBase64, embeddingOf } from './model.js';
import type { Answer } from './model.js';
import { readChatRequest, readEmbeddingsRequest } from './openai-request.js';
import { ResponsesEndpoint } from './openai-responses.js';
import { BadRequest, pathOf } from './request-checks.js';

/** `created` of every completion: fixed so identical requests give identical bodies. */
export const OPENAI_CREATED = 1_700_000_000;

/** Model ids GET /v1/models lists. */
export const OPENAI_MODELS = ['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small'] as const;

export interface FakeOpenAIOptions {
  /** Key callers must send as `authorization: Bearer <key>`. @default 'sk-fake-openai' */
  readonly apiKey?: string;
  /** Pause between stream chunks. @default 0 */
  readonly chunkDelayMs?: number;
  /** Keep every request in `calls`; turn off for long benchmarks so memory stays flat. @default true */
  readonly recordCalls?: boolean;
}

interface OpenAIErrorDetail {
  readonly type: string;
  readonly param?: string | null;
  readonly code?: string | null;
}

export function openaiError(message: string, { type, param = null, code = null }: OpenAIErrorDetail) {
  return { error: { message, type, param, code } };
}

// What the real API answers for each status when a fault asks for one.
function errorForStatus(status: number) {
  switch (status) {
    case 400:
      return openaiError('Bad request.', { type: 'invalid_request_error' });
    case 401:
      return openaiError('Incorrect API key provided.', { type: 'invalid_request_error', code: 'invalid_api_key' });
    case 403:
      return openaiError('You are not allowed to sample from this model', { type: 'invalid_request_error', code: 'model_not_found' });
    case 404:
      return openaiError('The model does not exist or you do not have access to it.', { type: 'invalid_request_error', code: 'model_not_found' });
    case 429:
      return openaiError('Rate limit reached for requests. Please try again later.', { type: 'requests', code: 'rate_limit_exceeded' });
    case 503:
      return openaiError('The engine is currently overloaded, please try again later.', { type: 'server_error' });
    default:
      return status >= 500
        ? openaiError('The server had an error while processing your request. Sorry about that!', { type: 'server_error' })
        : openaiError(`Request failed with status ${status}.`, { type: 'invalid_request_error' });
  }
}

/**
 * Starts a fake OpenAI on a free loopback port. Point the SDK at `url + '/v1'`.
 * @param opts.apiKey required bearer key (default 'sk-fake-openai')
 * @param opts.recordCalls keep requests in `calls` (default true)
 * @param opts.chunkDelayMs pause between stream chunks (default 0)
 * @example
 * const openai = await startFakeOpenAI();
 * const client = new OpenAI({ baseURL: openai.url + '/v1', apiKey: 'sk-fake-openai', maxRetries: 0 });
 * await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
 * await openai.close();
 */
export function startFakeOpenAI({ apiKey = 'sk-fake-openai', chunkDelayMs = 0, recordCalls = true }: FakeOpenAIOptions = {}): Promise<FakeProvider> {
  return new FakeServer(new OpenAIWire(apiKey), { chunkDelayMs, recordCalls }).listen();
}

const MODELS_BODY = JSON.stringify({
  object: 'list',
  data: OPENAI_MODELS.map((id) => ({ id, object: 'model', created: OPENAI_CREATED, owned_by: 'system' })),
});

class OpenAIWire implements Wire {
  readonly streamErrorStatus = 500;
  readonly requestIdHeader = 'x-request-id';
  private readonly bearer: string;
  private completions = 0;
  private toolCalls = 0;
  private readonly responses = new ResponsesEndpoint(OPENAI_CREATED, () => `call_${++this.toolCalls}`);

  constructor(apiKey: string) {
    this.bearer = `Bearer ${apiKey}`;
  }

  errorBody(status: number): unknown {
    return errorForStatus(status);
  }

  handle(ex: Exchange): void {
    const { method } = ex.call;
    const path = pathOf(ex.call.path);
    const auth = ex.req.headers.authorization;
    if (auth === undefined) {
      ex.json(401, openaiError("You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", { type: 'invalid_request_error' }));
      return;
    }
    if (auth !== this.bearer) {
      ex.json(401, openaiError('Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.', { type: 'invalid_request_error', code: 'invalid_api_key' }));
      return;
    }
    try {
      if (method === 'POST' && path === '/v1/chat/completions') this.chat(ex);
      else if (method === 'POST' && path === '/v1/responses') this.responses.create(ex);
      else if (path.startsWith('/v1/responses/') && (method === 'GET' || method === 'DELETE')) {
        const id = decodeURIComponent(path.slice('/v1/responses/'.length));
        if (method === 'GET') this.responses.retrieve(ex, id);
        else this.responses.remove(ex, id);
      } else if (method === 'POST' && path === '/v1/embeddings') this.embeddings(ex);
      else if (method === 'GET' && path === '/v1/models') ex.json(200, MODELS_BODY);
      else if (method === 'GET' && path.startsWith('/v1/models/')) this.model(ex, decodeURIComponent(path.slice('/v1/models/'.length)));
      else ex.json(404, openaiError(`Invalid URL (${method} ${path})`, { type: 'invalid_request_error' }));
    } catch (err) {
      if (err instanceof BadRequest) {
        ex.json(400, openaiError(err.message, { type: 'invalid_request_error', param: err.param, code: err.code }));
      } else {
        // A bug in the fake must fail the test visibly, not crash the runner's process.
        ex.json(500, openaiError(`fake OpenAI failed: ${String(err)}`, { type: 'server_error' }));
      }
    }
  }

  private model(ex: Exchange, id: string): void {
    if ((OPENAI_MODELS as readonly string[]).includes(id)) {
      ex.json(200, { id, object: 'model', created: OPENAI_CREATED, owned_by: 'system' });
    } else {
      ex.json(404, openaiError(`The model '${id}' does not exist`, { type: 'invalid_request_error', param: 'model', code: 'model_not_found' }));
    }
  }

  private embeddings(ex: Exchange): void {
    const req = readEmbeddingsRequest(ex.call.body);
    const data = req.inputs.map((text, index) => {
      const vector = embeddingOf(text);
      return { object: 'embedding', index, embedding: req.encoding === 'base64' ? embeddingBase64(vector) : vector };
    });
    const tokens = req.inputs.reduce((n, text) => n + countWords(text), 0);
    const body: Record<string, unknown> = { object: 'list', data, model: req.model };
    if (!ex.noUsage) body.usage = { prompt_tokens: tokens, total_tokens: tokens };
    ex.json(200, body);
  }

  private chat(ex: Exchange): void {
    const req = readChatRequest(ex.call.body);
    const ans = answer(req.conversation);
    const id = `chatcmpl-${++this.completions}`;
    const toolCallId = ans.kind === 'tool_call' ? `call_${++this.toolCalls}` : '';
    const usage = ex.noUsage ? null : usageOf(ans);
    if (req.stream) ex.stream(streamPlan(id, req.model, ans, toolCallId, req.includeUsage ? usage : null, req.includeUsage && !ex.noUsage));
    else ex.json(200, completionBody(id, req.model, ans, toolCallId, usage));
  }
}

/** The usage OpenAI reports for an answer (shared with the fake Azure, which answers the same way). */
export function usageOf(ans: Answer) {
  const completion = ans.kind === 'tool_call' ? TOOL_CALL_TOKENS : ans.completion.outputTokens;
  return {
    prompt_tokens: ans.inputTokens,
    completion_tokens: completion,
    total_tokens: ans.inputTokens + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function finishReason(ans: Answer): 'stop' | 'length' | 'tool_calls' {
  if (ans.kind === 'tool_call') return 'tool_calls';
  return ans.completion.cause === 'max_tokens' ? 'length' : 'stop';
}

export function completionBody(id: string, model: string, ans: Answer, toolCallId: string, usage: ReturnType<typeof usageOf> | null) {
  const message =
    ans.kind === 'tool_call'
      ? {
          role: 'assistant',
          content: null,
          refusal: null,
          annotations: [],
          tool_calls: [{ id: toolCallId, type: 'function', function: { name: ans.name, arguments: ans.argumentsJson } }],
        }
      : { role: 'assistant', content: ans.completion.text, refusal: null, annotations: [] };
  const body: Record<string, unknown> = {
    id,
    object: 'chat.completion',
    created: OPENAI_CREATED,
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(ans) }],
  };
  if (usage !== null) body.usage = usage;
  body.service_tier = 'default';
  return body;
}

/**
 * Chunks as the real API streams them: a role chunk, one chunk per word (or per arguments
 * fragment), a chunk with only finish_reason, then (include_usage) a chunk with `choices: []` and
 * the usage, and `[DONE]`. With include_usage every other chunk carries `"usage":null`.
 */
export function streamPlan(id: string, model: string, ans: Answer, toolCallId: string, usage: ReturnType<typeof usageOf> | null, usageNulls: boolean): StreamPlan {
  // Built as string templates: the stream path is what benchmarks hit hardest.
  const head = `data: {"id":"${id}","object":"chat.completion.chunk","created":${OPENAI_CREATED},"model":${JSON.stringify(model)},"service_tier":"default","choices":[`;
  const tailOf = usageNulls ? ',"usage":null}\n\n' : '}\n\n';
  const choice = (delta: string, finish: string | null): string =>
    `${head}{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish === null ? 'null' : `"${finish}"`}}]${tailOf}`;

  let preamble: string;
  let chunks: string[];
  if (ans.kind === 'tool_call') {
    const call = { index: 0, id: toolCallId, type: 'function', function: { name: ans.name, arguments: '' } };
    preamble = choice(`{"role":"assistant","content":null,"tool_calls":[${JSON.stringify(call)}],"refusal":null}`, null);
    chunks = argumentFragments(ans.argumentsJson).map((frag) =>
      choice(`{"tool_calls":[{"index":0,"function":{"arguments":${JSON.stringify(frag)}}}]}`, null),
    );
  } else {
    preamble = choice('{"role":"assistant","content":"","refusal":null}', null);
    chunks = ans.completion.chunks.map((word) => choice(`{"content":${JSON.stringify(word)}}`, null));
  }
  let tail = choice('{}', finishReason(ans));
  if (usage !== null) tail += `${head}],"usage":${JSON.stringify(usage)}}\n\n`;
  tail += 'data: [DONE]\n\n';
  const errorEvent = `data: ${JSON.stringify(openaiError('The server had an error while processing your request. Sorry about that!', { type: 'server_error' }))}\n\n`;
  return { preamble, chunks, tail, errorEvent };
}
