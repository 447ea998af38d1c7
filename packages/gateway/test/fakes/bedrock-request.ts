// Reads a Bedrock Converse request body the way the real service validates it (roles user and
// assistant alternating from a user turn, well-formed content blocks of exactly one kind, every
// toolUse answered by a toolResult in the next turn and every toolResult answering one, a
// toolConfig whenever tool blocks appear, inferenceConfig types and ranges) and reduces it to
// the `Conversation` the fake model answers. Refusals are ValidationExceptions naming the field.
import { countWords } from './model.js';
import type { Conversation } from './model.js';
import { BadRequest, isObject, jsonType } from './request-checks.js';
import type { Json } from './request-checks.js';

const FIELDS = new Set([
  'messages', 'system', 'inferenceConfig', 'toolConfig', 'guardrailConfig', 'additionalModelRequestFields', 'promptVariables',
  'additionalModelResponseFieldPaths', 'requestMetadata', 'performanceConfig', 'serviceTier', 'outputConfig',
]);
const BLOCK_KINDS = ['text', 'image', 'document', 'video', 'toolUse', 'toolResult', 'guardContent', 'cachePoint', 'reasoningContent', 'citationsContent'];
const IMAGE_FORMATS = new Set(['png', 'jpeg', 'gif', 'webp']);
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const invalid = (message: string, field: string | null = null): BadRequest => new BadRequest(message, field);

function wrongType(field: string, expected: string, got: unknown): BadRequest {
  return invalid(`1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must be ${expected} (got ${jsonType(got)})`, field);
}

/** The one member a union (content block, tool choice) sets; AWS refuses none or several. */
function unionMember(v: Json, kinds: readonly string[], at: string): string {
  const set = Object.keys(v).filter((k) => v[k] !== undefined && v[k] !== null);
  if (set.length !== 1 || !kinds.includes(set[0]!)) {
    throw invalid(`Malformed input request: ${at} must set exactly one of ${kinds.join(', ')}, please reformat your input and try again.`, at);
  }
  return set[0]!;
}

export interface ConverseRequest {
  readonly conversation: Conversation;
}

/** Validates a Converse (or ConverseStream) body; throws BadRequest as the service would. */
export function readConverseRequest(body: unknown): ConverseRequest {
  if (!isObject(body)) throw invalid('Malformed input request: the request body must be a JSON object, please reformat your input and try again.');
  for (const key of Object.keys(body)) {
    if (!FIELDS.has(key)) throw invalid(`Malformed input request: extraneous key [${key}] is not permitted, please reformat your input and try again.`, key);
  }
  const toolNames = readToolConfig(body.toolConfig);
  const systemText = readSystem(body.system);
  const { stop, maxTokens } = readInferenceConfig(body.inferenceConfig);
  const messages = body.messages;
  if (!Array.isArray(messages)) throw wrongType('messages', 'a list of messages', messages);
  if (messages.length === 0) throw invalid('A conversation must start with a user message. Try again with a conversation that starts with a user message.', 'messages');

  let words = countWords(systemText);
  let pendingToolUses: Set<string> | null = null;
  let usesTools = false;
  let last: { role: string; text: string; toolResultText: string | null } = { role: '', text: '', toolResultText: null };
  messages.forEach((m, i) => {
    const at = `messages.${i}`;
    if (!isObject(m)) throw wrongType(at, 'a message object', m);
    if (m.role !== 'user' && m.role !== 'assistant') throw invalid(`1 validation error detected: Value '${String(m.role)}' at '${at}.role' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]`, `${at}.role`);
    if (i === 0 && m.role !== 'user') throw invalid('A conversation must start with a user message. Try again with a conversation that starts with a user message.', at);
    if (i > 0 && m.role === last.role) {
      throw invalid('A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.', at);
    }
    if (!Array.isArray(m.content)) throw wrongType(`${at}.content`, 'a list of content blocks', m.content);
    if (m.content.length === 0) throw invalid(`The content field in the Message object at ${at} is empty. Add a ContentBlock object to the content field and try again.`, `${at}.content`);
    const texts: string[] = [];
    const results: string[] = [];
    const answered = new Set<string>();
    const uses = new Set<string>();
    m.content.forEach((block, j) => {
      const where = `${at}.content.${j}`;
      if (!isObject(block)) throw wrongType(where, 'a content block', block);
      const kind = unionMember(block, BLOCK_KINDS, where);
      const value = block[kind];
      switch (kind) {
        case 'text':
          if (typeof value !== 'string') throw wrongType(`${where}.text`, 'a string', value);
          texts.push(value);
          words += countWords(value);
          return;
        case 'image':
          if (m.role !== 'user') throw invalid(`${where}: images are only allowed in user messages.`, where);
          readImage(value, `${where}.image`);
          return;
        case 'toolUse': {
          if (m.role !== 'assistant') throw invalid(`${where}: toolUse blocks are only allowed in assistant messages.`, where);
          if (!isObject(value) || typeof value.toolUseId !== 'string' || value.toolUseId === '' || typeof value.name !== 'string' || !('input' in value)) {
            throw invalid(`${where}.toolUse: toolUseId, name and input are required.`, `${where}.toolUse`);
          }
          usesTools = true;
          uses.add(value.toolUseId);
          return;
        }
        case 'toolResult': {
          if (m.role !== 'user') throw invalid(`${where}: toolResult blocks are only allowed in user messages.`, where);
          const text = readToolResult(value, `${where}.toolResult`);
          usesTools = true;
          answered.add((value as Json).toolUseId as string);
          results.push(text);
          words += countWords(text);
          return;
        }
        default:
          return; // documents, guard content, cache points: accepted, not part of the fake's answer
      }
    });
    // Every toolUse of the previous turn is answered here, and nothing else is.
    if (pendingToolUses !== null || answered.size > 0) {
      const expected: Set<string> = pendingToolUses ?? new Set<string>();
      const missing = [...expected].filter((id) => !answered.has(id));
      const unknown = [...answered].filter((id) => !expected.has(id));
      if (unknown.length > 0) throw invalid(`The toolResult blocks at ${at}.content contain toolUseIds that were not present in the previous turn's toolUse blocks: ${unknown.join(', ')}`, `${at}.content`);
      if (missing.length > 0) throw invalid(`Expected toolResult blocks at ${at}.content for the following Ids: ${missing.join(', ')}`, `${at}.content`);
    }
    pendingToolUses = uses.size > 0 ? uses : null;
    last = { role: m.role, text: texts.join(' '), toolResultText: results.length > 0 ? results.join(' ') : null };
  });
  if (usesTools && toolNames === null) throw invalid('The toolConfig field must be defined when using toolUse and toolResult content blocks.', 'toolConfig');

  const tools = toolNames?.names ?? [];
  const conversation: Conversation = {
    lastUserText: last.role === 'user' ? last.text : '',
    toolResultText: last.role === 'user' ? last.toolResultText : null,
    lastIsUser: last.role === 'user' && last.toolResultText === null,
    promptWords: words,
    tools,
    toolChoice: toolNames?.choice ?? 'none',
    stop,
    maxTokens,
  };
  return { conversation };
}

function readImage(v: unknown, at: string): void {
  if (!isObject(v)) throw wrongType(at, 'an image block', v);
  if (typeof v.format !== 'string' || !IMAGE_FORMATS.has(v.format)) {
    throw invalid(`1 validation error detected: Value '${String(v.format)}' at '${at}.format' failed to satisfy constraint: Member must satisfy enum value set: [png, jpeg, gif, webp]`, `${at}.format`);
  }
  const source = v.source;
  if (!isObject(source)) throw wrongType(`${at}.source`, 'an image source', source);
  const kind = unionMember(source, ['bytes', 's3Location'], `${at}.source`);
  if (kind === 'bytes' && (typeof source.bytes !== 'string' || source.bytes === '' || !BASE64.test(source.bytes))) {
    throw invalid(`${at}.source.bytes: Member must be base64-encoded image bytes.`, `${at}.source.bytes`);
  }
}

function readToolResult(v: unknown, at: string): string {
  if (!isObject(v) || typeof v.toolUseId !== 'string' || v.toolUseId === '') throw invalid(`${at}.toolUseId: Member must not be null`, `${at}.toolUseId`);
  if (v.status !== undefined && v.status !== 'success' && v.status !== 'error') {
    throw invalid(`1 validation error detected: Value '${String(v.status)}' at '${at}.status' failed to satisfy constraint: Member must satisfy enum value set: [success, error]`, `${at}.status`);
  }
  if (!Array.isArray(v.content)) throw wrongType(`${at}.content`, 'a list of tool result blocks', v.content);
  const texts: string[] = [];
  v.content.forEach((block, i) => {
    const where = `${at}.content.${i}`;
    if (!isObject(block)) throw wrongType(where, 'a tool result block', block);
    const kind = unionMember(block, ['text', 'json', 'image', 'document', 'video'], where);
    if (kind === 'text') {
      if (typeof block.text !== 'string') throw wrongType(`${where}.text`, 'a string', block.text);
      texts.push(block.text);
    } else if (kind === 'json') texts.push(JSON.stringify(block.json));
  });
  return texts.join(' ');
}

function readSystem(system: unknown): string {
  if (system === undefined) return '';
  if (!Array.isArray(system)) throw wrongType('system', 'a list of system content blocks', system);
  const texts: string[] = [];
  system.forEach((block, i) => {
    const at = `system.${i}`;
    if (!isObject(block)) throw wrongType(at, 'a system content block', block);
    const kind = unionMember(block, ['text', 'guardContent', 'cachePoint'], at);
    if (kind === 'text') {
      if (typeof block.text !== 'string' || block.text === '') throw invalid(`${at}.text: Member must have length greater than or equal to 1`, `${at}.text`);
      texts.push(block.text);
    }
  });
  return texts.join(' ');
}

function readInferenceConfig(v: unknown): { stop: string[]; maxTokens: number | undefined } {
  if (v === undefined) return { stop: [], maxTokens: undefined };
  if (!isObject(v)) throw wrongType('inferenceConfig', 'an object', v);
  for (const key of Object.keys(v)) {
    if (!['maxTokens', 'temperature', 'topP', 'stopSequences'].includes(key)) {
      throw invalid(`Malformed input request: extraneous key [inferenceConfig.${key}] is not permitted, please reformat your input and try again.`, `inferenceConfig.${key}`);
    }
  }
  const { maxTokens, temperature, topP, stopSequences } = v;
  if (maxTokens !== undefined && (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1)) {
    throw invalid(`1 validation error detected: Value '${String(maxTokens)}' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1`, 'inferenceConfig.maxTokens');
  }
  for (const [name, value] of [['temperature', temperature], ['topP', topP]] as const) {
    if (value !== undefined && (typeof value !== 'number' || value < 0 || value > 1)) {
      throw invalid(`1 validation error detected: Value '${String(value)}' at 'inferenceConfig.${name}' failed to satisfy constraint: Member must have value less than or equal to 1`, `inferenceConfig.${name}`);
    }
  }
  if (stopSequences !== undefined && (!Array.isArray(stopSequences) || !stopSequences.every((s) => typeof s === 'string' && s !== ''))) {
    throw wrongType('inferenceConfig.stopSequences', 'a list of non-empty strings', stopSequences);
  }
  return { stop: (stopSequences as string[] | undefined) ?? [], maxTokens: maxTokens as number | undefined };
}

function readToolConfig(v: unknown): { names: string[]; choice: Conversation['toolChoice'] } | null {
  if (v === undefined) return null;
  if (!isObject(v) || !Array.isArray(v.tools) || v.tools.length === 0) {
    throw invalid('1 validation error detected: Value at \'toolConfig.tools\' failed to satisfy constraint: Member must have length greater than or equal to 1', 'toolConfig.tools');
  }
  const names: string[] = [];
  v.tools.forEach((tool, i) => {
    const at = `toolConfig.tools.${i}`;
    if (!isObject(tool)) throw wrongType(at, 'a tool', tool);
    if (unionMember(tool, ['toolSpec', 'systemTool', 'cachePoint'], at) !== 'toolSpec') return;
    const spec = tool.toolSpec;
    if (!isObject(spec) || typeof spec.name !== 'string' || !TOOL_NAME.test(spec.name)) {
      throw invalid(`1 validation error detected: Value at '${at}.toolSpec.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+`, `${at}.toolSpec.name`);
    }
    if (spec.description !== undefined && typeof spec.description !== 'string') throw wrongType(`${at}.toolSpec.description`, 'a string', spec.description);
    if (!isObject(spec.inputSchema) || !isObject(spec.inputSchema.json)) throw wrongType(`${at}.toolSpec.inputSchema.json`, 'a JSON schema object', spec.inputSchema);
    if (names.includes(spec.name)) throw invalid(`The toolConfig contains duplicate tool names: ${spec.name}`, `${at}.toolSpec.name`);
    names.push(spec.name);
  });
  if (v.toolChoice === undefined) return { names, choice: 'auto' };
  if (!isObject(v.toolChoice)) throw wrongType('toolConfig.toolChoice', 'a tool choice', v.toolChoice);
  const kind = unionMember(v.toolChoice, ['auto', 'any', 'tool'], 'toolConfig.toolChoice');
  if (kind !== 'tool') return { names, choice: 'auto' };
  const named = v.toolChoice.tool;
  if (!isObject(named) || typeof named.name !== 'string' || !names.includes(named.name)) {
    throw invalid(`toolConfig.toolChoice.tool.name: the tool ${JSON.stringify(isObject(named) ? named.name : named)} is not one of the tools in toolConfig.tools.`, 'toolConfig.toolChoice.tool.name');
  }
  return { names, choice: { name: named.name } };
}
