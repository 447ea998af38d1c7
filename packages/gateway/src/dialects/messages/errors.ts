/**
 * Gateway errors in Anthropic's shape, `{"type":"error","error":{"type","message"}}`, with the
 * error type Anthropic documents for the status (the SDKs pick their error class from the
 * status and show the type), and the in-stream `event: error` the SDKs raise.
 */
import type { GatewayError } from '../../http/errors.js';

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  502: 'api_error',
  // No healthy provider: Anthropic's word for "try again later" is overloaded.
  503: 'overloaded_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

/** Anthropic's error type for a gateway error. */
export function errorType(error: Pick<GatewayError, 'status' | 'type'>): string {
  const byStatus = TYPE_BY_STATUS[error.status];
  if (byStatus) return byStatus;
  if (error.type === 'timeout_error') return 'timeout_error';
  return error.status >= 500 ? 'api_error' : 'invalid_request_error';
}

/** The error body in Anthropic's shape. */
export function errorBody(error: Pick<GatewayError, 'status' | 'type' | 'message'>): string {
  return JSON.stringify({ type: 'error', error: { type: errorType(error), message: error.message } });
}

/** The SSE frame that ends a stream that failed after it started. */
export function streamErrorFrame(error: Pick<GatewayError, 'status' | 'type' | 'message'>): string {
  return `event: error\ndata: ${errorBody(error)}\n\n`;
}
