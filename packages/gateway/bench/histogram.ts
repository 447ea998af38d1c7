/**
 * A latency histogram with 1% relative precision from 1 µs to ~100 s in a fixed ~2,000 buckets:
 * sub-millisecond percentiles (autocannon's own histogram counts whole milliseconds) at a
 * constant memory cost, so a ten-minute soak records every response without growing.
 */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
const MIN_US = 1;
const BUCKETS = Math.ceil(Math.log(1e8 / MIN_US) / LOG_GROWTH) + 1;

export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private sum = 0;
  private maxMs = 0;

  /** Records one duration in milliseconds. */
  record(ms: number): void {
    const us = ms * 1000;
    const index = us <= MIN_US ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(us / MIN_US) / LOG_GROWTH));
    this.counts[index]! += 1;
    this.total += 1;
    this.sum += ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  get count(): number {
    return this.total;
  }

  /** The value (ms) at or below which `p` percent of the recordings fall (bucket upper bound). */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.ceil((p / 100) * this.total);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.maxMs, (MIN_US * GROWTH ** i) / 1000);
    }
    return this.maxMs;
  }

  summary(): Percentiles {
    return {
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
      max: this.maxMs,
      mean: this.total === 0 ? 0 : this.sum / this.total,
    };
  }
}
