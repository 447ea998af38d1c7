/**
 * A canonical chat.completion -> an Anthropic Message answer: the text as a text block, each
 * tool call as a tool_use block (input parsed from its arguments), the stop reason and usage in
 * Anthropic's names.
 */
import type { ChatCompletion } from '../../api/types.js';
import { messageId, messageUsage, stopReason, toolInput } from './answer.js';
import type { MessagesDecoded } from './decode.js';
import type { Block, MessageAnswer } from './wire.js';

/** The Message for a canonical completion (its first choice: Messages has one). */
export function toMessage(completion: ChatCompletion, request: Pick<MessagesDecoded, 'model'>): MessageAnswer {
  const choice = completion.choices[0];
  const content: Block[] = [];
  const text = choice?.message.content || choice?.message.refusal || '';
  if (text !== '') content.push({ type: 'text', text });
  for (const call of choice?.message.tool_calls ?? []) {
    content.push({ type: 'tool_use', id: call.id, name: call.function.name, input: toolInput(call.function.arguments) });
  }
  return {
    id: messageId(completion.id),
    type: 'message',
    role: 'assistant',
    model: completion.model || request.model,
    content,
    stop_reason: stopReason(choice?.finish_reason) ?? 'end_turn',
    stop_sequence: null,
    usage: messageUsage(completion.usage),
  };
}

/** The Message JSON for a canonical completion, as bytes to send. */
export function encodeJson(completion: ChatCompletion, request: Pick<MessagesDecoded, 'model'>): string {
  return JSON.stringify(toMessage(completion, request));
}
