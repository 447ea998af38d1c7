/**
 * Anthropic Messages answers -> OpenAI chat completions: text blocks join into `content`,
 * `tool_use` blocks become `tool_calls`, stop reasons and usage map to OpenAI's names.
 */
import type { ChatCompletion, FinishReason, ToolCall, Usage } from '../../api/types.js';
import { isCount } from '../answer-checks.js';

export interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

export interface AnthropicMessage {
  id: string;
  model: string;
  content: Array<{ type: string; text?: string; id?: string; name?: string; input?: unknown }>;
  stop_reason: string | null;
  usage?: AnthropicUsage;
}

const FINISH: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/** A whole Messages answer: a message whose content is a list of blocks. */
export function isAnthropicMessage(v: Record<string, unknown>): v is AnthropicMessage & Record<string, unknown> {
  return v.type === 'message' && Array.isArray(v.content) && v.content.every((b) => typeof b === 'object' && b !== null && typeof (b as { type?: unknown }).type === 'string');
}

export function finishReason(stopReason: string | null | undefined): FinishReason | null {
  return stopReason ? FINISH[stopReason] ?? 'stop' : null;
}

export function toUsage(u: AnthropicUsage | undefined): Usage | undefined {
  if (!u || !isCount(u.input_tokens)) return undefined;
  // A count that is not a whole number (a provider bug) counts nothing rather than NaN.
  const count = (n: unknown) => (isCount(n) ? n : 0);
  const cached = count(u.cache_read_input_tokens);
  const prompt = u.input_tokens + cached + count(u.cache_creation_input_tokens);
  const completion = count(u.output_tokens);
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (cached > 0) usage.prompt_tokens_details = { cached_tokens: cached };
  return usage;
}

export function toChatCompletion(message: AnthropicMessage, created = Math.floor(Date.now() / 1000)): ChatCompletion {
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of message.content) {
    if (block.type === 'text') text += typeof block.text === 'string' ? block.text : '';
    else if (block.type === 'tool_use') {
      toolCalls.push({ id: String(block.id ?? ''), type: 'function', function: { name: String(block.name ?? ''), arguments: JSON.stringify(block.input ?? {}) } });
    }
  }
  const completion: ChatCompletion = {
    id: message.id,
    object: 'chat.completion',
    created,
    model: message.model,
    choices: [
      {
        index: 0,
        // `refusal` is required (nullable) by OpenAI's schema: generated clients reject its absence.
        message: { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text, refusal: null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
        finish_reason: finishReason(message.stop_reason),
        logprobs: null,
      },
    ],
  };
  const usage = toUsage(message.usage);
  if (usage) completion.usage = usage;
  return completion;
}
