// Reads an Anthropic Messages API request body the way the real API validates it (roles are
// user/assistant and consecutive turns of one role are allowed, as the API merges them; system
// is top-level; every tool_use is answered by a tool_result in the next message; unknown
// top-level fields, sampling values out of range, a malformed cache_control or thinking budget
// are refused) and reduces it to the `Conversation` the fake model answers.
import { cacheBreakpoints, type CacheBreakpoint } from './anthropic-cache.js';
import { countWords } from './model.js';
import type { Conversation } from './model.js';
import { BadRequest, contentText, isObject, jsonType } from './request-checks.js';
import type { Json } from './request-checks.js';

export interface MessagesRequest {
  readonly model: string;
  readonly stream: boolean;
  readonly conversation: Conversation;
  /** The prompt prefixes its `cache_control` blocks mark. */
  readonly cache: CacheBreakpoint[];
}

/** `/v1/messages` or `/v1/messages/count_tokens`: the same body, minus what only generation takes. */
export type MessagesEndpoint = 'messages' | 'count_tokens';

// The top-level fields each endpoint documents; any other is 'Extra inputs are not permitted'.
const COMMON_FIELDS = ['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'mcp_servers', 'context_management'];
const FIELDS: Record<MessagesEndpoint, ReadonlySet<string>> = {
  messages: new Set([...COMMON_FIELDS, 'max_tokens', 'metadata', 'stop_sequences', 'stream', 'temperature', 'top_k', 'top_p', 'service_tier', 'container']),
  count_tokens: new Set(COMMON_FIELDS),
};
/** The API's limit on cache_control breakpoints per request. */
const MAX_CACHE_BREAKPOINTS = 4;
const MIN_THINKING_BUDGET = 1024;

const required = (field: string): BadRequest => new BadRequest(`${field}: Field required`, field);

function wrongType(field: string, expected: string, got: unknown): BadRequest {
  return new BadRequest(`${field}: Input should be ${expected} (got ${jsonType(got)})`, field);
}

/** Counts the request's cache_control markers (the API allows four) after checking each one. */
class CacheControls {
  count = 0;

  check(block: Json, at: string): void {
    const cc = block.cache_control;
    if (cc === undefined || cc === null) return;
    if (!isObject(cc)) throw wrongType(`${at}.cache_control`, 'a valid dictionary', cc);
    if (cc.type !== 'ephemeral') throw new BadRequest(`${at}.cache_control.type: Input should be 'ephemeral'`, `${at}.cache_control.type`);
    if (cc.ttl !== undefined && cc.ttl !== '5m' && cc.ttl !== '1h') throw new BadRequest(`${at}.cache_control.ttl: Input should be '5m' or '1h'`, `${at}.cache_control.ttl`);
    if (++this.count > MAX_CACHE_BREAKPOINTS) {
      throw new BadRequest(`A maximum of ${MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. Found ${this.count}.`, at);
    }
  }
}

function readSystem(system: unknown, cache: CacheControls): string {
  if (system === undefined || system === null) return '';
  if (typeof system === 'string') return system;
  if (!Array.isArray(system)) throw wrongType('system', 'a valid string or a list of text blocks', system);
  system.forEach((block, i) => {
    if (!isObject(block) || block.type !== 'text' || typeof block.text !== 'string') {
      throw new BadRequest(`system.${i}: Input should be a text block with a string 'text'`, `system.${i}`);
    }
    cache.check(block, `system.${i}`);
  });
  return contentText(system);
}

/** Text of the tool_result blocks in a content array (their string or text-block content). */
function toolResultText(content: readonly Json[]): string | null {
  const texts: string[] = [];
  for (const block of content) if (block.type === 'tool_result') texts.push(contentText(block.content));
  return texts.length > 0 ? texts.join(' ') : null;
}

function readBlocks(m: Json, i: number, cache: CacheControls): Json[] | null {
  if (typeof m.content === 'string') return null;
  if (!Array.isArray(m.content)) {
    if (m.content === undefined) throw required(`messages.${i}.content`);
    throw wrongType(`messages.${i}.content`, 'a valid string or a list of content blocks', m.content);
  }
  return m.content.map((block: unknown, j: number) => {
    const at = `messages.${i}.content.${j}`;
    if (!isObject(block) || typeof block.type !== 'string') throw required(`${at}.type`);
    cache.check(block, at);
    if (block.type === 'text' && typeof block.text !== 'string') throw required(`${at}.text`);
    if (block.type === 'tool_use') {
      if (m.role !== 'assistant') throw new BadRequest(`${at}: tool_use blocks are only allowed in assistant messages`, at);
      if (typeof block.id !== 'string') throw required(`${at}.id`);
      if (typeof block.name !== 'string') throw required(`${at}.name`);
      if (!isObject(block.input)) throw required(`${at}.input`);
    }
    if (block.type === 'tool_result') {
      if (m.role !== 'user') throw new BadRequest(`${at}: tool_result blocks are only allowed in user messages`, at);
      if (typeof block.tool_use_id !== 'string') throw required(`${at}.tool_use_id`);
    }
    return block;
  });
}

function readMessages(body: Json, cache: CacheControls): Json[] {
  const messages = body.messages;
  if (messages === undefined) throw required('messages');
  if (!Array.isArray(messages)) throw wrongType('messages', 'a valid list', messages);
  if (messages.length === 0) throw new BadRequest('messages: at least one message is required', 'messages');
  let pendingToolUse: string[] = []; // tool_use ids of the previous assistant message
  let pendingFrom = -1;
  messages.forEach((m: unknown, i: number) => {
    if (!isObject(m)) throw wrongType(`messages.${i}`, 'a valid dictionary', m);
    if (m.role === 'system') {
      throw new BadRequest(
        'messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.',
        `messages.${i}.role`,
      );
    }
    if (m.role !== 'user' && m.role !== 'assistant') {
      throw new BadRequest(`messages.${i}.role: Input should be 'user' or 'assistant'`, `messages.${i}.role`);
    }
    const blocks = readBlocks(m, i, cache) ?? [];
    const results = blocks.filter((b) => b.type === 'tool_result').map((b) => b.tool_use_id as string);
    for (const [j, id] of results.entries()) {
      if (!pendingToolUse.includes(id)) {
        throw new BadRequest(
          `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
          `messages.${i}.content`,
        );
      }
    }
    const unanswered = pendingToolUse.filter((id) => !results.includes(id));
    if (unanswered.length > 0) {
      throw new BadRequest(
        `messages.${pendingFrom}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${unanswered.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
        `messages.${pendingFrom}`,
      );
    }
    pendingToolUse = blocks.filter((b) => b.type === 'tool_use').map((b) => b.id as string);
    pendingFrom = i;
  });
  // A trailing assistant tool_use with no answer is a prefill the real API also refuses.
  if (pendingToolUse.length > 0) {
    throw new BadRequest(
      `messages.${pendingFrom}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${pendingToolUse.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
      `messages.${pendingFrom}`,
    );
  }
  return messages as Json[];
}

function readTools(body: Json, cache: CacheControls): string[] {
  if (body.tools === undefined || body.tools === null) return [];
  if (!Array.isArray(body.tools)) throw wrongType('tools', 'a valid list', body.tools);
  return body.tools.map((tool: unknown, i: number) => {
    if (!isObject(tool)) throw wrongType(`tools.${i}`, 'a valid dictionary', tool);
    if (typeof tool.name !== 'string' || tool.name === '') throw required(`tools.${i}.name`);
    cache.check(tool, `tools.${i}`);
    // Server tools (type 'web_search_20250305', ...) carry no schema; client tools must.
    const custom = tool.type === undefined || tool.type === null || tool.type === 'custom';
    if (custom && !isObject(tool.input_schema)) throw required(`tools.${i}.input_schema`);
    return tool.name;
  });
}

function readToolChoice(body: Json, tools: readonly string[]): Conversation['toolChoice'] {
  const tc = body.tool_choice;
  if (tc === undefined || tc === null) return 'auto';
  if (!isObject(tc)) throw wrongType('tool_choice', 'a valid dictionary', tc);
  if (tc.type === 'none') return 'none';
  if (tools.length === 0) throw new BadRequest('tool_choice may only be specified while providing tools.', 'tool_choice');
  if (tc.type === 'auto' || tc.type === 'any') return 'auto';
  if (tc.type === 'tool') {
    if (typeof tc.name !== 'string') throw required('tool_choice.name');
    if (!tools.includes(tc.name)) throw new BadRequest(`tool_choice.name: tool '${tc.name}' not found in tools`, 'tool_choice.name');
    return { name: tc.name };
  }
  throw new BadRequest("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'", 'tool_choice.type');
}

function readStopSequences(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw wrongType('stop_sequences', 'a valid list of strings', v);
  return v as string[];
}

function readNumber(body: Json, field: string, min: number, max: number, integer = false): void {
  const v = body[field];
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || (integer && !Number.isInteger(v))) throw wrongType(field, integer ? 'a valid integer' : 'a valid number', v);
  if (v < min) throw new BadRequest(`${field}: Input should be greater than or equal to ${min}`, field);
  if (v > max) throw new BadRequest(`${field}: Input should be less than or equal to ${max}`, field);
}

function readThinking(body: Json, maxTokens: number | undefined): void {
  const t = body.thinking;
  if (t === undefined || t === null) return;
  if (!isObject(t)) throw wrongType('thinking', 'a valid dictionary', t);
  if (t.type === 'disabled' || t.type === 'adaptive') return;
  if (t.type !== 'enabled') throw new BadRequest("thinking.type: Input should be 'enabled', 'disabled' or 'adaptive'", 'thinking.type');
  if (t.budget_tokens === undefined) throw required('thinking.enabled.budget_tokens');
  if (typeof t.budget_tokens !== 'number' || !Number.isInteger(t.budget_tokens)) throw wrongType('thinking.enabled.budget_tokens', 'a valid integer', t.budget_tokens);
  if (t.budget_tokens < MIN_THINKING_BUDGET) {
    throw new BadRequest(`thinking.enabled.budget_tokens: Input should be greater than or equal to ${MIN_THINKING_BUDGET}`, 'thinking.enabled.budget_tokens');
  }
  if (maxTokens !== undefined && maxTokens <= t.budget_tokens) {
    throw new BadRequest('`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size', 'max_tokens');
  }
}

/** Validates a Messages API body (for `endpoint`, default `/v1/messages`); throws BadRequest naming the field. */
export function readMessagesRequest(body: unknown, endpoint: MessagesEndpoint = 'messages'): MessagesRequest {
  if (!isObject(body)) throw new BadRequest('There was an issue with your request body: it must be a JSON object.');
  for (const field of Object.keys(body)) {
    if (!FIELDS[endpoint].has(field)) throw new BadRequest(`${field}: Extra inputs are not permitted`, field);
  }
  if (body.model === undefined) throw required('model');
  if (typeof body.model !== 'string' || body.model === '') throw wrongType('model', 'a valid string', body.model);
  if (endpoint === 'messages') {
    if (body.max_tokens === undefined) throw required('max_tokens');
    if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens)) throw wrongType('max_tokens', 'a valid integer', body.max_tokens);
    if (body.max_tokens < 1) throw new BadRequest('max_tokens: Input should be greater than or equal to 1', 'max_tokens');
  }
  const maxTokens = body.max_tokens as number | undefined;
  const cache = new CacheControls();
  const messages = readMessages(body, cache);
  const system = readSystem(body.system, cache);
  const tools = readTools(body, cache);
  const toolChoice = readToolChoice(body, tools);
  const stop = readStopSequences(body.stop_sequences);
  if (body.stream !== undefined && typeof body.stream !== 'boolean') throw wrongType('stream', 'a valid boolean', body.stream);
  readNumber(body, 'temperature', 0, 1);
  readNumber(body, 'top_p', 0, 1);
  readNumber(body, 'top_k', 0, Number.MAX_SAFE_INTEGER, true);
  readThinking(body, maxTokens);

  let promptWords = countWords(system);
  let lastUserText = '';
  for (const m of messages) {
    const blocks = typeof m.content === 'string' ? null : (m.content as Json[]);
    const text = blocks === null ? (m.content as string) : contentText(blocks);
    promptWords += countWords(text);
    if (blocks !== null) promptWords += countWords(toolResultText(blocks) ?? '');
    // A user message that only carries tool results is not the user speaking.
    if (m.role === 'user' && (blocks === null || blocks.some((b) => b.type === 'text'))) lastUserText = text;
  }
  const last = messages[messages.length - 1] as Json;
  const lastBlocks = typeof last.content === 'string' ? null : (last.content as Json[]);
  const resultText = last.role === 'user' && lastBlocks !== null ? toolResultText(lastBlocks) : null;
  return {
    model: body.model,
    stream: body.stream === true,
    conversation: {
      lastUserText,
      toolResultText: resultText,
      lastIsUser: last.role === 'user' && resultText === null,
      promptWords,
      tools,
      toolChoice,
      stop,
      maxTokens,
    },
    cache: cacheBreakpoints(body),
  };
}
