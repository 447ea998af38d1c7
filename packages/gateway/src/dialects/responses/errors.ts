/**
 * Errors in the Responses dialect: the body is OpenAI's `{"error":{message,type,param,code}}`
 * (the GatewayError's own shape); a stream that fails after it started ends with an `error`
 * event carrying the documented top-level `code`, `message`, `param` and also the nested
 * `error` object the live API sends, which is what makes the official SDKs raise.
 */
import type { GatewayError } from '../../http/errors.js';
import { EventWriter } from './events.js';

/** The error body for `error` in OpenAI's shape. */
export function errorBody(error: GatewayError): string {
  return error.body();
}

/**
 * The `error` event's payload.
 * @param sequenceNumber the event's `sequence_number`: the count of events already sent (default 0)
 */
export function errorEvent(error: GatewayError, sequenceNumber = 0): string {
  const writer = new EventWriter(sequenceNumber);
  const { message, type, param, code } = error;
  const codeText = code ?? type;
  return writer.error({ code: codeText, message, param, error: { type, code: codeText, message, param } });
}

/**
 * The SSE bytes that end a stream that failed after it started: `event: error`.
 * @param sequenceNumber the count of events already sent, e.g. `encoder.sequenceNumber` (default 0)
 * @example
 * res.end(streamErrorFrame(new GatewayError(502, 'upstream_error', 'Provider failed'), encoder.sequenceNumber));
 */
export function streamErrorFrame(error: GatewayError, sequenceNumber = 0): string {
  return `event: error\ndata: ${errorEvent(error, sequenceNumber)}\n\n`;
}
