// Reads an OpenAI chat-completions or embeddings request body the way the real API validates it,
// and reduces a chat request to the `Conversation` the fake model answers.
import { countWords } from './model.js';
import type { Conversation } from './model.js';
import { BadRequest, contentText, isObject, jsonType } from './request-checks.js';
import type { Json } from './request-checks.js';

export interface ChatRequest {
  readonly model: string;
  readonly stream: boolean;
  readonly includeUsage: boolean;
  readonly conversation: Conversation;
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

function missing(param: string): BadRequest {
  return new BadRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
}

function wrongType(param: string, expected: string, got: unknown): BadRequest {
  return new BadRequest(
    `Invalid type for '${param}': expected ${expected}, but got ${jsonType(got)} instead.`,
    param,
    'invalid_type',
  );
}

function requireModel(body: Json): string {
  if (body.model === undefined || body.model === null) {
    throw new BadRequest('you must provide a model parameter', 'model', 'missing_required_parameter');
  }
  if (typeof body.model !== 'string' || body.model === '') throw wrongType('model', 'a string', body.model);
  return body.model;
}

function optionalPositiveInt(body: Json, param: string): number | undefined {
  const v = body[param];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw wrongType(param, 'an integer', v);
  if (v < 1) {
    throw new BadRequest(
      `Invalid '${param}': integer below minimum value. Expected a value >= 1, but got ${v} instead.`,
      param,
      'integer_below_min_value',
    );
  }
  return v;
}

function readStop(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw wrongType('stop', 'a string or an array of strings', v);
  if (v.length > 4) {
    throw new BadRequest(`Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length ${v.length} instead.`, 'stop', 'array_above_max_length');
  }
  return v as string[];
}

function readTools(body: Json): string[] {
  if (body.tools === undefined || body.tools === null) return [];
  if (!Array.isArray(body.tools)) throw wrongType('tools', 'an array', body.tools);
  return body.tools.map((tool, i) => {
    if (!isObject(tool)) throw wrongType(`tools[${i}]`, 'an object', tool);
    if (tool.type !== 'function') throw new BadRequest(`Invalid value: '${String(tool.type)}'. Supported values are: 'function' and 'custom'.`, `tools[${i}].type`, 'invalid_value');
    if (!isObject(tool.function)) throw missing(`tools[${i}].function`);
    if (typeof tool.function.name !== 'string' || tool.function.name === '') throw missing(`tools[${i}].function.name`);
    return tool.function.name;
  });
}

function readToolChoice(body: Json, tools: readonly string[]): Conversation['toolChoice'] {
  const tc = body.tool_choice;
  if (tc === undefined || tc === null) return 'auto';
  if (tools.length === 0) {
    throw new BadRequest("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", 'tool_choice', null);
  }
  if (tc === 'none') return 'none';
  if (tc === 'auto' || tc === 'required') return 'auto';
  if (isObject(tc) && tc.type === 'function' && isObject(tc.function) && typeof tc.function.name === 'string') {
    const name = tc.function.name;
    if (!tools.includes(name)) throw new BadRequest(`Invalid value for 'tool_choice': no function named '${name}' was specified in the 'tools' parameter.`, 'tool_choice', null);
    return { name };
  }
  throw new BadRequest("Invalid value for 'tool_choice': expected 'none', 'auto', 'required' or a named function.", 'tool_choice', 'invalid_value');
}

/** Checks each message and the pairing of assistant tool_calls with tool answers. */
function readMessages(body: Json): Json[] {
  const messages = body.messages;
  if (messages === undefined) throw missing('messages');
  if (!Array.isArray(messages)) throw wrongType('messages', 'an array of objects', messages);
  if (messages.length === 0) {
    throw new BadRequest("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'messages', 'empty_array');
  }
  let awaiting = new Set<string>(); // tool_call ids the following tool messages must answer
  let awaitingFrom = -1; // index of the assistant message with tool_calls the tool run answers
  messages.forEach((m: unknown, i: number) => {
    if (!isObject(m)) throw wrongType(`messages[${i}]`, 'an object', m);
    if (typeof m.role !== 'string') throw missing(`messages[${i}].role`);
    if (!ROLES.has(m.role)) {
      throw new BadRequest(`Invalid value: '${m.role}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`, `messages[${i}].role`, 'invalid_value');
    }
    if (m.role === 'tool') {
      if (awaitingFrom === -1) {
        throw new BadRequest("Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", `messages.[${i}].role`, null);
      }
      if (typeof m.tool_call_id !== 'string') throw missing(`messages[${i}].tool_call_id`);
      if (!awaiting.delete(m.tool_call_id)) {
        throw new BadRequest(`Invalid parameter: 'tool_call_id' of '${m.tool_call_id}' not found in 'tool_calls' of previous message.`, `messages.[${i}].tool_call_id`, null);
      }
    } else {
      if (awaiting.size > 0) throw unanswered(awaitingFrom, awaiting);
      awaitingFrom = -1;
    }
    const hasToolCalls = m.role === 'assistant' && Array.isArray(m.tool_calls) && m.tool_calls.length > 0;
    if (m.content === undefined || m.content === null) {
      if (!hasToolCalls) throw missing(`messages[${i}].content`);
    } else if (typeof m.content !== 'string' && !Array.isArray(m.content)) {
      throw wrongType(`messages[${i}].content`, 'a string or an array of content parts', m.content);
    }
    if (hasToolCalls) {
      awaiting = new Set();
      awaitingFrom = i;
      (m.tool_calls as unknown[]).forEach((tc, j) => {
        if (!isObject(tc) || typeof tc.id !== 'string') throw missing(`messages[${i}].tool_calls[${j}].id`);
        if (!isObject(tc.function) || typeof tc.function.name !== 'string') throw missing(`messages[${i}].tool_calls[${j}].function.name`);
        awaiting.add(tc.id);
      });
    }
  });
  if (awaiting.size > 0) throw unanswered(awaitingFrom, awaiting);
  return messages as Json[];
}

function unanswered(at: number, ids: Set<string>): BadRequest {
  return new BadRequest(
    `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...ids].join(', ')}`,
    `messages.[${at}].role`,
    null,
  );
}

/** Validates a chat-completions body; throws BadRequest naming the field. */
export function readChatRequest(body: unknown): ChatRequest {
  if (!isObject(body)) throw notJson();
  const model = requireModel(body);
  const messages = readMessages(body);
  const tools = readTools(body);
  const toolChoice = readToolChoice(body, tools);
  const stop = readStop(body.stop);
  const maxTokens = optionalPositiveInt(body, 'max_completion_tokens') ?? optionalPositiveInt(body, 'max_tokens');
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') throw wrongType('stream', 'a boolean', body.stream);
  const stream = body.stream === true;
  if (body.stream_options !== undefined && body.stream_options !== null) {
    if (!stream) throw new BadRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options', null);
    if (!isObject(body.stream_options)) throw wrongType('stream_options', 'an object', body.stream_options);
  }
  const includeUsage = stream && isObject(body.stream_options) && body.stream_options.include_usage === true;

  let promptWords = 0;
  let lastUserText = '';
  for (const m of messages) {
    const text = contentText(m.content);
    promptWords += countWords(text);
    if (m.role === 'user') lastUserText = text;
  }
  // Parallel tool calls are answered by a run of tool messages; the model reads them all.
  const toolTexts: string[] = [];
  for (let i = messages.length - 1; i >= 0 && messages[i]?.role === 'tool'; i--) {
    toolTexts.unshift(contentText(messages[i]?.content));
  }
  const last = messages[messages.length - 1] as Json;
  return {
    model,
    stream,
    includeUsage,
    conversation: {
      lastUserText,
      toolResultText: toolTexts.length > 0 ? toolTexts.join(' ') : null,
      lastIsUser: last.role === 'user',
      promptWords,
      tools,
      toolChoice,
      stop,
      maxTokens,
    },
  };
}

export interface EmbeddingsRequest {
  readonly model: string;
  readonly inputs: readonly string[];
  readonly encoding: 'float' | 'base64';
}

/** Validates an embeddings body: `input` is a string or an array of strings. */
export function readEmbeddingsRequest(body: unknown): EmbeddingsRequest {
  if (!isObject(body)) throw notJson();
  const model = requireModel(body);
  const input = body.input;
  if (input === undefined) throw missing('input');
  const inputs = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(inputs) || inputs.length === 0 || inputs.some((s) => typeof s !== 'string')) {
    throw wrongType('input', 'a string or a non-empty array of strings', input);
  }
  const encoding = body.encoding_format ?? 'float';
  if (encoding !== 'float' && encoding !== 'base64') {
    throw new BadRequest(`Invalid value: '${String(encoding)}'. Supported values are: 'float' and 'base64'.`, 'encoding_format', 'invalid_value');
  }
  return { model, inputs: inputs as string[], encoding };
}

function notJson(): BadRequest {
  return new BadRequest(
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
    null,
    null,
  );
}
