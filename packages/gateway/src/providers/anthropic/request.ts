/**
 * OpenAI chat request -> Anthropic Messages request: system prompts move to `system`, tool
 * results become `tool_result` blocks in a user turn, tool calls become `tool_use` blocks, images
 * become image blocks, and consecutive turns of one role merge (Anthropic wants them alternating).
 */
import type { ChatMessage, ChatRequest, ContentPart, ToolChoice } from '../../api/types.js';
import { badRequest } from '../../http/errors.js';
import { argumentsObject, textOf } from '../message-parts.js';

/** Anthropic requires `max_tokens`; OpenAI callers often leave it out. */
export const DEFAULT_MAX_TOKENS = 4096;

type Block = Record<string, unknown>;
interface Turn { role: 'user' | 'assistant'; content: Block[] }

export function toAnthropicRequest(request: ChatRequest, stream: boolean): Record<string, unknown> {
  if (request.n !== undefined && request.n !== null && request.n > 1) {
    throw badRequest("Anthropic models return one choice: 'n' must be 1.", 'n', 'unsupported_value');
  }
  const system: string[] = [];
  const turns: Turn[] = [];
  for (const message of request.messages) {
    if (message.role === 'system' || message.role === 'developer') {
      system.push(textOf(message.content));
      continue;
    }
    const { role, blocks } = toTurn(message);
    const last = turns[turns.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  }

  const body: Record<string, unknown> = {
    model: request.model,
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? DEFAULT_MAX_TOKENS,
    messages: turns,
  };
  if (system.length > 0) body.system = system.join('\n\n');
  if (stream) body.stream = true;
  // Anthropic's temperature range is 0..1 where OpenAI's is 0..2.
  if (typeof request.temperature === 'number') body.temperature = Math.min(request.temperature, 1);
  if (typeof request.top_p === 'number') body.top_p = request.top_p;
  if (request.stop) body.stop_sequences = Array.isArray(request.stop) ? request.stop : [request.stop];
  if (request.user) body.metadata = { user_id: request.user };
  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((t, i) => {
      if (t.type !== 'function') throw badRequest(`Anthropic models take function tools only; tools[${i}] is '${t.type}'.`, `tools[${i}].type`, 'unsupported_value');
      return t;
    }).map((t) => ({
      name: t.function.name,
      ...(t.function.description ? { description: t.function.description } : {}),
      input_schema: t.function.parameters ?? { type: 'object', properties: {} },
    }));
  }
  const choice = toToolChoice(request.tool_choice, request.parallel_tool_calls);
  if (choice && body.tools) body.tool_choice = choice;
  return body;
}

function toTurn(message: ChatMessage): { role: 'user' | 'assistant'; blocks: Block[] } {
  if (message.role === 'tool' || message.role === 'function') {
    return {
      role: 'user',
      blocks: [{ type: 'tool_result', tool_use_id: message.tool_call_id ?? message.name ?? '', content: textOf(message.content) }],
    };
  }
  if (message.role === 'assistant') {
    const blocks = contentBlocks(message.content);
    for (const call of message.tool_calls ?? []) {
      blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: argumentsObject(call.function.arguments) });
    }
    return { role: 'assistant', blocks };
  }
  return { role: 'user', blocks: contentBlocks(message.content) };
}

function contentBlocks(content: ChatMessage['content']): Block[] {
  if (content === undefined || content === null || content === '') return [];
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map(partToBlock).filter((b): b is Block => b !== undefined);
}

function partToBlock(part: ContentPart): Block | undefined {
  if (part.type === 'text') return { type: 'text', text: (part as { text: string }).text };
  if (part.type === 'image_url') {
    const url = (part as { image_url: { url: string } }).image_url.url;
    const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
    return data
      ? { type: 'image', source: { type: 'base64', media_type: data[1], data: data[2] } }
      : { type: 'image', source: { type: 'url', url } };
  }
  return undefined;
}


function toToolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined): Block | undefined {
  const noParallel = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined) return parallel === false ? { type: 'auto', ...noParallel } : undefined;
  if (choice === 'none') return { type: 'none' };
  if (choice === 'auto') return { type: 'auto', ...noParallel };
  if (choice === 'required') return { type: 'any', ...noParallel };
  if (choice.type !== 'function') throw badRequest(`Anthropic models take a function tool_choice only, not '${choice.type}'.`, 'tool_choice', 'unsupported_value');
  return { type: 'tool', name: choice.function.name, ...noParallel };
}
