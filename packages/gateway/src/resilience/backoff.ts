/**
 * How long to wait before retrying the same target: exponential backoff with full jitter (a
 * random delay between 0 and `min(maxDelayMs, baseDelayMs * 2^(retry-1))`), which spreads the
 * retries of many callers instead of synchronising them; or the provider's own `retry-after`,
 * when it gave one, up to `retryAfterCapMs`.
 */
import type { RetryConfig } from '../config/resilience.js';

/**
 * @param retry 1 for the first retry, 2 for the second, ...
 * @param retryAfterMs what the provider asked for, if anything
 * @returns milliseconds to wait, or undefined when the provider asked for longer than the cap
 *   (then the request should move on to the next target instead of waiting)
 * @example backoffDelay(2, { baseDelayMs: 100, maxDelayMs: 2000, retryAfterCapMs: 5000 }) // in [0, 200)
 */
export function backoffDelay(
  retry: number,
  config: Pick<RetryConfig, 'baseDelayMs' | 'maxDelayMs' | 'retryAfterCapMs'>,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number | undefined {
  if (retryAfterMs !== undefined && retryAfterMs > 0) {
    return retryAfterMs <= config.retryAfterCapMs ? retryAfterMs : undefined;
  }
  const cap = Math.min(config.maxDelayMs, config.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * cap);
}
