/**
 * Token estimates for when a provider reports no usage, and for admitting a request against a
 * tokens-per-minute limit before the call. About four characters a token for English text, as
 * the providers' own guidance says; estimates are marked as such wherever they are reported.
 *
 * Every estimate is a finite whole number by construction: only string lengths and counts are
 * summed, and a field of an unexpected type counts nothing rather than `NaN` (a `NaN` estimate
 * would pass every limit comparison and switch the tokens-per-minute limit off).
 */
import type { ChatRequest, EmbeddingsRequest } from '../api/types.js';

const CHARS_PER_TOKEN = 4;
/** Role and framing tokens each message costs beyond its text. */
const PER_MESSAGE_TOKENS = 4;

export function estimateTextTokens(text: unknown): number {
  return typeof text === 'string' && text.length > 0 ? Math.ceil(text.length / CHARS_PER_TOKEN) : 0;
}

/** Prompt tokens of a chat request: message texts, tool definitions, framing. */
export function estimatePromptTokens(request: ChatRequest): number {
  let tokens = 3;
  for (const m of request.messages) {
    tokens += PER_MESSAGE_TOKENS;
    if (typeof m.content === 'string') tokens += estimateTextTokens(m.content);
    else if (Array.isArray(m.content)) {
      for (const part of m.content) if (part?.type === 'text') tokens += estimateTextTokens((part as { text?: unknown }).text);
    }
    if (Array.isArray(m.tool_calls)) {
      for (const call of m.tool_calls) tokens += estimateTextTokens(call?.function?.arguments) + PER_MESSAGE_TOKENS;
    }
  }
  if (request.tools) tokens += estimateTextTokens(JSON.stringify(request.tools));
  return tokens;
}

/** Tokens a request may use at most: its prompt plus its completion budget (for limits). */
export function estimateRequestTokens(request: ChatRequest): number {
  return estimatePromptTokens(request) + wholeTokens(request.max_completion_tokens ?? request.max_tokens);
}

function wholeTokens(n: unknown): number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : 0;
}

export function estimateEmbeddingTokens(request: EmbeddingsRequest): number {
  const input = request.input;
  if (typeof input === 'string') return estimateTextTokens(input);
  let tokens = 0;
  if (!Array.isArray(input)) return 0;
  for (const item of input) tokens += typeof item === 'string' ? estimateTextTokens(item) : Array.isArray(item) ? item.length : 1;
  return tokens;
}
