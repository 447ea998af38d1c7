/**
 * Gemini `GenerateContentResponse` -> OpenAI chat completion: text parts join into `content`,
 * `functionCall` parts become `tool_calls` (ids made up, see tool-ids.ts), finish reasons and
 * `usageMetadata` map to OpenAI's names. Shared by the Gemini API and Vertex AI.
 */
import { randomBytes } from 'node:crypto';
import type { ChatCompletion, FinishReason, ToolCall, Usage } from '../../api/types.js';
import { isCount } from '../answer-checks.js';
import { newToolCallId } from './tool-ids.js';

type Json = Record<string, unknown>;

export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  totalTokenCount?: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
}

const CONTENT_FILTER = new Set([
  'SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION', 'LANGUAGE',
]);

/** Gemini's finishReason as OpenAI's; a STOP that ends in function calls is `tool_calls`. */
export function finishReason(reason: unknown, calledTools: boolean): FinishReason | null {
  if (typeof reason !== 'string' || reason === '' || reason === 'FINISH_REASON_UNSPECIFIED') return null;
  if (reason === 'MAX_TOKENS') return 'length';
  if (CONTENT_FILTER.has(reason)) return 'content_filter';
  return calledTools ? 'tool_calls' : 'stop';
}

/**
 * `usageMetadata` as OpenAI usage. Thinking tokens are billed as output, so they count as
 * completion tokens (and as reasoning tokens); tokens the model spent reading tool-use prompts
 * count as prompt. `totalTokenCount` is kept as Gemini reports it.
 */
export function toUsage(u: unknown): Usage | undefined {
  if (!isObject(u) || !isCount(u.promptTokenCount)) return undefined;
  const count = (n: unknown) => (isCount(n) ? n : 0);
  const thoughts = count(u.thoughtsTokenCount);
  const cached = count(u.cachedContentTokenCount);
  const prompt = u.promptTokenCount + count(u.toolUsePromptTokenCount);
  const completion = count(u.candidatesTokenCount) + thoughts;
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: isCount(u.totalTokenCount) ? u.totalTokenCount : prompt + completion };
  if (cached > 0) usage.prompt_tokens_details = { cached_tokens: cached };
  if (thoughts > 0) usage.completion_tokens_details = { reasoning_tokens: thoughts };
  return usage;
}

/** A whole answer: a candidates list, or a prompt refused outright (`promptFeedback.blockReason`). */
export function isGenerateContentResponse(v: Json): boolean {
  if (Array.isArray(v.candidates)) return v.candidates.every(isObject);
  return v.candidates === undefined && isObject(v.promptFeedback) && typeof v.promptFeedback.blockReason === 'string';
}

/** The text and function calls of one candidate (thought summaries are not part of the answer). */
export function candidateOutput(candidate: Json): { text: string; toolCalls: ToolCall[] } {
  let text = '';
  const toolCalls: ToolCall[] = [];
  const parts = isObject(candidate.content) && Array.isArray(candidate.content.parts) ? candidate.content.parts : [];
  for (const part of parts) {
    if (!isObject(part) || part.thought === true) continue;
    if (typeof part.text === 'string') text += part.text;
    else if (isObject(part.functionCall)) toolCalls.push(toToolCall(part.functionCall, part.thoughtSignature));
  }
  return { text, toolCalls };
}

export function toToolCall(call: Json, signature: unknown): ToolCall {
  return {
    id: newToolCallId(call.id, signature),
    type: 'function',
    function: { name: typeof call.name === 'string' ? call.name : '', arguments: JSON.stringify(isObject(call.args) ? call.args : {}) },
  };
}

export function completionId(responseId: unknown): string {
  return `chatcmpl-${typeof responseId === 'string' && responseId !== '' ? responseId : randomBytes(12).toString('hex')}`;
}

export function toChatCompletion(response: Json, model: string, created = Math.floor(Date.now() / 1000)): ChatCompletion {
  const candidates = Array.isArray(response.candidates) ? (response.candidates as Json[]) : [];
  const choices: ChatCompletion['choices'] = candidates.map((candidate, i) => {
    const { text, toolCalls } = candidateOutput(candidate);
    return {
      index: typeof candidate.index === 'number' ? candidate.index : i,
      message: { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text, refusal: null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
      finish_reason: finishReason(candidate.finishReason, toolCalls.length > 0) ?? 'stop',
      logprobs: null,
    };
  });
  if (choices.length === 0) {
    // The prompt itself was blocked: no candidate at all.
    choices.push({ index: 0, message: { role: 'assistant', content: '', refusal: null }, finish_reason: 'content_filter', logprobs: null });
  }
  const completion: ChatCompletion = {
    id: completionId(response.responseId),
    object: 'chat.completion',
    created,
    model: typeof response.modelVersion === 'string' && response.modelVersion !== '' ? response.modelVersion : model,
    choices,
  };
  const usage = toUsage(response.usageMetadata);
  if (usage) completion.usage = usage;
  return completion;
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
