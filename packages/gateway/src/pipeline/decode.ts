/**
 * Decoding: the caller's bytes as JSON (parsed once, with a nesting bound) and then as the
 * endpoint's request, validated. Synchronous; reading the bytes is the transport's.
 */
import { parseJsonObject } from '../http/body.js';

export interface DecodedBody<R> {
  /** The request, validated and in the form the steps read. */
  readonly request: R;
  /** The parsed body, for the cache key. */
  readonly body: Record<string, unknown>;
  /** The bytes as received: sent on unchanged where nothing needs rewriting. */
  readonly raw: Buffer;
}

/** @throws GatewayError 400 for a body that is not a JSON object or not a valid request */
export function decodeBody<R>(raw: Buffer, decode: (body: Record<string, unknown>) => R): DecodedBody<R> {
  const body = parseJsonObject(raw);
  return { request: decode(body), body, raw };
}
