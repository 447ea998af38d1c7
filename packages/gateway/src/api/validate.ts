/**
 * Validation of caller requests, hand-written for the hot path: a few type checks per field,
 * each failure a 400 that names the field (`param`) the way OpenAI does.
 *
 * It checks every shape that something downstream reads (the provider translators, the cache
 * key, the token estimates), however deep, so nothing after it can throw on caller input: a
 * malformed request is the caller's 400, never the gateway's 500. Fields nobody reads pass
 * through untouched (the provider judges them).
 */
import { badRequest } from '../http/errors.js';
import type { ChatRequest, EmbeddingsRequest } from './types.js';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);
const TOOL_CHOICES = new Set(['none', 'auto', 'required']);
const FUNCTION_CALLS = new Set(['none', 'auto']);
/** Longer than any real model id; a label, a log field and a route key must stay small. */
export const MAX_MODEL_LENGTH = 256;

type Body = Record<string, unknown>;

function fail(param: string, expected: string): never {
  throw badRequest(`Invalid value for '${param}': expected ${expected}.`, param, 'invalid_value');
}

function isObject(v: unknown): v is Body {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function absent(v: unknown): boolean {
  return v === undefined || v === null;
}

function requireModel(body: Body): void {
  if (body.model === undefined) throw badRequest("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  if (typeof body.model !== 'string' || body.model.trim() === '') fail('model', 'a non-empty string');
  if (body.model.length > MAX_MODEL_LENGTH) fail('model', `a model name of at most ${MAX_MODEL_LENGTH} characters`);
}

function optionalNumber(body: Body, key: string, min: number, max: number, integer = false): void {
  const v = body[key];
  if (absent(v)) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    fail(key, `${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
}

function optionalType(value: unknown, param: string, type: 'boolean' | 'string' | 'object' | 'array'): void {
  if (absent(value)) return;
  const ok = type === 'object' ? isObject(value) : type === 'array' ? Array.isArray(value) : typeof value === type;
  if (!ok) fail(param, `a${type === 'object' || type === 'array' ? 'n' : ''} ${type}`);
}

function requireString(value: unknown, param: string): void {
  if (typeof value !== 'string') fail(param, 'a string');
}

/** @throws GatewayError 400 naming the first bad field */
export function validateChatRequest(body: Body): ChatRequest {
  requireModel(body);
  const messages = body.messages;
  if (messages === undefined) throw badRequest("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  if (!Array.isArray(messages)) fail('messages', 'an array of messages');
  if (messages.length === 0) fail('messages', 'a non-empty array of messages');
  for (let i = 0; i < messages.length; i++) validateMessage(messages[i], `messages[${i}]`);
  optionalType(body.stream, 'stream', 'boolean');
  validateStreamOptions(body.stream_options);
  optionalType(body.user, 'user', 'string');
  optionalType(body.parallel_tool_calls, 'parallel_tool_calls', 'boolean');
  optionalType(body.logprobs, 'logprobs', 'boolean');
  optionalType(body.reasoning_effort, 'reasoning_effort', 'string');
  optionalType(body.verbosity, 'verbosity', 'string');
  optionalNumber(body, 'temperature', 0, 2);
  optionalNumber(body, 'top_p', 0, 1);
  optionalNumber(body, 'n', 1, 128, true);
  optionalNumber(body, 'max_tokens', 1, 10_000_000, true);
  optionalNumber(body, 'max_completion_tokens', 1, 10_000_000, true);
  optionalNumber(body, 'presence_penalty', -2, 2);
  optionalNumber(body, 'frequency_penalty', -2, 2);
  optionalNumber(body, 'top_logprobs', 0, 20, true);
  optionalNumber(body, 'seed', -Number.MAX_VALUE, Number.MAX_VALUE, true);
  validateStop(body.stop);
  validateLogitBias(body.logit_bias);
  validateResponseFormat(body.response_format);
  validateTools(body.tools);
  validateToolChoice(body.tool_choice);
  validateFunctions(body.functions);
  validateFunctionCall(body.function_call, 'function_call');
  if (!absent(body.modalities) && !(Array.isArray(body.modalities) && body.modalities.every((m) => typeof m === 'string'))) {
    fail('modalities', 'an array of strings');
  }
  return body as ChatRequest;
}

function validateMessage(m: unknown, at: string): void {
  if (!isObject(m)) fail(at, 'an object');
  const { role } = m;
  if (typeof role !== 'string' || !ROLES.has(role)) fail(`${at}.role`, `one of ${[...ROLES].join(', ')}`);
  validateContent(m.content, `${at}.content`);
  optionalType(m.name, `${at}.name`, 'string');
  if (role === 'tool') requireString(m.tool_call_id, `${at}.tool_call_id`);
  else optionalType(m.tool_call_id, `${at}.tool_call_id`, 'string');
  if (!absent(m.refusal)) requireString(m.refusal, `${at}.refusal`);
  if (!absent(m.tool_calls)) {
    if (!Array.isArray(m.tool_calls)) fail(`${at}.tool_calls`, 'an array of tool calls');
    m.tool_calls.forEach((call: unknown, j: number) => validateToolCall(call, `${at}.tool_calls[${j}]`));
  }
  validateFunctionCall(m.function_call, `${at}.function_call`, true);
}

function validateContent(content: unknown, at: string): void {
  if (absent(content) || typeof content === 'string') return;
  if (!Array.isArray(content)) fail(at, 'a string or an array of content parts');
  for (let k = 0; k < content.length; k++) {
    const part = content[k] as unknown;
    const here = `${at}[${k}]`;
    if (!isObject(part)) fail(here, 'a content part object');
    if (typeof part.type !== 'string') fail(`${here}.type`, 'a string');
    switch (part.type) {
      case 'text':
        requireString(part.text, `${here}.text`);
        break;
      case 'refusal':
        requireString(part.refusal, `${here}.refusal`);
        break;
      case 'image_url':
        if (!isObject(part.image_url)) fail(`${here}.image_url`, 'an object with a url');
        requireString(part.image_url.url, `${here}.image_url.url`);
        optionalType(part.image_url.detail, `${here}.image_url.detail`, 'string');
        break;
      case 'input_audio':
        if (!isObject(part.input_audio)) fail(`${here}.input_audio`, 'an object with data and format');
        requireString(part.input_audio.data, `${here}.input_audio.data`);
        requireString(part.input_audio.format, `${here}.input_audio.format`);
        break;
      case 'file':
        if (!isObject(part.file)) fail(`${here}.file`, 'an object');
        break;
      default:
      // Part types added later pass to the provider, which judges them.
    }
  }
}

function validateToolCall(call: unknown, at: string): void {
  if (!isObject(call)) fail(at, 'a tool call object');
  requireString(call.id, `${at}.id`);
  if (!absent(call.type) && call.type !== 'function') fail(`${at}.type`, "'function'");
  if (!isObject(call.function)) fail(`${at}.function`, 'an object with name and arguments');
  requireString(call.function.name, `${at}.function.name`);
  requireString(call.function.arguments, `${at}.function.arguments`);
}

function validateFunctionCall(value: unknown, at: string, inMessage = false): void {
  if (absent(value)) return;
  if (!inMessage && typeof value === 'string') {
    if (!FUNCTION_CALLS.has(value)) fail(at, "'none', 'auto' or {\"name\": ...}");
    return;
  }
  if (!isObject(value)) fail(at, inMessage ? 'an object with name and arguments' : "'none', 'auto' or {\"name\": ...}");
  requireString(value.name, `${at}.name`);
  if (inMessage) requireString(value.arguments, `${at}.arguments`);
}

function validateStreamOptions(value: unknown): void {
  if (absent(value)) return;
  if (!isObject(value)) fail('stream_options', 'an object');
  optionalType(value.include_usage, 'stream_options.include_usage', 'boolean');
}

function validateStop(stop: unknown): void {
  if (absent(stop) || typeof stop === 'string') return;
  if (!(Array.isArray(stop) && stop.every((s) => typeof s === 'string'))) fail('stop', 'a string or an array of strings');
}

function validateLogitBias(bias: unknown): void {
  if (absent(bias)) return;
  if (!isObject(bias)) fail('logit_bias', 'an object of token ids to numbers');
  for (const [token, value] of Object.entries(bias)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(`logit_bias.${token}`, 'a number');
  }
}

function validateResponseFormat(format: unknown): void {
  if (absent(format)) return;
  if (!isObject(format)) fail('response_format', 'an object');
  if (typeof format.type !== 'string') fail('response_format.type', "'text', 'json_object' or 'json_schema'");
  if (format.type === 'json_schema') {
    if (!isObject(format.json_schema)) fail('response_format.json_schema', 'an object with a name and a schema');
    requireString(format.json_schema.name, 'response_format.json_schema.name');
    optionalType(format.json_schema.schema, 'response_format.json_schema.schema', 'object');
  }
}

function validateTools(tools: unknown): void {
  if (absent(tools)) return;
  if (!Array.isArray(tools)) fail('tools', 'an array of tools');
  tools.forEach((t: unknown, i: number) => {
    const at = `tools[${i}]`;
    if (!isObject(t)) fail(at, 'a tool object');
    if (typeof t.type !== 'string') fail(`${at}.type`, "'function'");
    if (t.type !== 'function') {
      // Other tool kinds (custom tools) name themselves under their type.
      if (!isObject(t[t.type])) fail(`${at}.${t.type}`, 'an object');
      return;
    }
    validateFunctionDefinition(t.function, `${at}.function`);
  });
}

function validateFunctions(functions: unknown): void {
  if (absent(functions)) return;
  if (!Array.isArray(functions)) fail('functions', 'an array of function definitions');
  functions.forEach((f: unknown, i: number) => validateFunctionDefinition(f, `functions[${i}]`));
}

function validateFunctionDefinition(fn: unknown, at: string): void {
  if (!isObject(fn)) fail(at, 'an object with a name');
  requireString(fn.name, `${at}.name`);
  optionalType(fn.description, `${at}.description`, 'string');
  optionalType(fn.parameters, `${at}.parameters`, 'object');
  optionalType(fn.strict, `${at}.strict`, 'boolean');
}

function validateToolChoice(choice: unknown): void {
  if (absent(choice)) return;
  const expected = "'none', 'auto', 'required' or {\"type\": \"function\", \"function\": {\"name\": ...}}";
  if (typeof choice === 'string') {
    if (!TOOL_CHOICES.has(choice)) fail('tool_choice', expected);
    return;
  }
  if (!isObject(choice) || typeof choice.type !== 'string') fail('tool_choice', expected);
  if (choice.type === 'function') {
    if (!isObject(choice.function)) fail('tool_choice.function', 'an object with a name');
    requireString(choice.function.name, 'tool_choice.function.name');
  }
}

/** @throws GatewayError 400 naming the first bad field */
export function validateEmbeddingsRequest(body: Body): EmbeddingsRequest {
  requireModel(body);
  const input = body.input;
  if (input === undefined) throw badRequest("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  if (!isEmbeddingsInput(input)) fail('input', 'a non-empty string, array of strings, array of token ids or array of token id arrays');
  optionalType(body.user, 'user', 'string');
  optionalType(body.encoding_format, 'encoding_format', 'string');
  optionalNumber(body, 'dimensions', 1, 100_000, true);
  return body as EmbeddingsRequest;
}

function isEmbeddingsInput(input: unknown): boolean {
  if (typeof input === 'string') return input.length > 0;
  if (!Array.isArray(input) || input.length === 0) return false;
  if (input.every((s) => typeof s === 'string')) return true;
  if (input.every(isTokenId)) return true;
  return input.every((a) => Array.isArray(a) && a.length > 0 && a.every(isTokenId));
}

function isTokenId(n: unknown): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0;
}
