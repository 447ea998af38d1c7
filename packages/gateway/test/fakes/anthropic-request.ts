// Reads an Anthropic Messages API request body the way the real API validates it (messages
// alternate user/assistant, system is top-level, every tool_use is answered by a tool_result in
// the next message) and reduces it to the `Conversation` the fake model answers.
import { countWords } from './model.js';
import type { Conversation } from './model.js';
import { BadRequest, contentText, isObject, jsonType } from './request-checks.js';
import type { Json } from './request-checks.js';

export interface MessagesRequest {
  readonly model: string;
  readonly stream: boolean;
  readonly conversation: Conversation;
}

const required = (field: string): BadRequest => new BadRequest(`${field}: Field required`, field);

function wrongType(field: string, expected: string, got: unknown): BadRequest {
  return new BadRequest(`${field}: Input should be ${expected} (got ${jsonType(got)})`, field);
}

function readSystem(system: unknown): string {
  if (system === undefined || system === null) return '';
  if (typeof system === 'string') return system;
  if (!Array.isArray(system)) throw wrongType('system', 'a valid string or a list of text blocks', system);
  system.forEach((block, i) => {
    if (!isObject(block) || block.type !== 'text' || typeof block.text !== 'string') {
      throw new BadRequest(`system.${i}: Input should be a text block with a string 'text'`, `system.${i}`);
    }
  });
  return contentText(system);
}

/** Text of the tool_result blocks in a content array (their string or text-block content). */
function toolResultText(content: readonly Json[]): string | null {
  const texts: string[] = [];
  for (const block of content) if (block.type === 'tool_result') texts.push(contentText(block.content));
  return texts.length > 0 ? texts.join(' ') : null;
}

function readBlocks(m: Json, i: number): Json[] | null {
  if (typeof m.content === 'string') return null;
  if (!Array.isArray(m.content)) {
    if (m.content === undefined) throw required(`messages.${i}.content`);
    throw wrongType(`messages.${i}.content`, 'a valid string or a list of content blocks', m.content);
  }
  return m.content.map((block: unknown, j: number) => {
    const at = `messages.${i}.content.${j}`;
    if (!isObject(block) || typeof block.type !== 'string') throw required(`${at}.type`);
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

function readMessages(body: Json): Json[] {
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
    const blocks = readBlocks(m, i) ?? [];
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

function readTools(body: Json): string[] {
  if (body.tools === undefined || body.tools === null) return [];
  if (!Array.isArray(body.tools)) throw wrongType('tools', 'a valid list', body.tools);
  return body.tools.map((tool: unknown, i: number) => {
    if (!isObject(tool)) throw wrongType(`tools.${i}`, 'a valid dictionary', tool);
    if (typeof tool.name !== 'string' || tool.name === '') throw required(`tools.${i}.name`);
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

/** Validates a Messages API body; throws BadRequest naming the field. */
export function readMessagesRequest(body: unknown): MessagesRequest {
  if (!isObject(body)) throw new BadRequest('There was an issue with your request body: it must be a JSON object.');
  if (body.model === undefined) throw required('model');
  if (typeof body.model !== 'string' || body.model === '') throw wrongType('model', 'a valid string', body.model);
  if (body.max_tokens === undefined) throw required('max_tokens');
  if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens)) throw wrongType('max_tokens', 'a valid integer', body.max_tokens);
  if (body.max_tokens < 1) throw new BadRequest('max_tokens: Input should be greater than or equal to 1', 'max_tokens');
  const messages = readMessages(body);
  const system = readSystem(body.system);
  const tools = readTools(body);
  const toolChoice = readToolChoice(body, tools);
  const stop = readStopSequences(body.stop_sequences);
  if (body.stream !== undefined && typeof body.stream !== 'boolean') throw wrongType('stream', 'a valid boolean', body.stream);

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
      maxTokens: body.max_tokens,
    },
  };
}
