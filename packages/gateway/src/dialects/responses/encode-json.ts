/**
 * A canonical chat.completion as a Response object: the assistant's text (and refusal) becomes
 * one message item, each tool call a function_call item, in that order.
 */
import type { ChatCompletion } from '../../api/types.js';
import { functionCallItemId, messageItemId } from './ids.js';
import { responseObject, statusOf } from './response-object.js';
import type { OutputItem, ResponseObject, ResponsesDecoded } from './types.js';

/**
 * The Response object for a complete answer (`response.output_text` is the SDK's to compute).
 * @example
 * const body = encodeJson(completion, decoded); // '{"id":"resp_...","object":"response",...}'
 */
export function encodeJson(completion: ChatCompletion, request: ResponsesDecoded): string {
  return JSON.stringify(completionToResponse(completion, request));
}

/** The same as an object (the stream's final event carries it too). */
export function completionToResponse(completion: ChatCompletion, request: ResponsesDecoded): ResponseObject {
  const choice = completion.choices[0];
  const { status, incompleteReason } = statusOf(choice?.finish_reason);
  const itemStatus = status === 'incomplete' ? 'incomplete' : 'completed';
  const output: OutputItem[] = [];
  const message = choice?.message;
  const content: Array<Record<string, unknown>> = [];
  if (typeof message?.content === 'string') content.push(outputText(message.content));
  if (typeof message?.refusal === 'string' && message.refusal !== '') content.push({ type: 'refusal', refusal: message.refusal });
  if (content.length > 0) {
    output.push({ type: 'message', id: messageItemId(request.responseId, 0), status: itemStatus, role: 'assistant', content });
  }
  for (const call of message?.tool_calls ?? []) {
    output.push(functionCallItem(functionCallItemId(request.responseId, output.length), call.id, call.function.name, call.function.arguments, 'completed'));
  }
  return responseObject(request, { model: completion.model, createdAt: completion.created, status, incompleteReason, output, usage: completion.usage });
}

/** An output_text content part. */
export function outputText(text: string): Record<string, unknown> {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

/** A function_call output item. */
export function functionCallItem(id: string, callId: string, name: string, args: string, status: string): OutputItem {
  return { type: 'function_call', id, call_id: callId, name, arguments: args, status };
}
