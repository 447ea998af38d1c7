/**
 * Token estimates for when a provider reports no usage, and for admitting a request against a
 * tokens-per-minute limit before the call. About four characters a token for English text, as
 * the providers' own guidance says; estimates are marked as such wherever they are reported.
 */
import type { ChatRequest, EmbeddingsRequest } from '../api/types.js';

const CHARS_PER_TOKEN = 4;
/** Role and framing tokens each message costs beyond its text. */
const PER_MESSAGE_TOKENS = 4;

export function estimateTextTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** Prompt tokens of a chat request: message texts, tool definitions, framing. */
export function estimatePromptTokens(request: ChatRequest): number {
  let tokens = 3;
  for (const m of request.messages) {
    tokens += PER_MESSAGE_TOKENS;
    if (typeof m.content === 'string') tokens += estimateTextTokens(m.content);
    else if (Array.isArray(m.content)) {
      for (const part of m.content) if (part.type === 'text') tokens += estimateTextTokens(String((part as { text: unknown }).text ?? ''));
    }
    for (const call of m.tool_calls ?? []) tokens += estimateTextTokens(call.function.arguments) + PER_MESSAGE_TOKENS;
  }
  if (request.tools) tokens += estimateTextTokens(JSON.stringify(request.tools));
  return tokens;
}

/** Tokens a request may use at most: its prompt plus its completion budget (for limits). */
export function estimateRequestTokens(request: ChatRequest): number {
  return estimatePromptTokens(request) + (request.max_completion_tokens ?? request.max_tokens ?? 0);
}

export function estimateEmbeddingTokens(request: EmbeddingsRequest): number {
  const input = request.input;
  if (typeof input === 'string') return estimateTextTokens(input);
  let tokens = 0;
  for (const item of input) tokens += typeof item === 'string' ? estimateTextTokens(item) : Array.isArray(item) ? item.length : 1;
  return tokens;
}
