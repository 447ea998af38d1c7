/**
 * Counts events over the last `windowMs` in a ring of time slices, so memory stays constant and
 * old events fall out on their own. Shared by the circuit breaker (successes, failures) and the
 * retry budget (requests, retries).
 */

/** Milliseconds since some epoch; injectable so tests control time. */
export type Clock = () => number;

export class SlidingWindow {
  private readonly sliceMs: number;
  /** Slice number (time / sliceMs) each ring slot currently holds. */
  private readonly sliceOf: Float64Array;
  /** Counts per slot and field, `slot * fields + field`. */
  private readonly counts: Float64Array;

  /**
   * @param windowMs how far back events count
   * @param fields how many separate counts to keep (e.g. 2: successes and failures)
   * @param slices resolution: the window moves in steps of `windowMs / slices`
   */
  constructor(
    windowMs: number,
    private readonly fields: number,
    private readonly clock: Clock = Date.now,
    private readonly slices = 10,
  ) {
    if (!(windowMs > 0)) throw new Error(`SlidingWindow: windowMs must be > 0, got ${windowMs}`);
    this.sliceMs = windowMs / slices;
    this.sliceOf = new Float64Array(slices).fill(-Infinity);
    this.counts = new Float64Array(slices * fields);
  }

  add(field: number, n = 1): void {
    const slice = Math.floor(this.clock() / this.sliceMs);
    const slot = slice % this.slices;
    if (this.sliceOf[slot] !== slice) {
      this.sliceOf[slot] = slice;
      this.counts.fill(0, slot * this.fields, (slot + 1) * this.fields);
    }
    this.counts[slot * this.fields + field]! += n;
  }

  /** Events of `field` within the window. */
  sum(field: number): number {
    const current = Math.floor(this.clock() / this.sliceMs);
    let total = 0;
    for (let slot = 0; slot < this.slices; slot++) {
      if (this.sliceOf[slot]! > current - this.slices) total += this.counts[slot * this.fields + field]!;
    }
    return total;
  }

  reset(): void {
    this.sliceOf.fill(-Infinity);
    this.counts.fill(0);
  }
}
