/**
 * Bedrock's errors classified once: the type from `x-amzn-errortype` (else the body's `__type`
 * or `code`), the message from the body's `message`. Throttling is a retryable 429, the
 * service's own failures are retryable 5xx, a refused signature or key is the gateway's
 * credentials failing (502 naming the provider, never the credential), and the rest (a
 * ValidationException, an unknown model) goes to the caller with Bedrock's message.
 */
import { ProviderErrorReason } from '@llm-edge/semconv';
import { GatewayError } from '../../http/errors.js';
import { parseRetryAfter, providerClientError, UpstreamError } from '../upstream-error.js';

type Headers = Record<string, string | string[] | undefined>;

const RATE_LIMITED = new Set(['ThrottlingException']);
/** Failures of the service or the model that another try may not meet. */
const SERVER = new Set([
  'InternalServerException', 'ServiceUnavailableException', 'ModelNotReadyException', 'ModelTimeoutException',
  'ModelErrorException', 'ModelStreamErrorException',
]);
/** The gateway's credentials refused: AWS answers these with 403 (some services 401). */
const CREDENTIALS = new Set([
  'AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException', 'IncompleteSignatureException',
  'MissingAuthenticationTokenException', 'ExpiredTokenException', 'InvalidClientTokenId', 'SignatureDoesNotMatch',
]);

/** Bedrock's error type and message from a failed answer. */
export function readError(headers: Headers, body: Buffer): { type: string; message: string | undefined } {
  let parsed: Record<string, unknown> = {};
  try {
    const v: unknown = JSON.parse(body.toString('utf8'));
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) parsed = v as Record<string, unknown>;
  } catch {
    // not JSON (a proxy's HTML page): the status decides
  }
  const header = headers['x-amzn-errortype'];
  const raw = (Array.isArray(header) ? header[0] : header) ?? stringField(parsed.__type) ?? stringField(parsed.code) ?? '';
  // `ValidationException:http://internal.amazon.com/...` or `com.amazon.coral#ValidationException`.
  const type = raw.split(':')[0]!.split('#').pop()!;
  return { type, message: stringField(parsed.message) ?? stringField(parsed.Message) };
}

/**
 * A non-2xx Converse answer as an UpstreamError.
 * @example
 * bedrockFailure('bedrock', 429, { 'x-amzn-errortype': 'ThrottlingException' }, body).retryable // true
 */
export function bedrockFailure(provider: string, status: number, headers: Headers, body: Buffer): UpstreamError {
  const { type, message } = readError(headers, body);
  const retryAfter = parseRetryAfter(headers['retry-after']);
  const label = type || `HTTP ${status}`;
  if (CREDENTIALS.has(type) || status === 401 || status === 403) {
    // Never the provider's message: AWS may echo the key id or the canonical request in it.
    return new UpstreamError(provider, ProviderErrorReason.client, `${label} (HTTP ${status})`, status, undefined, providerClientError(provider, status === 401 ? 401 : 403, Buffer.alloc(0)));
  }
  if (RATE_LIMITED.has(type) || (status === 429 && !SERVER.has(type))) {
    return new UpstreamError(provider, ProviderErrorReason.rateLimited, 'rate limited', status, retryAfter);
  }
  if (SERVER.has(type) || status >= 500 || status === 408) {
    return new UpstreamError(provider, ProviderErrorReason.server, `${label} (HTTP ${status})`, status, retryAfter);
  }
  const callerError = new GatewayError(
    status,
    status === 404 ? 'not_found_error' : 'invalid_request_error',
    message ?? `Provider ${provider} refused the request (HTTP ${status}).`,
    null,
    type || null,
  );
  return new UpstreamError(provider, ProviderErrorReason.client, `${label} (HTTP ${status})`, status, undefined, callerError);
}

/**
 * A `:message-type: exception` frame of a ConverseStream body (`throttlingException`,
 * `modelStreamErrorException`, ...): the stream is broken, or rate limited for throttling.
 */
export function streamException(provider: string, exceptionType: string, message: string | undefined): UpstreamError {
  const type = exceptionType.charAt(0).toUpperCase() + exceptionType.slice(1);
  const reason = RATE_LIMITED.has(type) ? ProviderErrorReason.rateLimited : ProviderErrorReason.streamBroken;
  return new UpstreamError(provider, reason, `${type}: ${message ?? 'stream error'}`);
}

function stringField(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
