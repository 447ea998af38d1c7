/**
 * `POST /v1/messages` bodies -> the decoded request the pipeline runs: validated deeply, the
 * canonical form for translated targets, and the caller's body for a native (Anthropic) target.
 */
import type { Decoded } from '../types.js';
import type { GatewayError } from '../../http/errors.js';
import type { Json } from './checks.js';
import { toCanonical } from './to-canonical.js';
import { validateMessagesBody } from './validate.js';
import type { MessagesBody } from './wire.js';

/** A Messages request, decoded. */
export interface MessagesDecoded extends Decoded {
  /** The caller's body, validated, for a provider that speaks Messages natively. */
  readonly body: MessagesBody;
  /**
   * Set when the body holds something only a native Messages provider takes (a server tool, a
   * block kind with no canonical form): the 400 to answer before translating for another target.
   */
  readonly untranslatable: GatewayError | undefined;
}

/**
 * Validates and decodes a Messages body.
 * @throws GatewayError 400 whose `param` names the bad field in Messages terms
 */
export function decode(raw: Json): MessagesDecoded {
  const body = validateMessagesBody(raw, { requireMaxTokens: true });
  const { canonical, untranslatable } = toCanonical(body);
  const stream = body.stream === true;
  // A Messages stream always carries usage (message_start and message_delta): the caller cannot turn it off.
  return { canonical, model: body.model, stream, includeUsage: true, body, untranslatable };
}
