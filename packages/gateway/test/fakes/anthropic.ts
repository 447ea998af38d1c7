// A fake Anthropic Messages API: POST /v1/messages (JSON and SSE events, text and tool_use blocks,
// stop reasons, usage, prompt caching), POST /v1/messages/count_tokens and GET /v1/models, in the
// exact shapes `@anthropic-ai/sdk` parses.
import { FakeServer } from './fake-server.js';
import type { Exchange, FakeProvider, StreamPlan, Wire } from './fake-server.js';
import { TOOL_CALL_TOKENS, answer, argumentFragments } from './model.js';
import type { Answer } from './model.js';
import { PromptCache, type CacheUsage } from './anthropic-cache.js';
import { readMessagesRequest } from './anthropic-request.js';
import { BadRequest, pathOf } from './request-checks.js';

/** Model ids GET /v1/models lists. */
export const ANTHROPIC_MODELS = ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-1'] as const;

export interface FakeAnthropicOptions {
  /** Key callers must send as `x-api-key` (or `authorization: Bearer`, as SDK 1.x does). @default 'sk-ant-fake' */
  readonly apiKey?: string;
  /** Pause between stream events that carry content. @default 0 */
  readonly chunkDelayMs?: number;
  /** Keep every request in `calls`; turn off for long benchmarks so memory stays flat. @default true */
  readonly recordCalls?: boolean;
}

export function anthropicError(type: string, message: string, requestId?: string) {
  return requestId === undefined
    ? { type: 'error', error: { type, message } }
    : { type: 'error', error: { type, message }, request_id: requestId };
}

// The error types Anthropic documents for each HTTP status.
const ERROR_TYPES: Record<number, [string, string]> = {
  400: ['invalid_request_error', 'Invalid request.'],
  401: ['authentication_error', 'invalid x-api-key'],
  403: ['permission_error', 'Your API key does not have permission to use the specified resource.'],
  404: ['not_found_error', 'The requested resource could not be found.'],
  413: ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'],
  429: ['rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit.'],
  500: ['api_error', 'Internal server error'],
  504: ['timeout_error', 'Request timed out'],
  529: ['overloaded_error', 'Overloaded'],
};

function errorForStatus(status: number) {
  const [type, message] = ERROR_TYPES[status] ?? (status >= 500 ? ['api_error', 'Internal server error'] : ['invalid_request_error', `Request failed with status ${status}.`]);
  return anthropicError(type, message);
}

/**
 * Starts a fake Anthropic API on a free loopback port. Point the SDK at `url`.
 * @param opts.apiKey required `x-api-key` (default 'sk-ant-fake')
 * @param opts.recordCalls keep requests in `calls` (default true)
 * @param opts.chunkDelayMs pause between content events (default 0)
 * @example
 * const anthropic = await startFakeAnthropic();
 * const client = new Anthropic({ baseURL: anthropic.url, apiKey: 'sk-ant-fake', maxRetries: 0 });
 * await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
 * await anthropic.close();
 */
export function startFakeAnthropic({ apiKey = 'sk-ant-fake', chunkDelayMs = 0, recordCalls = true }: FakeAnthropicOptions = {}): Promise<FakeProvider> {
  return new FakeServer(new AnthropicWire(apiKey), { chunkDelayMs, recordCalls }).listen();
}

const MODELS_BODY = JSON.stringify({
  data: ANTHROPIC_MODELS.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' })),
  has_more: false,
  first_id: ANTHROPIC_MODELS[0],
  last_id: ANTHROPIC_MODELS[ANTHROPIC_MODELS.length - 1],
});

const STOP_REASON = { end: 'end_turn', stop_sequence: 'stop_sequence', max_tokens: 'max_tokens' } as const;

class AnthropicWire implements Wire {
  readonly streamErrorStatus = 529;
  readonly requestIdHeader = 'request-id';
  private messages = 0;
  private toolUses = 0;
  private readonly promptCache = new PromptCache();

  private readonly bearer: string;

  constructor(private readonly apiKey: string) {
    this.bearer = `Bearer ${apiKey}`;
  }

  errorBody(status: number): unknown {
    return errorForStatus(status);
  }

  handle(ex: Exchange): void {
    const { method } = ex.call;
    const path = pathOf(ex.call.path);
    const headers = ex.req.headers;
    // The API documents `x-api-key`; @anthropic-ai/sdk 1.x sends the key as a bearer token.
    if (headers['x-api-key'] !== this.apiKey && headers.authorization !== this.bearer) {
      ex.json(401, anthropicError('authentication_error', 'invalid x-api-key', ex.requestId));
      return;
    }
    if (typeof headers['anthropic-version'] !== 'string' || headers['anthropic-version'] === '') {
      ex.json(400, anthropicError('invalid_request_error', 'anthropic-version: header is required', ex.requestId));
      return;
    }
    try {
      if (method === 'POST' && path === '/v1/messages') this.message(ex);
      else if (method === 'POST' && path === '/v1/messages/count_tokens') this.countTokens(ex);
      else if (method === 'GET' && path === '/v1/models') ex.json(200, MODELS_BODY);
      else ex.json(404, anthropicError('not_found_error', 'Not Found', ex.requestId));
    } catch (err) {
      if (err instanceof BadRequest) {
        ex.json(400, anthropicError('invalid_request_error', err.message, ex.requestId));
      } else {
        // A bug in the fake must fail the test visibly, not crash the runner's process.
        ex.json(500, anthropicError('api_error', `fake Anthropic failed: ${String(err)}`, ex.requestId));
      }
    }
  }

  private message(ex: Exchange): void {
    const req = readMessagesRequest(ex.call.body);
    const ans = answer(req.conversation);
    const cache = this.promptCache.use(req.cache);
    const id = `msg_${++this.messages}`;
    const toolUseId = ans.kind === 'tool_call' ? `toolu_${++this.toolUses}` : '';
    if (req.stream) ex.stream(streamPlan(id, req.model, ans, toolUseId, ex.noUsage, cache));
    else ex.json(200, messageBody(id, req.model, ans, toolUseId, ex.noUsage, cache));
  }

  /** The prompt's input tokens as /v1/messages would count them (cached prefixes included). */
  private countTokens(ex: Exchange): void {
    const req = readMessagesRequest(ex.call.body, 'count_tokens');
    ex.json(200, { input_tokens: answer(req.conversation).inputTokens });
  }
}

function outputTokens(ans: Answer): number {
  return ans.kind === 'tool_call' ? TOOL_CALL_TOKENS : ans.completion.outputTokens;
}

function stopOf(ans: Answer): { stop_reason: string; stop_sequence: string | null } {
  if (ans.kind === 'tool_call') return { stop_reason: 'tool_use', stop_sequence: null };
  return { stop_reason: STOP_REASON[ans.completion.cause], stop_sequence: ans.completion.stopSequence };
}

/** Anthropic's usage: `input_tokens` counts only what was neither read from nor written to the cache. */
function usage(inputTokens: number, output: number, cache: CacheUsage) {
  const uncached = inputTokens - cache.cache_read_input_tokens - cache.cache_creation_input_tokens;
  return { input_tokens: uncached, ...cache, output_tokens: output, service_tier: 'standard' };
}

/** A Messages answer body (shared with the fake Vertex AI's Claude models). */
export function messageBody(id: string, model: string, ans: Answer, toolUseId: string, noUsage: boolean, cache: CacheUsage) {
  const content =
    ans.kind === 'tool_call'
      ? [{ type: 'tool_use', id: toolUseId, name: ans.name, input: JSON.parse(ans.argumentsJson) as unknown }]
      : [{ type: 'text', text: ans.completion.text }];
  const body: Record<string, unknown> = { id, type: 'message', role: 'assistant', model, content, ...stopOf(ans) };
  if (!noUsage) body.usage = usage(ans.inputTokens, outputTokens(ans), cache);
  return body;
}

const event = (type: string, data: unknown): string => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * Events in the real API's order: message_start (input usage; output_tokens 1 as the real API
 * reports it there), content_block_start, ping, one content_block_delta per word or arguments
 * fragment, content_block_stop, message_delta (stop reason, final output usage), message_stop.
 */
export function streamPlan(id: string, model: string, ans: Answer, toolUseId: string, noUsage: boolean, cache: CacheUsage): StreamPlan {
  const start: Record<string, unknown> = { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null };
  if (!noUsage) start.usage = usage(ans.inputTokens, 1, cache);
  let preamble = event('message_start', { type: 'message_start', message: start });
  let chunks: string[];
  if (ans.kind === 'tool_call') {
    preamble += event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: toolUseId, name: ans.name, input: {} } });
    chunks = argumentFragments(ans.argumentsJson).map((partial_json) =>
      event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json } }),
    );
  } else {
    preamble += event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    chunks = ans.completion.chunks.map((text) =>
      event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }),
    );
  }
  preamble += event('ping', { type: 'ping' });
  const delta: Record<string, unknown> = { type: 'message_delta', delta: stopOf(ans) };
  if (!noUsage) delta.usage = { output_tokens: outputTokens(ans) };
  const tail =
    event('content_block_stop', { type: 'content_block_stop', index: 0 }) +
    event('message_delta', delta) +
    event('message_stop', { type: 'message_stop' });
  const errorEvent = event('error', anthropicError('overloaded_error', 'Overloaded'));
  return { preamble, chunks, tail, errorEvent };
}
