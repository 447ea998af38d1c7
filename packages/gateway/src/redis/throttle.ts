/**
 * Rate-limits a repeated log line: a Redis that is down fails every command and every reconnect,
 * and one line per failure would drown the logs the operator needs to read.
 */
export interface LogThrottle {
  /** Calls `emit` with how many calls were suppressed since the last emit, or not at all. */
  (emit: (suppressed: number) => void): void;
}

/**
 * @param intervalMs at most one emit per interval (default 5000)
 * @example
 * const warn = logThrottle();
 * client.on('error', (err) => warn((n) => log.warn({ err, suppressed: n }, 'redis error')));
 */
export function logThrottle(intervalMs = 5_000, now: () => number = Date.now): LogThrottle {
  let last = -Infinity;
  let suppressed = 0;
  return (emit) => {
    const t = now();
    if (t - last < intervalMs) {
      suppressed++;
      return;
    }
    last = t;
    const n = suppressed;
    suppressed = 0;
    emit(n);
  };
}
