// Reads an OpenAI Responses request body the way the real API validates it (unknown parameters,
// item shapes, tool definitions, function outputs without a call), and reduces the conversation
// (a stored previous response's items, then the input) to what the fake model answers.
import { countWords } from './model.js';
import type { Conversation } from './model.js';
import { BadRequest, isObject, jsonType } from './request-checks.js';
import type { Json } from './request-checks.js';

export interface ResponsesRequest {
  readonly model: string;
  readonly stream: boolean;
  readonly store: boolean;
  readonly previousResponseId: string | null;
  readonly instructions: string | null;
  /** The input as items (a string input is one user message). */
  readonly items: Json[];
  /** Tools as given (echoed in the response). */
  readonly tools: Json[];
  readonly toolNames: string[];
  readonly toolChoice: Conversation['toolChoice'];
  readonly maxOutputTokens: number | undefined;
  readonly body: Json;
}

const PARAMS = new Set([
  'model', 'input', 'instructions', 'tools', 'tool_choice', 'text', 'max_output_tokens', 'max_tool_calls', 'temperature',
  'top_p', 'top_logprobs', 'parallel_tool_calls', 'stream', 'stream_options', 'store', 'previous_response_id', 'metadata',
  'user', 'reasoning', 'truncation', 'include', 'background', 'conversation', 'prompt', 'prompt_cache_key',
  'prompt_cache_retention', 'safety_identifier', 'service_tier',
]);
const ROLES = new Set(['user', 'assistant', 'system', 'developer']);
const PARTS = new Set(['input_text', 'input_image', 'input_file', 'output_text', 'refusal']);
/** Built-in tools the fake accepts (and never calls). */
const BUILT_IN_TOOLS = new Set(['web_search', 'web_search_preview', 'file_search', 'code_interpreter', 'image_generation']);

function missing(param: string): BadRequest {
  return new BadRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
}

function wrongType(param: string, expected: string, got: unknown): BadRequest {
  return new BadRequest(`Invalid type for '${param}': expected ${expected}, but got ${jsonType(got)} instead.`, param, 'invalid_type');
}

function invalidValue(param: string, got: unknown, supported: string): BadRequest {
  return new BadRequest(`Invalid value: '${String(got)}'. Supported values are: ${supported}.`, param, 'invalid_value');
}

function requireString(v: unknown, param: string): string {
  if (v === undefined) throw missing(param);
  if (typeof v !== 'string') throw wrongType(param, 'a string', v);
  return v;
}

/**
 * Validates a Responses body; throws BadRequest naming the field.
 * @param previousItems the items of the stored response `previous_response_id` names (its input
 *   chain and output), or undefined when it names none; a function_call_output may answer them
 */
export function readResponsesRequest(body: unknown, previousItems: (id: string) => Json[] | undefined): { request: ResponsesRequest; history: Json[] } {
  if (!isObject(body)) throw new BadRequest('We could not parse the JSON body of your request.', null, null);
  for (const key of Object.keys(body)) {
    if (!PARAMS.has(key)) throw new BadRequest(`Unknown parameter: '${key}'.`, key, 'unknown_parameter');
  }
  if (body.model === undefined || body.model === null) throw new BadRequest('Missing required parameter: \'model\'.', 'model', 'missing_required_parameter');
  if (typeof body.model !== 'string' || body.model === '') throw wrongType('model', 'a string', body.model);
  let history: Json[] = [];
  let previousResponseId: string | null = null;
  if (body.previous_response_id !== undefined && body.previous_response_id !== null) {
    previousResponseId = requireString(body.previous_response_id, 'previous_response_id');
    const found = previousItems(previousResponseId);
    if (found === undefined) {
      throw new BadRequest(`Previous response with id '${previousResponseId}' not found.`, 'previous_response_id', 'previous_response_not_found');
    }
    history = found;
  }
  const items = readInput(body.input, history);
  const instructions = body.instructions === undefined || body.instructions === null ? null : requireString(body.instructions, 'instructions');
  const { tools, names } = readTools(body.tools);
  const toolChoice = readToolChoice(body.tool_choice, names);
  for (const key of ['stream', 'store', 'parallel_tool_calls', 'background'] as const) {
    if (body[key] !== undefined && body[key] !== null && typeof body[key] !== 'boolean') throw wrongType(key, 'a boolean', body[key]);
  }
  const stream = body.stream === true;
  if (body.stream_options !== undefined && body.stream_options !== null && !stream) {
    throw new BadRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options', null);
  }
  let maxOutputTokens: number | undefined;
  if (body.max_output_tokens !== undefined && body.max_output_tokens !== null) {
    const v = body.max_output_tokens;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw wrongType('max_output_tokens', 'an integer', v);
    if (v < 16) throw new BadRequest(`Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got ${v} instead.`, 'max_output_tokens', 'integer_below_min_value');
    maxOutputTokens = v;
  }
  if (body.text !== undefined && body.text !== null) {
    if (!isObject(body.text)) throw wrongType('text', 'an object', body.text);
    const format = body.text.format;
    if (format !== undefined && (!isObject(format) || !['text', 'json_object', 'json_schema'].includes(String(format.type)))) {
      throw invalidValue('text.format.type', isObject(format) ? format.type : format, "'text', 'json_object' and 'json_schema'");
    }
    if (isObject(format) && format.type === 'json_schema') {
      requireString(format.name, 'text.format.name');
      if (!isObject(format.schema)) throw missing('text.format.schema');
    }
  }
  return {
    request: {
      model: body.model,
      stream,
      store: body.store !== false,
      previousResponseId,
      instructions,
      items,
      tools,
      toolNames: names,
      toolChoice,
      maxOutputTokens,
      body,
    },
    history,
  };
}

function readInput(input: unknown, history: readonly Json[]): Json[] {
  if (input === undefined) throw missing('input');
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  if (!Array.isArray(input)) throw wrongType('input', 'a string or an array of input items', input);
  const calls = new Set<string>();
  for (const item of history) if (item.type === 'function_call' && typeof item.call_id === 'string') calls.add(item.call_id);
  return input.map((item: unknown, i: number) => {
    const at = `input[${i}]`;
    if (!isObject(item)) throw wrongType(at, 'an object', item);
    const type = item.type ?? 'message';
    switch (type) {
      case 'message':
        readMessage(item, at);
        return { ...item, type: 'message' };
      case 'function_call':
        requireString(item.call_id, `${at}.call_id`);
        requireString(item.name, `${at}.name`);
        requireString(item.arguments, `${at}.arguments`);
        calls.add(item.call_id as string);
        return item;
      case 'function_call_output': {
        const callId = requireString(item.call_id, `${at}.call_id`);
        if (item.output === undefined) throw missing(`${at}.output`);
        if (typeof item.output !== 'string' && !Array.isArray(item.output)) throw wrongType(`${at}.output`, 'a string or an array', item.output);
        if (!calls.has(callId)) throw new BadRequest(`No tool call found for function call output with call_id ${callId}.`, 'input', null);
        return item;
      }
      case 'reasoning':
        return item;
      default:
        throw invalidValue(`${at}.type`, type, "'message', 'function_call', 'function_call_output', 'reasoning', 'item_reference', ...");
    }
  });
}

function readMessage(item: Json, at: string): void {
  if (item.role === undefined) throw missing(`${at}.role`);
  if (typeof item.role !== 'string' || !ROLES.has(item.role)) throw invalidValue(`${at}.role`, item.role, "'user', 'assistant', 'system', and 'developer'");
  const content = item.content;
  if (content === undefined) throw missing(`${at}.content`);
  if (typeof content === 'string') return;
  if (!Array.isArray(content)) throw wrongType(`${at}.content`, 'a string or an array of content parts', content);
  content.forEach((part: unknown, k: number) => {
    const here = `${at}.content[${k}]`;
    if (!isObject(part)) throw wrongType(here, 'an object', part);
    if (typeof part.type !== 'string' || !PARTS.has(part.type)) throw invalidValue(`${here}.type`, part.type, "'input_text', 'input_image', 'input_file', 'output_text' and 'refusal'");
    const assistantPart = part.type === 'output_text' || part.type === 'refusal';
    if (assistantPart !== (item.role === 'assistant') && part.type !== 'input_text') {
      throw invalidValue(`${here}.type`, part.type, item.role === 'assistant' ? "'output_text' and 'refusal'" : "'input_text', 'input_image', and 'input_file'");
    }
    if ((part.type === 'input_text' || part.type === 'output_text') && typeof part.text !== 'string') throw missing(`${here}.text`);
  });
}

function readTools(tools: unknown): { tools: Json[]; names: string[] } {
  if (tools === undefined || tools === null) return { tools: [], names: [] };
  if (!Array.isArray(tools)) throw wrongType('tools', 'an array', tools);
  const names: string[] = [];
  tools.forEach((tool: unknown, i: number) => {
    const at = `tools[${i}]`;
    if (!isObject(tool)) throw wrongType(at, 'an object', tool);
    if (tool.type === 'function') {
      // A chat-shaped tool ({type, function: {...}}) has no top-level name: the real API says just this.
      if (tool.name === undefined) throw missing(`${at}.name`);
      names.push(requireString(tool.name, `${at}.name`));
      if (tool.parameters !== undefined && tool.parameters !== null && !isObject(tool.parameters)) throw wrongType(`${at}.parameters`, 'an object', tool.parameters);
    } else if (typeof tool.type !== 'string' || !BUILT_IN_TOOLS.has(tool.type)) {
      throw invalidValue(`${at}.type`, tool.type, "'function', 'web_search', 'file_search', 'code_interpreter', 'image_generation', ...");
    }
  });
  return { tools: tools as Json[], names };
}

function readToolChoice(tc: unknown, names: readonly string[]): Conversation['toolChoice'] {
  if (tc === undefined || tc === null || tc === 'auto' || tc === 'required') return 'auto';
  if (tc === 'none') return 'none';
  if (isObject(tc) && tc.type === 'function') {
    const name = requireString(tc.name, 'tool_choice.name');
    if (!names.includes(name)) throw new BadRequest(`Tool choice '${name}' not found in 'tools' parameter.`, 'tool_choice', null);
    return { name };
  }
  throw invalidValue('tool_choice', isObject(tc) ? tc.type : tc, "'none', 'auto', 'required' or a function");
}

/** A message item's text: a string, or its text parts joined with a space (as chat content is). */
function itemText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.flatMap((p: unknown) => (isObject(p) && typeof p.text === 'string' ? [p.text] : [])).join(' ');
}

/**
 * The conversation the model reads: the stored items, then the input. Counted as the chat
 * endpoint counts the same conversation translated (instructions as a system message, function
 * outputs as tool messages, call arguments not counted).
 */
export function conversationOf(req: ResponsesRequest, history: readonly Json[]): Conversation {
  const all = [...history, ...req.items];
  let promptWords = req.instructions === null ? 0 : countWords(req.instructions);
  let lastUserText = '';
  for (const item of all) {
    if (item.type === 'message') {
      const text = itemText(item.content);
      promptWords += countWords(text);
      if (item.role === 'user') lastUserText = text;
    } else if (item.type === 'function_call_output') {
      promptWords += countWords(itemText(item.output));
    }
  }
  const toolTexts: string[] = [];
  for (let i = all.length - 1; i >= 0 && all[i]?.type === 'function_call_output'; i--) toolTexts.unshift(itemText(all[i]?.output));
  const last = all[all.length - 1];
  return {
    lastUserText,
    toolResultText: toolTexts.length > 0 ? toolTexts.join(' ') : null,
    lastIsUser: last?.type === 'message' && last.role === 'user',
    promptWords,
    tools: req.toolNames,
    toolChoice: req.toolChoice,
    stop: [],
    maxTokens: req.maxOutputTokens,
  };
}
