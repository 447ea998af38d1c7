/**
 * Reading canonical messages for providers whose wire formats differ from OpenAI's in the same
 * two places: a message's text as one string, and a tool call's arguments as a JSON object.
 */
import type { ChatMessage } from '../api/types.js';
import { badRequest } from '../http/errors.js';

/**
 * A message's text parts joined by newlines (a string content as it is).
 * @param field where the content is, for the 400 (`messages[2].content`)
 * @throws GatewayError 400 when the content is neither a string nor an array of parts
 */
export function textOf(content: ChatMessage['content'], field = 'messages'): string {
  if (typeof content === 'string') return content;
  if (content === undefined || content === null) return '';
  if (!Array.isArray(content)) throw badRequest(`${field} must be a string or an array of parts.`, field, 'invalid_type');
  return content
    .filter((p): p is { type: 'text'; text: string } => p.type === 'text' && typeof (p as { text?: unknown }).text === 'string')
    .map((p) => p.text)
    .join('\n');
}

/**
 * A tool call's arguments as the object Anthropic's `tool_use.input`, Bedrock's `toolUse.input`
 * and Gemini's `functionCall.args` require: anything else would be the provider's 400, so it is
 * the caller's now.
 * @param field where the arguments are, for the 400 (`messages[1].tool_calls[0].function.arguments`)
 * @throws GatewayError 400 for arguments that are not a JSON object
 */
export function argumentsObject(args: string, field = 'messages'): Record<string, unknown> {
  let input: unknown;
  try {
    input = args ? JSON.parse(args) : {};
  } catch {
    input = undefined;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw badRequest('Tool call arguments must be a JSON object.', field, 'invalid_tool_arguments');
  }
  return input as Record<string, unknown>;
}
