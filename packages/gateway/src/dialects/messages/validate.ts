/**
 * Validation of a Messages request body, deep: every field the translation, the cache key or the
 * token estimates read is checked, so nothing after decoding throws on caller input. Fields the
 * gateway does not read (`service_tier`, `container`, ...) pass through for a native provider to
 * judge, and are dropped when the request is translated.
 */
import { MAX_MODEL_LENGTH } from '../../api/validate.js';
import { absent, invalid, isObject, missing, optionalBoolean, optionalNumber, optionalString, requireObject, type Json } from './checks.js';
import { blockOf, validateBlock, validateCacheControl, validateTextBlock } from './validate-blocks.js';
import type { MessagesBody } from './wire.js';

const TOOL_CHOICES = new Set(['auto', 'any', 'tool', 'none']);
/** Anthropic's floor for an extended-thinking budget. */
export const MIN_THINKING_BUDGET = 1024;
/** Blocks only one role may send. */
const ROLE_OF_BLOCK: Record<string, 'user' | 'assistant'> = {
  tool_use: 'assistant',
  thinking: 'assistant',
  redacted_thinking: 'assistant',
  tool_result: 'user',
};

export interface ValidateOptions {
  /** `/v1/messages` requires `max_tokens`; `/v1/messages/count_tokens` has none. */
  readonly requireMaxTokens: boolean;
}

/**
 * Checks a parsed Messages body.
 * @throws GatewayError 400 whose `param` names the first bad field (`messages[1].content[0].tool_use_id`)
 */
export function validateMessagesBody(body: Json, { requireMaxTokens }: ValidateOptions): MessagesBody {
  if (body.model === undefined) missing('model');
  if (typeof body.model !== 'string' || body.model.trim() === '') invalid('model', 'a non-empty string');
  if (body.model.length > MAX_MODEL_LENGTH) invalid('model', `a model name of at most ${MAX_MODEL_LENGTH} characters`);
  if (requireMaxTokens && body.max_tokens === undefined) missing('max_tokens');
  optionalNumber(body.max_tokens, 'max_tokens', 1, Number.MAX_SAFE_INTEGER, true);
  validateMessages(body.messages);
  validateSystem(body.system);
  validateTools(body.tools);
  validateToolChoice(body.tool_choice);
  if (!absent(body.stop_sequences) && !(Array.isArray(body.stop_sequences) && body.stop_sequences.every((s) => typeof s === 'string'))) {
    invalid('stop_sequences', 'an array of strings');
  }
  optionalNumber(body.temperature, 'temperature', 0, 1);
  optionalNumber(body.top_p, 'top_p', 0, 1);
  optionalNumber(body.top_k, 'top_k', 0, Number.MAX_SAFE_INTEGER, true);
  optionalBoolean(body.stream, 'stream');
  if (!absent(body.metadata)) {
    if (!isObject(body.metadata)) invalid('metadata', 'an object');
    optionalString(body.metadata.user_id, 'metadata.user_id');
  }
  validateThinking(body.thinking);
  return body as MessagesBody;
}

function validateMessages(messages: unknown): void {
  if (messages === undefined) missing('messages');
  if (!Array.isArray(messages)) invalid('messages', 'an array of messages');
  if (messages.length === 0) invalid('messages', 'a non-empty array of messages');
  messages.forEach((m: unknown, i: number) => {
    const at = `messages[${i}]`;
    if (!isObject(m)) invalid(at, 'a message object');
    if (m.role !== 'user' && m.role !== 'assistant') {
      // A system prompt is the top-level `system` in this API, never a message.
      invalid(`${at}.role`, m.role === 'system' ? "'user' or 'assistant' (the system prompt is the top-level 'system')" : "'user' or 'assistant'");
    }
    // Only the last message may be empty: an assistant prefill that is still to be written.
    const emptyAllowed = i === messages.length - 1 && m.role === 'assistant';
    validateContent(m.content, m.role, `${at}.content`, emptyAllowed);
  });
}

function validateContent(content: unknown, role: 'user' | 'assistant', at: string, emptyAllowed: boolean): void {
  if (content === undefined) missing(at);
  if (typeof content === 'string') {
    if (content === '' && !emptyAllowed) invalid(at, 'a non-empty string or array of content blocks');
    return;
  }
  if (!Array.isArray(content)) invalid(at, 'a string or an array of content blocks');
  if (content.length === 0 && !emptyAllowed) invalid(at, 'a non-empty string or array of content blocks');
  content.forEach((raw: unknown, k: number) => {
    const here = `${at}[${k}]`;
    const block = blockOf(raw, here);
    const only = ROLE_OF_BLOCK[block.type];
    if (only !== undefined && only !== role) invalid(`${here}.type`, `a block a${role === 'user' ? ' user' : 'n assistant'} message may hold ('${block.type}' is ${only} only)`);
    validateBlock(block, here);
  });
}

function validateSystem(system: unknown): void {
  if (absent(system) || typeof system === 'string') return;
  if (!Array.isArray(system)) invalid('system', 'a string or an array of text blocks');
  system.forEach((raw: unknown, k: number) => {
    const at = `system[${k}]`;
    const block = blockOf(raw, at);
    if (block.type !== 'text') invalid(`${at}.type`, "'text'");
    validateTextBlock(block, at);
    validateCacheControl(block.cache_control, `${at}.cache_control`);
  });
}

function validateTools(tools: unknown): void {
  if (absent(tools)) return;
  if (!Array.isArray(tools)) invalid('tools', 'an array of tools');
  tools.forEach((t: unknown, i: number) => {
    const at = `tools[${i}]`;
    if (!isObject(t)) invalid(at, 'a tool object');
    if (t.name === undefined) missing(`${at}.name`);
    if (typeof t.name !== 'string' || t.name === '') invalid(`${at}.name`, 'a non-empty string');
    optionalString(t.type, `${at}.type`);
    validateCacheControl(t.cache_control, `${at}.cache_control`);
    // Server tools (`web_search_20250305`, ...) carry their own settings and no schema.
    if (!absent(t.type) && t.type !== 'custom') return;
    optionalString(t.description, `${at}.description`);
    requireObject(t.input_schema, `${at}.input_schema`, 'a JSON Schema object');
  });
}

function validateToolChoice(choice: unknown): void {
  if (absent(choice)) return;
  if (!isObject(choice)) invalid('tool_choice', "an object {type: 'auto' | 'any' | 'tool' | 'none'}");
  if (typeof choice.type !== 'string' || !TOOL_CHOICES.has(choice.type)) invalid('tool_choice.type', "'auto', 'any', 'tool' or 'none'");
  if (choice.type === 'tool') {
    if (choice.name === undefined) missing('tool_choice.name');
    if (typeof choice.name !== 'string' || choice.name === '') invalid('tool_choice.name', 'a non-empty string');
  }
  optionalBoolean(choice.disable_parallel_tool_use, 'tool_choice.disable_parallel_tool_use');
}

function validateThinking(thinking: unknown): void {
  if (absent(thinking)) return;
  if (!isObject(thinking)) invalid('thinking', "an object {type: 'enabled' | 'disabled' | 'adaptive'}");
  if (thinking.type === 'disabled' || thinking.type === 'adaptive') return;
  if (thinking.type !== 'enabled') invalid('thinking.type', "'enabled', 'disabled' or 'adaptive'");
  if (thinking.budget_tokens === undefined) missing('thinking.budget_tokens');
  optionalNumber(thinking.budget_tokens, 'thinking.budget_tokens', MIN_THINKING_BUDGET, Number.MAX_SAFE_INTEGER, true);
}
