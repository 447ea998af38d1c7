/**
 * Stored conversations (`store`, `previous_response_id`): the pipeline keeps, under each
 * response id, the canonical conversation after that response, and prepends it to a follow-up.
 * Instructions are not part of it: OpenAI applies only the current request's `instructions`.
 */
import type { ChatCompletion, ChatMessage } from '../../api/types.js';
import { conversation, noCallFor } from './decode.js';
import { isObject } from './fields.js';
import { translateInput } from './input.js';
import type { ResponsesDecoded } from './types.js';

/**
 * The request continued from a stored conversation: `history` goes between this request's
 * instructions and its input.
 * @throws GatewayError 400 when a function_call_output answers a call neither the input nor the history holds
 * @example
 * const next = withHistory(decode({ model: 'gpt-4o', input: 'and then?', previous_response_id: id }), stored);
 */
export function withHistory(decoded: ResponsesDecoded, history: readonly ChatMessage[]): ResponsesDecoded {
  if (decoded.pendingOutputs.length > 0) {
    const calls = new Set<string>();
    for (const m of history) for (const call of m.tool_calls ?? []) calls.add(call.id);
    const orphan = decoded.pendingOutputs.find((o) => !calls.has(o.callId));
    if (orphan) throw noCallFor(orphan.callId, orphan.param);
  }
  const messages = conversation(decoded.echo.instructions, history, decoded.input);
  return { ...decoded, history, canonical: { ...decoded.canonical, messages } };
}

/**
 * The whole conversation after `completion` answered `decoded` (history, input, the assistant's
 * answer with its tool calls): what the pipeline stores under `decoded.responseId`.
 */
export function conversationAfter(decoded: ResponsesDecoded, completion: ChatCompletion): ChatMessage[] {
  const message = completion.choices[0]?.message;
  const answer: ChatMessage = { role: 'assistant', content: message?.content ?? null };
  if (message?.tool_calls && message.tool_calls.length > 0) answer.tool_calls = message.tool_calls;
  if (typeof message?.refusal === 'string') answer.refusal = message.refusal;
  return [...decoded.history, ...decoded.input, answer];
}

/**
 * The same for an answer that came natively as a Response object (OpenAI's own): its message
 * and function_call output items become the assistant's turn; reasoning and built-in tool items
 * are OpenAI's state and are not kept.
 */
export function conversationAfterResponse(decoded: ResponsesDecoded, response: Record<string, unknown>): ChatMessage[] {
  const output = Array.isArray(response.output) ? response.output : [];
  const items = output.filter((item) => isObject(item) && (item.type === 'message' || item.type === 'function_call'));
  let answer: ChatMessage[] = [];
  try {
    if (items.length > 0) answer = translateInput(items).messages;
  } catch {
    // A provider's item of a shape the gateway does not read: the turn is stored without it
    // rather than failing an answer that already succeeded.
  }
  return [...decoded.history, ...decoded.input, ...answer];
}
