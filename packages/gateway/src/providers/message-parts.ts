/**
 * Reading canonical messages for providers whose wire formats differ from OpenAI's in the same
 * two places: a message's text as one string, and a tool call's arguments as a JSON object.
 */
import type { ChatMessage } from '../api/types.js';
import { badRequest } from '../http/errors.js';

/** A message's text parts joined by newlines (a string content as it is). */
export function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content
    .filter((p): p is { type: 'text'; text: string } => p.type === 'text')
    .map((p) => p.text)
    .join('\n');
}

/**
 * A tool call's arguments as the object Anthropic's `tool_use.input` and Bedrock's
 * `toolUse.input` require: anything else would be the provider's 400, so it is the caller's now.
 * @throws GatewayError 400 for arguments that are not a JSON object
 */
export function argumentsObject(args: string): Record<string, unknown> {
  let input: unknown;
  try {
    input = args ? JSON.parse(args) : {};
  } catch {
    input = undefined;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw badRequest('Tool call arguments must be a JSON object.', 'messages', 'invalid_tool_arguments');
  }
  return input as Record<string, unknown>;
}
