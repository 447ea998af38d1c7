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
  /** Rejects with the timeout error when the time is up; never resolves. */
  readonly expired: Promise<never>;

  constructor(
    private readonly caller: Signal,
    totalMs: number,
    timeoutError: () => Error,
  ) {
    this.onCallerAbort = () => this.controller.abort(caller.reason);
    if (caller.aborted) this.controller.abort(caller.reason);
    else caller.addEventListener('abort', this.onCallerAbort, { once: true });
    let expire!: (err: Error) => void;
    this.expired = new Promise<never>((_, reject) => (expire = reject));
    this.expired.catch(() => {}); // observed through Promise.race; never an unhandled rejection
    this.timer = setTimeout(() => {
      const err = timeoutError();
      this.controller.abort(err);
      expire(err);
    }, totalMs);
  }

  /** Aborts on the caller leaving or the time running out. */
  get signal(): Signal {
    return this.controller.signal;
  }

  /** The attempt answered: stop the clock, keep following the caller. */
  settle(): void {
    clearTimeout(this.timer);
  }

  /** The attempt is over for good (it failed): stop the clock and let go of the caller's signal. */
  dispose(): void {
    clearTimeout(this.timer);
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
