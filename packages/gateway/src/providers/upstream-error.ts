/**
 * A failed provider attempt, classified once so retries, breakers, metrics and the caller's
 * error all read the same verdict.
 */
import { ProviderErrorReason, type ProviderErrorReasonValue } from '@llm-edge/semconv';
import { GatewayError } from '../http/errors.js';

export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';

  constructor(
    readonly provider: string,
    readonly reason: ProviderErrorReasonValue,
    message: string,
    /** The provider's HTTP status, when it answered. */
    readonly status?: number,
    /** Seconds the provider asked us to wait (`retry-after`). */
    readonly retryAfter?: number,
    /** For client errors: the error to pass to the caller as it is. */
    readonly callerError?: GatewayError,
  ) {
    super(message);
  }

  /** Network errors, timeouts, 429 and 5xx may succeed on another try or target. */
  get retryable(): boolean {
    return this.reason !== ProviderErrorReason.client;
  }

  /** What the caller sees when no attempt succeeded. */
  toGatewayError(): GatewayError {
    if (this.callerError) return this.callerError;
    switch (this.reason) {
      case ProviderErrorReason.timeout:
        return new GatewayError(504, 'timeout_error', `Provider ${this.provider} timed out: ${this.message}`, null, 'upstream_timeout');
      case ProviderErrorReason.rateLimited:
        return new GatewayError(429, 'rate_limit_error', `Provider ${this.provider} is rate limiting the gateway.`, null, 'upstream_rate_limited',
          this.retryAfter !== undefined ? { 'retry-after': String(Math.ceil(this.retryAfter)) } : {});
      case ProviderErrorReason.circuitOpen:
        return new GatewayError(503, 'service_unavailable', this.message, null, 'no_healthy_provider');
      default:
        return new GatewayError(502, 'upstream_error', `Provider ${this.provider} failed: ${this.message}`, null, 'upstream_error');
    }
  }
}

/** Seconds from a `retry-after` header (delta-seconds or HTTP date). */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const seconds = Number(v);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/** Classifies a network-level failure from undici or node:net. */
export function fromNetworkError(provider: string, err: unknown): UpstreamError {
  if (err instanceof UpstreamError) return err;
  const e = err as { code?: string; name?: string; message?: string };
  const code = e.code ?? e.name ?? '';
  const timeout = /TIMEOUT|TimeoutError/i.test(code);
  return new UpstreamError(
    provider,
    timeout ? ProviderErrorReason.timeout : ProviderErrorReason.connection,
    timeout ? describeTimeout(code) : `connection failed (${code || e.message || 'unknown'})`,
  );
}

function describeTimeout(code: string): string {
  if (code.includes('CONNECT')) return 'no connection within the connect timeout';
  if (code.includes('HEADERS')) return 'no response within the first-byte timeout';
  if (code.includes('BODY')) return 'the response stalled longer than the idle timeout';
  return 'the attempt exceeded its total timeout';
}

/**
 * A provider's 4xx as the caller sees it: the provider's status and message in OpenAI's shape.
 * 401/403 mean the gateway's own credentials were refused, which is no fault of the caller: 502.
 * Both OpenAI's and Anthropic's error bodies carry `{"error":{"message","type",...}}`.
 */
export function providerClientError(provider: string, status: number, body: Buffer): GatewayError {
  let err: { message?: string; type?: string; param?: string | null; code?: string | null } = {};
  try {
    err = (JSON.parse(body.toString('utf8')) as { error?: typeof err }).error ?? {};
  } catch {
    // not JSON: keep the defaults below
  }
  if (status === 401 || status === 403) {
    return new GatewayError(502, 'upstream_error', `Provider ${provider} rejected the gateway's credentials (HTTP ${status}).`, null, 'upstream_auth');
  }
  const type = status === 404 ? 'not_found_error' : 'invalid_request_error';
  const message = err.message ?? `Provider ${provider} refused the request (HTTP ${status}).`;
  // OpenAI puts the machine-readable reason in `code`; Anthropic only has `type`.
  return new GatewayError(status, type, message, err.param ?? null, err.code ?? err.type ?? null);
}
