/**
 * Reads a request body once, straight from Node's `IncomingMessage` into one Buffer (no web
 * `Request`, no stream adapters: DESIGN.md's Performance section), refusing oversized bodies
 * before they are read whole.
 */
import type { IncomingMessage } from 'node:http';
import { badRequest, payloadTooLarge } from './errors.js';

/**
 * @param limit largest body accepted, in bytes
 * @throws GatewayError 413 when the declared or actual size exceeds `limit`
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(payloadTooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.resume(); // discard the rest; the response closes the connection
        reject(payloadTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/**
 * Deepest nesting of arrays and objects a body may have. Real requests (messages, content parts,
 * tool schemas) stay far below it; without a bound, every recursive step after parsing (the
 * cache key, re-encoding for a provider) could overflow the stack on a caller's 10,000 brackets.
 */
export const MAX_JSON_DEPTH = 100;

/** Parses a JSON object body, with errors a caller can act on. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) throw badRequest('The request body is empty; expected a JSON object.', null, 'empty_body');
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('The request body is not valid JSON.', null, 'invalid_json');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('The request body must be a JSON object.', null, 'invalid_json');
  }
  if (nestedDeeperThan(value, MAX_JSON_DEPTH)) {
    throw badRequest(`The request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`, null, 'json_too_deep');
  }
  return value as Record<string, unknown>;
}

/** True when `value` nests containers more than `levels` deep; recursion stops at the bound. */
function nestedDeeperThan(value: object, levels: number): boolean {
  if (levels === 0) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (typeof item === 'object' && item !== null && nestedDeeperThan(item, levels - 1)) return true;
    return false;
  }
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (typeof item === 'object' && item !== null && nestedDeeperThan(item, levels - 1)) return true;
  }
  return false;
}
