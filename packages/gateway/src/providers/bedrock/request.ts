/**
 * OpenAI chat request -> Bedrock Converse request: system prompts move to `system`, messages
 * become content blocks (text, image bytes, `toolUse`, `toolResult`), consecutive turns of one
 * role merge (Converse wants them alternating), sampling goes to `inferenceConfig`, tools to
 * `toolConfig`, and a JSON `response_format` becomes a forced tool whose input is the answer.
 */
import type { ChatMessage, ChatRequest, ContentPart, ToolChoice } from '../../api/types.js';
import { badRequest } from '../../http/errors.js';
import { argumentsObject, textOf } from '../message-parts.js';

type Block = Record<string, unknown>;
interface Turn { role: 'user' | 'assistant'; content: Block[] }

/** A Converse body, and the name of the forced tool that carries a JSON answer (if any). */
export interface ConverseCall {
  readonly body: Record<string, unknown>;
  /** The tool whose input is the answer's content (response_format), not a tool call. */
  readonly answerTool: string | undefined;
}

const IMAGE_FORMATS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/jpg': 'jpeg', 'image/gif': 'gif', 'image/webp': 'webp' };
const TOOL_NAME = /[^a-zA-Z0-9_-]/g;

/**
 * Translates a canonical chat request into a Converse body.
 * @example
 * toConverseRequest({ model: 'amazon.nova-lite-v1:0', messages: [{ role: 'user', content: 'hi' }] }).body
 * // { messages: [{ role: 'user', content: [{ text: 'hi' }] }] }
 */
export function toConverseRequest(request: ChatRequest): ConverseCall {
  if (request.n !== undefined && request.n !== null && request.n > 1) {
    throw badRequest("Bedrock models return one choice: 'n' must be 1.", 'n', 'unsupported_value');
  }
  // Only Claude takes a toolResult's `status`; other Converse models refuse the field.
  const withStatus = /(^|\.)anthropic\./.test(request.model);
  const system: Block[] = [];
  const turns: Turn[] = [];
  const toolNamesUsed = new Set<string>();
  for (const message of request.messages) {
    if (message.role === 'system' || message.role === 'developer') {
      const text = textOf(message.content);
      if (text !== '') system.push({ text });
      continue;
    }
    const turn = toTurn(message, withStatus, toolNamesUsed);
    if (turn.content.length === 0) continue; // Converse refuses empty content
    const last = turns[turns.length - 1];
    if (last && last.role === turn.role) last.content.push(...turn.content);
    else turns.push(turn);
  }

  const body: Record<string, unknown> = { messages: turns };
  if (system.length > 0) body.system = system;
  const inference = inferenceConfig(request);
  if (inference) body.inferenceConfig = inference;
  const { toolConfig, answerTool } = tools(request, toolNamesUsed);
  if (toolConfig) body.toolConfig = toolConfig;
  return { body, answerTool };
}

function inferenceConfig(request: ChatRequest): Block | undefined {
  const config: Block = {};
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (typeof maxTokens === 'number') config.maxTokens = maxTokens;
  // Converse's temperature range is 0..1 where OpenAI's is 0..2.
  if (typeof request.temperature === 'number') config.temperature = Math.min(request.temperature, 1);
  if (typeof request.top_p === 'number') config.topP = request.top_p;
  if (request.stop) config.stopSequences = Array.isArray(request.stop) ? request.stop : [request.stop];
  return Object.keys(config).length > 0 ? config : undefined;
}

/**
 * `toolConfig` from the tools, tool_choice and response_format. tool_choice `none` omits the
 * tools; but Converse refuses tool blocks in the history without a toolConfig, so the tools the
 * history used are declared then (with an open schema when the request no longer lists them).
 */
function tools(request: ChatRequest, usedInHistory: ReadonlySet<string>): { toolConfig: Block | undefined; answerTool: string | undefined } {
  const offered = (request.tools ?? []).map((t, i) => {
    if (t.type !== 'function') throw badRequest(`Bedrock models take function tools only; tools[${i}] is '${t.type}'.`, `tools[${i}].type`, 'unsupported_value');
    return toolSpec(t.function.name, t.function.description, t.function.parameters);
  });
  const answer = answerToolSpec(request.response_format);
  const choice = request.tool_choice;
  const callerTools = offered.length > 0 && choice !== 'none';
  if (answer && callerTools) {
    throw badRequest('Bedrock answers a JSON response_format through a forced tool, so it cannot be combined with tools.', 'response_format', 'unsupported_value');
  }
  if (answer) {
    const specs = [answer.spec, ...historyTools(usedInHistory, [])];
    return { toolConfig: { tools: specs, toolChoice: { tool: { name: answer.name } } }, answerTool: answer.name };
  }
  if (callerTools) {
    const toolConfig: Block = { tools: [...offered, ...historyTools(usedInHistory, offered.map(nameOf))] };
    const toolChoice = toToolChoice(choice);
    if (toolChoice) toolConfig.toolChoice = toolChoice;
    return { toolConfig, answerTool: undefined };
  }
  if (usedInHistory.size > 0) {
    const byName = new Map(offered.map((s) => [nameOf(s), s]));
    return { toolConfig: { tools: [...usedInHistory].map((n) => byName.get(n) ?? toolSpec(n, undefined, undefined)) }, answerTool: undefined };
  }
  return { toolConfig: undefined, answerTool: undefined };
}

const nameOf = (spec: Block): string => (spec.toolSpec as { name: string }).name;

/** Tools the history called that the request does not declare, with an open schema. */
function historyTools(used: ReadonlySet<string>, declared: readonly string[]): Block[] {
  return [...used].filter((n) => !declared.includes(n)).map((n) => toolSpec(n, undefined, undefined));
}

function toolSpec(name: string, description: string | undefined, parameters: Record<string, unknown> | undefined): Block {
  return {
    toolSpec: {
      name,
      ...(description ? { description } : {}),
      inputSchema: { json: parameters ?? { type: 'object', properties: {} } },
    },
  };
}

/** response_format json_schema / json_object as a tool the model must call with the answer. */
function answerToolSpec(format: Record<string, unknown> | undefined): { name: string; spec: Block } | undefined {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { name: 'json_object', spec: toolSpec('json_object', 'Answer with a JSON object.', { type: 'object' }) };
  if (format.type !== 'json_schema') throw badRequest(`Unsupported response_format type '${String(format.type)}'.`, 'response_format.type', 'unsupported_value');
  const def = (format.json_schema ?? {}) as { name?: unknown; description?: unknown; schema?: unknown };
  const name = (typeof def.name === 'string' && def.name !== '' ? def.name : 'json_answer').replace(TOOL_NAME, '_').slice(0, 64);
  const schema = typeof def.schema === 'object' && def.schema !== null ? (def.schema as Record<string, unknown>) : { type: 'object' };
  const description = typeof def.description === 'string' ? def.description : 'Answer with JSON matching this schema.';
  return { name, spec: toolSpec(name, description, schema) };
}

function toToolChoice(choice: ToolChoice | undefined): Block | undefined {
  if (choice === undefined) return undefined;
  if (choice === 'auto') return { auto: {} };
  if (choice === 'required') return { any: {} };
  if (choice === 'none') return undefined;
  if (choice.type !== 'function') throw badRequest(`Bedrock models take a function tool_choice only, not '${choice.type}'.`, 'tool_choice', 'unsupported_value');
  return { tool: { name: choice.function.name } };
}

function toTurn(message: ChatMessage, withStatus: boolean, toolNames: Set<string>): Turn {
  if (message.role === 'tool' || message.role === 'function') {
    const result: Block = { toolUseId: message.tool_call_id ?? message.name ?? '', content: [{ text: textOf(message.content) }] };
    if (withStatus) result.status = 'success';
    return { role: 'user', content: [{ toolResult: result }] };
  }
  if (message.role === 'assistant') {
    const content = contentBlocks(message.content, 'assistant');
    for (const call of message.tool_calls ?? []) {
      toolNames.add(call.function.name);
      content.push({ toolUse: { toolUseId: call.id, name: call.function.name, input: argumentsObject(call.function.arguments) } });
    }
    return { role: 'assistant', content };
  }
  return { role: 'user', content: contentBlocks(message.content, 'user') };
}

function contentBlocks(content: ChatMessage['content'], role: string): Block[] {
  if (content === undefined || content === null || content === '') return [];
  if (typeof content === 'string') return [{ text: content }];
  return content.map((part, i) => partToBlock(part, `messages[].content[${i}]`, role)).filter((b): b is Block => b !== undefined);
}

function partToBlock(part: ContentPart, at: string, role: string): Block | undefined {
  if (part.type === 'text') {
    const text = (part as { text: string }).text;
    return text === '' ? undefined : { text };
  }
  if (part.type === 'image_url') {
    if (role !== 'user') throw badRequest('Bedrock models take images in user messages only.', at, 'unsupported_value');
    const url = (part as { image_url: { url: string } }).image_url.url;
    const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
    const format = data ? IMAGE_FORMATS[data[1]!.toLowerCase()] : undefined;
    // Converse takes image bytes (or S3), not URLs it would fetch.
    if (!data || !format) throw badRequest('Bedrock models take images as base64 data: URLs of PNG, JPEG, GIF or WebP.', at, 'unsupported_value');
    return { image: { format, source: { bytes: data[2] } } };
  }
  return undefined;
}

