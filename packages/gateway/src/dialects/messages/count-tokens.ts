/**
 * `POST /v1/messages/count_tokens` for targets that are not Anthropic: the same validation as
 * `/v1/messages` (without `max_tokens`), and the gateway's own estimate of the prompt's tokens
 * on its canonical form (Anthropic targets answer with their own count, natively).
 */
import { estimatePromptTokens } from '../../telemetry/tokens.js';
import type { Json } from './checks.js';
import { toCanonical } from './to-canonical.js';
import { validateMessagesBody } from './validate.js';

/**
 * The estimated input tokens of a count_tokens body.
 * @throws GatewayError 400 whose `param` names the bad field
 */
export function countTokens(raw: Json): { input_tokens: number } {
  const body = validateMessagesBody(raw, { requireMaxTokens: false });
  return { input_tokens: estimatePromptTokens(toCanonical(body).canonical) };
}

/** The count_tokens answer as bytes to send. */
export function countTokensBody(raw: Json): string {
  return JSON.stringify(countTokens(raw));
}
