import { Cancellation, type Signal } from '../http/cancel.js';

/**
 * The total timeout of one attempt: a signal that aborts when the caller leaves or when the
 * attempt has run for `totalMs`, whichever comes first. The clock stops when the attempt answers
 * (`settle`): for a stream that is its first event, so the total timeout bounds the time to the
 * first event and the provider's idle timeout bounds the gaps after it. The caller's abort keeps
 * flowing into the signal after that, so a caller who leaves mid-stream still releases the
 * upstream connection.
 */
export class AttemptDeadline {
  private readonly controller = new Cancellation();
  private readonly timer: NodeJS.Timeout;
  private readonly onCallerAbort: () => void;
  /** Rejects the pending `race` with the timeout error; dropped by settle() and dispose(). */
  private expire: ((err: Error) => void) | undefined;
  private timedOut: Error | undefined;

  constructor(
    private readonly caller: Signal,
    totalMs: number,
    timeoutError: () => Error,
  ) {
    this.onCallerAbort = () => this.controller.abort(caller.reason);
    if (caller.aborted) this.controller.abort(caller.reason);
    else caller.addEventListener('abort', this.onCallerAbort, { once: true });
    this.timer = setTimeout(() => {
      const err = timeoutError();
      this.timedOut = err;
      this.controller.abort(err);
      this.expire?.(err);
    }, totalMs);
  }

  /** Aborts on the caller leaving or the time running out. */
  get signal(): Signal {
    return this.controller.signal;
  }

  /**
   * The attempt's outcome, or the timeout error when the time runs out first (the attempt is
   * bounded even if it ignores its signal).
   *
   * Why not `Promise.race([attempt, expired])` with a promise that rejects on time-out: the race
   * leaves its resolvers on that promise, which never settles, so the answer stays reachable from
   * the deadline for as long as the deadline lives. At 1,000 req/s that kept every parsed answer
   * through two scavenges and promoted it (~1.1 MB/s of old-generation garbage, a mark-compact
   * every few seconds); measured with `--trace-gc-nvp` (bench/README.md, "The tail"). Here the
   * reject is held only until `settle()` or `dispose()`, which follow every race.
   */
  race<T>(attempt: Promise<T>): Promise<T> {
    if (this.timedOut) {
      attempt.catch(() => {}); // it was cut; what it says now is not heard
      return Promise.reject(this.timedOut);
    }
    return new Promise<T>((resolve, reject) => {
      this.expire = reject;
      attempt.then(resolve, reject);
    });
  }

  /** The attempt answered: stop the clock (and let go of the race), keep following the caller. */
  settle(): void {
    clearTimeout(this.timer);
    this.expire = undefined;
  }

  /** The attempt is over for good (it failed): stop the clock and let go of the caller's signal. */
  dispose(): void {
    clearTimeout(this.timer);
    this.expire = undefined;
    this.caller.removeEventListener('abort', this.onCallerAbort);
  }
}

/** Waits `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal: Signal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
