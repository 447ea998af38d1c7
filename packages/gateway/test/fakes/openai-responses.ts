// The fake OpenAI's Responses endpoints: POST /v1/responses (JSON and SSE, in the event sequence
// the real API streams), GET and DELETE /v1/responses/{id}, with stored responses kept in memory
// so a `previous_response_id` follow-up reads the conversation the real API would.
import type { Exchange, StreamPlan } from './fake-server.js';
import { TOOL_CALL_TOKENS, answer, argumentFragments } from './model.js';
import type { Answer } from './model.js';
import { conversationOf, readResponsesRequest } from './openai-responses-request.js';
import type { ResponsesRequest } from './openai-responses-request.js';
import type { Json } from './request-checks.js';

interface Stored {
  readonly body: Json;
  /** The conversation after this response: the previous chain, this input, this output. */
  readonly items: Json[];
}

/** What the real API answers for an id it does not hold (GET, DELETE). */
function notFound(id: string): Json {
  return { error: { message: `Response with id '${id}' not found.`, type: 'invalid_request_error', param: null, code: null } };
}

export class ResponsesEndpoint {
  private readonly stored = new Map<string, Stored>();
  private responses = 0;
  private items = 0;

  constructor(
    private readonly createdAt: number,
    /** The next `call_<n>` id, shared with the chat endpoint's tool calls. */
    private readonly nextCallId: () => string,
  ) {}

  create(ex: Exchange): void {
    const { request, history } = readResponsesRequest(ex.call.body, (id) => this.stored.get(id)?.items);
    const ans = answer(conversationOf(request, history));
    const id = `resp_${++this.responses}`;
    const item = this.outputItem(ans);
    const usage = ex.noUsage ? null : usageOf(ans);
    const incomplete = ans.kind === 'text' && ans.completion.cause === 'max_tokens';
    const done = responseBody(request, id, this.createdAt, incomplete ? 'incomplete' : 'completed', [item], usage);
    if (request.store) this.stored.set(id, { body: done, items: [...history, ...request.items, item] });
    if (request.stream) ex.stream(streamPlan(request, id, this.createdAt, ans, item, done));
    else ex.json(200, done);
  }

  retrieve(ex: Exchange, id: string): void {
    const stored = this.stored.get(id);
    if (stored) ex.json(200, stored.body);
    else ex.json(404, notFound(id));
  }

  remove(ex: Exchange, id: string): void {
    if (this.stored.delete(id)) ex.json(200, { id, object: 'response', deleted: true });
    else ex.json(404, notFound(id));
  }

  private outputItem(ans: Answer): Json {
    const n = ++this.items;
    if (ans.kind === 'tool_call') {
      return { id: `fc_${n}`, type: 'function_call', status: 'completed', arguments: ans.argumentsJson, call_id: this.nextCallId(), name: ans.name };
    }
    const status = ans.completion.cause === 'max_tokens' ? 'incomplete' : 'completed';
    return { id: `msg_${n}`, type: 'message', status, content: [{ type: 'output_text', annotations: [], logprobs: [], text: ans.completion.text }], role: 'assistant' };
  }
}

function usageOf(ans: Answer): Json {
  const output = ans.kind === 'tool_call' ? TOOL_CALL_TOKENS : ans.completion.outputTokens;
  return {
    input_tokens: ans.inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: ans.inputTokens + output,
  };
}

/** A Response object with the fields, and in the order, the real API sends. */
function responseBody(req: ResponsesRequest, id: string, createdAt: number, status: string, output: Json[], usage: Json | null): Json {
  const b = req.body;
  const text = (b.text ?? {}) as Json;
  const reasoning = (b.reasoning ?? {}) as Json;
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status,
    background: b.background === true,
    error: null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: req.instructions,
    max_output_tokens: req.maxOutputTokens ?? null,
    max_tool_calls: b.max_tool_calls ?? null,
    model: req.model,
    output,
    parallel_tool_calls: b.parallel_tool_calls !== false,
    previous_response_id: req.previousResponseId,
    prompt_cache_key: b.prompt_cache_key ?? null,
    reasoning: { effort: reasoning.effort ?? null, summary: reasoning.summary ?? null },
    safety_identifier: b.safety_identifier ?? null,
    service_tier: 'default',
    store: req.store,
    temperature: b.temperature ?? 1,
    text: { format: text.format ?? { type: 'text' }, verbosity: text.verbosity ?? 'medium' },
    tool_choice: b.tool_choice ?? 'auto',
    tools: req.tools.map((t) => (t.type === 'function' ? { type: 'function', description: t.description ?? null, name: t.name, parameters: t.parameters ?? null, strict: t.strict ?? true } : t)),
    top_logprobs: b.top_logprobs ?? 0,
    top_p: b.top_p ?? 1,
    truncation: b.truncation ?? 'disabled',
    usage,
    user: b.user ?? null,
    metadata: b.metadata ?? {},
  };
}

/**
 * The real API's event sequence: response.created and response.in_progress (the response with
 * no output and no usage), the item's added events, one delta per word (or per arguments
 * fragment), the item's done events, then response.completed / response.incomplete.
 */
function streamPlan(req: ResponsesRequest, id: string, createdAt: number, ans: Answer, item: Json, done: Json): StreamPlan {
  let seq = 0;
  const event = (type: string, fields: Json): string => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...fields })}\n\n`;
  const start = responseBody(req, id, createdAt, 'in_progress', [], null);
  const itemId = item.id as string;
  let preamble = event('response.created', { response: start }) + event('response.in_progress', { response: start });
  let chunks: string[];
  let tail: string;
  if (ans.kind === 'tool_call') {
    preamble += event('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', arguments: '' } });
    chunks = argumentFragments(ans.argumentsJson).map((delta) => event('response.function_call_arguments.delta', { item_id: itemId, output_index: 0, delta }));
    tail = event('response.function_call_arguments.done', { item_id: itemId, output_index: 0, name: ans.name, arguments: ans.argumentsJson });
  } else {
    const part = { type: 'output_text', annotations: [], logprobs: [], text: '' };
    preamble += event('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } });
    preamble += event('response.content_part.added', { item_id: itemId, output_index: 0, content_index: 0, part });
    chunks = ans.completion.chunks.map((delta) => event('response.output_text.delta', { item_id: itemId, output_index: 0, content_index: 0, delta, logprobs: [] }));
    const text = ans.completion.text;
    tail = event('response.output_text.done', { item_id: itemId, output_index: 0, content_index: 0, text, logprobs: [] });
    tail += event('response.content_part.done', { item_id: itemId, output_index: 0, content_index: 0, part: { ...part, text } });
  }
  tail += event('response.output_item.done', { output_index: 0, item });
  tail += event(done.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: done });
  // What the live API sends when it fails mid-stream: the error nested under `error`.
  const errorEvent = `event: error\ndata: ${JSON.stringify({ type: 'error', sequence_number: seq, error: { type: 'server_error', code: 'server_error', message: 'The server had an error while processing your request. Sorry about that!', param: null } })}\n\n`;
  return { preamble, chunks, tail, errorEvent };
}
