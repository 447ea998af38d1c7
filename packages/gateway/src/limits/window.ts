/**
 * The limit algorithm: a sliding-window counter per key. Counts are kept for the current and the
 * previous fixed one-minute window, and the usage "in the last minute" is the current count plus
 * the previous one weighted by how much of it still overlaps the sliding minute. It needs two
 * counters per dimension instead of a log of every request, has no double burst at window
 * boundaries as a fixed window does, and fits in one small Redis hash. The Redis script
 * (redis-store.ts) applies the same rules atomically; this module also derives the headers'
 * numbers (remaining, reset, retry-after) from a state either store returns.
 */

/** One minute: the limits are per minute. */
export const WINDOW_MS = 60_000;

/** Counters of one key: requests (r) and tokens (t), current (c) and previous (p) window. */
export interface WindowState {
  /** Start of the current fixed window, ms. */
  ws: number;
  rc: number;
  rp: number;
  tc: number;
  tp: number;
}

export interface Limits {
  /** 0 = no limit. */
  readonly requests: number;
  readonly tokens: number;
}

/** Moves the state to the window that holds `now`. */
export function roll(s: WindowState, now: number, windowMs = WINDOW_MS): void {
  const start = now - (now % windowMs);
  if (s.ws === start) return;
  const adjacent = start - s.ws === windowMs;
  s.rp = adjacent ? s.rc : 0;
  s.tp = adjacent ? s.tc : 0;
  s.rc = 0;
  s.tc = 0;
  s.ws = start;
}

/** Share of the previous window still inside the sliding window at `now`. */
function previousWeight(s: WindowState, now: number, windowMs: number): number {
  return (windowMs - (now - s.ws)) / windowMs;
}

export function requestsUsed(s: WindowState, now: number, windowMs = WINDOW_MS): number {
  return s.rp * previousWeight(s, now, windowMs) + s.rc;
}

export function tokensUsed(s: WindowState, now: number, windowMs = WINDOW_MS): number {
  return s.tp * previousWeight(s, now, windowMs) + s.tc;
}

/**
 * Admits one request of `tokens` if both limits allow it, counting it when they do.
 * @returns whether it was admitted; `state` is updated in place
 */
export function admit(s: WindowState, limits: Limits, tokens: number, now: number, windowMs = WINDOW_MS): boolean {
  roll(s, now, windowMs);
  if (limits.requests > 0 && requestsUsed(s, now, windowMs) + 1 > limits.requests) return false;
  if (limits.tokens > 0 && tokensUsed(s, now, windowMs) + tokens > limits.tokens) return false;
  s.rc += 1;
  s.tc += tokens;
  return true;
}

/** Corrects the token count by `delta` (real usage minus the estimate); never below zero. */
export function adjustTokens(s: WindowState, delta: number, now: number, windowMs = WINDOW_MS): void {
  roll(s, now, windowMs);
  s.tc += delta;
  if (s.tc < 0) {
    // The estimate was counted in the previous window: take the rest from there.
    s.tp = Math.max(0, s.tp + s.tc);
    s.tc = 0;
  }
}

/**
 * Milliseconds until `cost` more fits under `limit`, assuming no other traffic; Infinity when
 * it never can (a request larger than the whole limit).
 */
export function waitMs(previous: number, current: number, ws: number, limit: number, cost: number, now: number, windowMs = WINDOW_MS): number {
  if (cost > limit) return Infinity;
  const room = limit - cost;
  if (current <= room) {
    if (previous <= 0) return 0;
    // Wait until the previous window's weighted share drops to what is left.
    const at = ws + windowMs - ((room - current) * windowMs) / previous;
    return Math.max(0, at - now);
  }
  // Only the next window helps: then the current count becomes the weighted previous one.
  const into = windowMs * (1 - room / current);
  return Math.max(0, ws + windowMs + into - now);
}

/** Milliseconds until a dimension's usage is back to zero (OpenAI's meaning of "reset"). */
export function resetMs(previous: number, current: number, ws: number, now: number, windowMs = WINDOW_MS): number {
  if (current > 0) return ws + 2 * windowMs - now;
  if (previous > 0) return Math.max(0, ws + windowMs - now);
  return 0;
}
