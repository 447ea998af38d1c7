/**
 * Google API errors (`{"error":{"code","message","status","details"}}`, the google.rpc.Status
 * shape the Gemini API and Vertex AI share) as UpstreamErrors: `RESOURCE_EXHAUSTED` / 429 is
 * rate limiting (waiting as long as `retry-after` or `google.rpc.RetryInfo` asks), 5xx and
 * `UNAVAILABLE` are retryable, an invalid or missing key is the gateway's credentials (502),
 * and any other 4xx is the caller's request, passed on in OpenAI's shape with Google's message.
 */
import { ProviderErrorReason } from '@llm-edge/semconv';
import { GatewayError } from '../../http/errors.js';
import { parseObject } from '../answer-checks.js';
import { parseRetryAfter, UpstreamError } from '../upstream-error.js';
import type { UpstreamResponse } from '../upstream-client.js';

type Json = Record<string, unknown>;

export interface GoogleError {
  readonly code?: number;
  readonly message?: string;
  readonly status?: string;
  readonly details?: unknown[];
}

const SERVER_STATUSES = new Set(['UNAVAILABLE', 'INTERNAL', 'DEADLINE_EXCEEDED', 'UNKNOWN', 'ABORTED']);
const AUTH_REASONS = new Set(['API_KEY_INVALID', 'API_KEY_SERVICE_BLOCKED', 'ACCESS_TOKEN_EXPIRED', 'ACCESS_TOKEN_TYPE_UNSUPPORTED', 'CREDENTIALS_MISSING']);

export function parseGoogleError(body: Buffer | string): GoogleError {
  const parsed = parseObject(typeof body === 'string' ? body : body.toString('utf8'));
  const err = parsed?.error;
  if (typeof err !== 'object' || err === null || Array.isArray(err)) return {};
  const e = err as Json;
  // Vertex's Anthropic models answer in Anthropic's error shape: `{"type":"error","error":{"type","message"}}`.
  return {
    code: typeof e.code === 'number' ? e.code : undefined,
    message: typeof e.message === 'string' ? e.message : undefined,
    status: typeof e.status === 'string' ? e.status : typeof e.type === 'string' ? e.type : undefined,
    details: Array.isArray(e.details) ? e.details : undefined,
  };
}

/** Seconds from a google.rpc.RetryInfo detail (`"retryDelay": "33s"` or `"1.5s"`). */
export function retryInfoDelay(details: unknown[] | undefined): number | undefined {
  for (const d of details ?? []) {
    if (typeof d !== 'object' || d === null) continue;
    const detail = d as Json;
    if (typeof detail['@type'] !== 'string' || !detail['@type'].endsWith('google.rpc.RetryInfo')) continue;
    const delay = detail.retryDelay;
    if (typeof delay === 'string') {
      const m = /^(\d+(?:\.\d+)?)s$/.exec(delay.trim());
      if (m) return Number(m[1]);
    } else if (typeof delay === 'object' && delay !== null) {
      const { seconds, nanos } = delay as { seconds?: unknown; nanos?: unknown };
      const s = Number(seconds ?? 0) + Number(nanos ?? 0) / 1e9;
      if (Number.isFinite(s) && s >= 0) return s;
    }
  }
  return undefined;
}

function errorInfoReason(details: unknown[] | undefined): string | undefined {
  for (const d of details ?? []) {
    if (typeof d === 'object' && d !== null && typeof (d as Json).reason === 'string' && String((d as Json)['@type'] ?? '').endsWith('google.rpc.ErrorInfo')) {
      return (d as Json).reason as string;
    }
  }
  return undefined;
}

/** A non-2xx Google answer as an UpstreamError. */
export function googleFailure(provider: string, status: number, headers: UpstreamResponse['headers'], body: Buffer): UpstreamError {
  const err = parseGoogleError(body);
  const what = err.status ? `HTTP ${status} ${err.status}` : `HTTP ${status}`;
  if (status === 429 || err.status === 'RESOURCE_EXHAUSTED' || err.status === 'rate_limit_error') {
    const retryAfter = parseRetryAfter(headers['retry-after']) ?? retryInfoDelay(err.details);
    return new UpstreamError(provider, ProviderErrorReason.rateLimited, 'rate limited', status, retryAfter);
  }
  if (status >= 500 || status === 408 || (err.status !== undefined && SERVER_STATUSES.has(err.status))) {
    return new UpstreamError(provider, ProviderErrorReason.server, what, status, parseRetryAfter(headers['retry-after']) ?? retryInfoDelay(err.details));
  }
  const reason = errorInfoReason(err.details);
  if (status === 401 || status === 403 || err.status === 'UNAUTHENTICATED' || err.status === 'PERMISSION_DENIED' || (reason !== undefined && AUTH_REASONS.has(reason))) {
    const callerError = new GatewayError(502, 'upstream_error', `Provider ${provider} rejected the gateway's credentials (${what}).`, null, 'upstream_auth');
    return new UpstreamError(provider, ProviderErrorReason.client, what, status, undefined, callerError);
  }
  const type = status === 404 ? 'not_found_error' : 'invalid_request_error';
  const message = err.message ?? `Provider ${provider} refused the request (HTTP ${status}).`;
  const callerError = new GatewayError(status, type, message, null, err.status ?? null);
  return new UpstreamError(provider, ProviderErrorReason.client, what, status, undefined, callerError);
}
