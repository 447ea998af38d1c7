/**
 * The `authentication` step: the caller behind the presented key. Synchronous: one hash and
 * one map lookup.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { presentedKey, type ApiKeyRegistry, type Caller } from '../auth/api-keys.js';
import { GatewayError, unauthorized } from '../http/errors.js';

/**
 * @throws GatewayError 401 for a missing or unknown key; 415 for a POST body that is not JSON
 *   while the gateway is open
 */
export function authenticate(keys: ApiKeyRegistry, method: string, headers: IncomingHttpHeaders): Caller {
  // Open, the gateway spends its provider keys for anyone: a web page the developer visits
  // could do that with a cross-site "simple" POST (text/plain needs no CORS preflight), so only
  // JSON bodies, which browsers send cross-site only after a preflight, are accepted.
  if (keys.open && method === 'POST' && !isJsonType(headers['content-type'])) {
    throw new GatewayError(415, 'invalid_request_error', 'Send the request body as JSON, with "Content-Type: application/json".', null, 'unsupported_media_type');
  }
  const caller = keys.authenticate(presentedKey(headers));
  if (!caller) throw unauthorized('Missing or invalid API key. Send it as "Authorization: Bearer <key>".');
  return caller;
}

/** `application/json` or a `+json` type, with or without parameters. */
function isJsonType(contentType: string | undefined): boolean {
  return contentType !== undefined && /^\s*application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i.test(contentType);
}
