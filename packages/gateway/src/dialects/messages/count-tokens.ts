/**
 * `POST /v1/messages/count_tokens`: the same validation as `/v1/messages` (without
 * `max_tokens`); an Anthropic target counts natively with the caller's body, any other gets the
 * gateway's own estimate of the prompt's tokens on its canonical form.
 */
import { estimatePromptTokens } from '../../telemetry/tokens.js';
import type { Json } from './checks.js';
import type { MessagesDecoded } from './decode.js';
import { toCanonical } from './to-canonical.js';
import { validateMessagesBody } from './validate.js';

/** A count_tokens request, decoded: what routing and a native call need, and the canonical form to estimate. */
export type CountTokensDecoded = Pick<MessagesDecoded, 'canonical' | 'model' | 'body'>;

/**
 * Validates and decodes a count_tokens body.
 * @throws GatewayError 400 whose `param` names the bad field
 */
export function decodeCountTokens(raw: Json): CountTokensDecoded {
  const body = validateMessagesBody(raw, { requireMaxTokens: false });
  return { canonical: toCanonical(body).canonical, model: body.model, body };
}

/**
 * The estimated input tokens of a count_tokens body (its untranslatable parts, such as server
 * tools, count nothing: an estimate, not a refusal).
 * @throws GatewayError 400 whose `param` names the bad field
 */
export function countTokens(raw: Json): { input_tokens: number } {
  return { input_tokens: estimatePromptTokens(decodeCountTokens(raw).canonical) };
}

/** The count_tokens answer as bytes to send. */
export function countTokensBody(raw: Json): string {
  return JSON.stringify(countTokens(raw));
}
