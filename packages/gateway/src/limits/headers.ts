/**
 * The OpenAI-style rate-limit headers: `x-ratelimit-limit-*`, `x-ratelimit-remaining-*` and
 * `x-ratelimit-reset-*` for requests and tokens (only for the limits a key has), and
 * `retry-after` in seconds on a 429.
 */
import { requestsUsed, resetMs, tokensUsed, waitMs, WINDOW_MS, type Limits, type WindowState } from './window.js';

/** `20ms`, `1.5s`, `6m0s`: the duration format of OpenAI's reset headers. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms - minutes * 60_000) / 10) / 100;
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}

export function limitHeaders(s: WindowState, limits: Limits, now: number): Record<string, string> {
  const headers: Record<string, string> = {};
  if (limits.requests > 0) {
    headers['x-ratelimit-limit-requests'] = String(limits.requests);
    headers['x-ratelimit-remaining-requests'] = String(Math.max(0, Math.floor(limits.requests - requestsUsed(s, now))));
    headers['x-ratelimit-reset-requests'] = formatDuration(resetMs(s.rp, s.rc, s.ws, now));
  }
  if (limits.tokens > 0) {
    headers['x-ratelimit-limit-tokens'] = String(limits.tokens);
    headers['x-ratelimit-remaining-tokens'] = String(Math.max(0, Math.floor(limits.tokens - tokensUsed(s, now))));
    headers['x-ratelimit-reset-tokens'] = formatDuration(resetMs(s.tp, s.tc, s.ws, now));
  }
  return headers;
}

/** Which limit refused a request, and how long until it would fit. */
export interface Refusal {
  readonly dimension: 'requests' | 'tokens';
  readonly limit: number;
  readonly used: number;
  readonly requested: number;
  /** Infinity when the request is larger than the whole limit. */
  readonly retryAfterMs: number;
}

/** Explains a refusal: the dimension that refused (requests first) and the wait until both fit. */
export function refusal(s: WindowState, limits: Limits, tokens: number, now: number): Refusal {
  const reqWait = limits.requests > 0 ? waitMs(s.rp, s.rc, s.ws, limits.requests, 1, now) : 0;
  const tokWait = limits.tokens > 0 ? waitMs(s.tp, s.tc, s.ws, limits.tokens, tokens, now) : 0;
  const retryAfterMs = Math.max(reqWait, tokWait, 1);
  const requestsFull = limits.requests > 0 && requestsUsed(s, now) + 1 > limits.requests;
  if (requestsFull || limits.tokens <= 0) {
    return { dimension: 'requests', limit: limits.requests, used: Math.ceil(requestsUsed(s, now)), requested: 1, retryAfterMs };
  }
  return { dimension: 'tokens', limit: limits.tokens, used: Math.ceil(tokensUsed(s, now)), requested: tokens, retryAfterMs };
}

export { WINDOW_MS };
