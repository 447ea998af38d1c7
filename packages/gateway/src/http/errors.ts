/**
 * Errors as callers see them: always the OpenAI error shape
 * `{"error":{"message","type","param","code"}}` with the right HTTP status, never a stack trace.
 */

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'api_error'
  | 'upstream_error'
  | 'timeout_error'
  | 'service_unavailable';

export class GatewayError extends Error {
  override readonly name = 'GatewayError';

  constructor(
    readonly status: number,
    readonly type: ErrorType,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    /** Extra response headers, e.g. `retry-after` on 429. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  /** The OpenAI-shaped body, as bytes ready to write. */
  body(): string {
    return errorBody(this.message, this.type, this.param, this.code);
  }
}

export function errorBody(message: string, type: string, param: string | null = null, code: string | null = null): string {
  return JSON.stringify({ error: { message, type, param, code } });
}

export const badRequest = (message: string, param: string | null = null, code: string | null = 'invalid_request') =>
  new GatewayError(400, 'invalid_request_error', message, param, code);

export const notFound = (message: string, param: string | null = null, code: string | null = 'not_found') =>
  new GatewayError(404, 'not_found_error', message, param, code);

export const unauthorized = (message: string) =>
  new GatewayError(401, 'authentication_error', message, null, 'invalid_api_key');

export const payloadTooLarge = (limit: number) =>
  new GatewayError(413, 'invalid_request_error', `Request body exceeds the limit of ${limit} bytes.`, null, 'request_too_large');

/** An error that knows what the caller should see (an upstream failure, a broken stream). */
interface CallerFacing {
  toGatewayError(): GatewayError;
}

/** Any thrown value as a GatewayError: unknown errors become a bare 500 with no internals. */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  if (typeof (err as Partial<CallerFacing> | null)?.toGatewayError === 'function') return (err as CallerFacing).toGatewayError();
  return new GatewayError(500, 'api_error', 'The gateway failed to handle the request.', null, 'internal_error');
}

/** True when `err` is not one the gateway expected: its 500 must be logged with its cause. */
export function isInternal(err: unknown): boolean {
  return toGatewayError(err).code === 'internal_error';
}
