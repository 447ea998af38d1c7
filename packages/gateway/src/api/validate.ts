/**
 * Validation of caller requests, hand-written for the hot path: a few type checks per field,
 * each failure a 400 that names the field (`param`) the way OpenAI does.
 */
import { badRequest } from '../http/errors.js';
import type { ChatRequest, EmbeddingsRequest } from './types.js';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

type Body = Record<string, unknown>;

function fail(param: string, expected: string): never {
  throw badRequest(`Invalid value for '${param}': expected ${expected}.`, param, 'invalid_value');
}

function requireModel(body: Body): void {
  if (body.model === undefined) throw badRequest("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  if (typeof body.model !== 'string' || body.model.trim() === '') fail('model', 'a non-empty string');
}

function optionalNumber(body: Body, key: string, min: number, max: number, integer = false): void {
  const v = body[key];
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    fail(key, `${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
}

function optionalType(body: Body, key: string, type: 'boolean' | 'string' | 'object'): void {
  const v = body[key];
  if (v === undefined || v === null) return;
  if (typeof v !== type || (type === 'object' && Array.isArray(v))) fail(key, `a${type === 'object' ? 'n' : ''} ${type}`);
}

/** @throws GatewayError 400 naming the first bad field */
export function validateChatRequest(body: Body): ChatRequest {
  requireModel(body);
  const messages = body.messages;
  if (messages === undefined) throw badRequest("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  if (!Array.isArray(messages)) fail('messages', 'an array of messages');
  if (messages.length === 0) fail('messages', 'a non-empty array of messages');
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as unknown;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) fail(`messages[${i}]`, 'an object');
    const { role, content } = m as Body;
    if (typeof role !== 'string' || !ROLES.has(role)) fail(`messages[${i}].role`, `one of ${[...ROLES].join(', ')}`);
    if (content !== undefined && content !== null && typeof content !== 'string' && !Array.isArray(content)) {
      fail(`messages[${i}].content`, 'a string or an array of content parts');
    }
  }
  optionalType(body, 'stream', 'boolean');
  optionalType(body, 'stream_options', 'object');
  optionalType(body, 'response_format', 'object');
  optionalType(body, 'user', 'string');
  optionalNumber(body, 'temperature', 0, 2);
  optionalNumber(body, 'top_p', 0, 1);
  optionalNumber(body, 'n', 1, 128, true);
  optionalNumber(body, 'max_tokens', 1, 10_000_000, true);
  optionalNumber(body, 'max_completion_tokens', 1, 10_000_000, true);
  optionalNumber(body, 'presence_penalty', -2, 2);
  optionalNumber(body, 'frequency_penalty', -2, 2);
  const stop = body.stop;
  if (stop !== undefined && stop !== null && typeof stop !== 'string' && !(Array.isArray(stop) && stop.every((s) => typeof s === 'string'))) {
    fail('stop', 'a string or an array of strings');
  }
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) fail('tools', 'an array of tools');
    body.tools.forEach((t: unknown, i: number) => {
      const fn = (t as Body | null)?.function as Body | undefined;
      if (typeof fn !== 'object' || fn === null || typeof fn.name !== 'string') fail(`tools[${i}].function.name`, 'a string');
    });
  }
  const choice = body.tool_choice;
  if (choice !== undefined && typeof choice !== 'string' && (typeof choice !== 'object' || choice === null)) {
    fail('tool_choice', "'none', 'auto', 'required' or a function choice");
  }
  return body as ChatRequest;
}

/** @throws GatewayError 400 naming the first bad field */
export function validateEmbeddingsRequest(body: Body): EmbeddingsRequest {
  requireModel(body);
  const input = body.input;
  if (input === undefined) throw badRequest("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  const ok =
    (typeof input === 'string' && input.length > 0) ||
    (Array.isArray(input) && input.length > 0 && (input.every((s) => typeof s === 'string') || input.every((n) => typeof n === 'number') || input.every(Array.isArray)));
  if (!ok) fail('input', 'a non-empty string or array');
  optionalType(body, 'user', 'string');
  optionalNumber(body, 'dimensions', 1, 100_000, true);
  return body as EmbeddingsRequest;
}
