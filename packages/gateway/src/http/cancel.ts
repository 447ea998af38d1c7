/**
 * Cancellation on the request path: the part of `AbortController`/`AbortSignal` the gateway and
 * undici use (`aborted`, `reason`, abort listeners), without Node's `EventTarget`.
 *
 * Why not AbortController: on Node 20 an `AbortSignal` outlives the young-generation GC that a
 * request-scoped object should die in (a loop making signals nobody keeps sees a third of its
 * allocation survive each scavenge; plain objects: 2%). A request made three of them, and each
 * kept its listeners' closures, so most of a miss's objects were promoted to the old generation:
 * ~600 KB a scavenge at 1,000 req/s, a mark-compact every few seconds, each stalling one core for
 * ~90 ms. This class is an ordinary object, so it dies young with the request.
 *
 * undici accepts it as a request's `signal` (it needs `aborted`, `reason`, `addEventListener` and
 * `removeEventListener`), and a real `AbortSignal` satisfies `Signal`, so tests and callers may
 * still pass one.
 */

/** What the request path reads from a cancellation signal. */
export interface Signal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export class Cancellation implements Signal {
  aborted = false;
  reason: unknown = undefined;
  /** Usually one or two; every listener runs at most once (abort happens once). */
  private listeners: Array<() => void> | undefined;

  /** The signal side, for symmetry with AbortController (it is this object). */
  get signal(): Signal {
    return this;
  }

  addEventListener(type: 'abort', listener: () => void): void {
    if (type !== 'abort' || this.aborted) return;
    (this.listeners ??= []).push(listener);
  }

  removeEventListener(type: 'abort', listener: () => void): void {
    if (type !== 'abort' || !this.listeners) return;
    const at = this.listeners.indexOf(listener);
    if (at >= 0) this.listeners.splice(at, 1);
  }

  /**
   * Aborts once; later calls do nothing. Every listener runs even when one throws; the first
   * error is rethrown after the last listener ran (EventTarget would report it as uncaught).
   */
  abort(reason: unknown = new Error('aborted')): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (!listeners) return;
    let failure: { error: unknown } | undefined;
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}
