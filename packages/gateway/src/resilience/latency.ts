/**
 * Attempt latency per target as an exponentially weighted moving average, for the
 * `least-latency` strategy. A target without a recent sample scores undefined ("untried"), so
 * the strategy tries it first and measures it again: a target that was slow once is not
 * starved of traffic forever after it recovers.
 */
import type { LeastLatencyConfig } from '../config/resilience.js';
import { RecentMap } from './recent-map.js';
import type { Clock } from './sliding-window.js';

/** Targets whose latency is remembered; the least recently measured are forgotten first. */
const MAX_TARGETS = 1_000;

export class LatencyTracker {
  private readonly samples = new RecentMap<string, { ewmaMs: number; at: number }>(MAX_TARGETS);

  constructor(
    private readonly config: LeastLatencyConfig,
    private readonly clock: Clock = Date.now,
  ) {}

  record(targetId: string, ms: number): void {
    const now = this.clock();
    const sample = this.samples.get(targetId);
    if (!sample) {
      this.samples.set(targetId, { ewmaMs: ms, at: now });
      return;
    }
    // Updated in place: one object per target, not one per attempt.
    const fresh = now - sample.at < this.config.staleAfterMs;
    sample.ewmaMs = fresh ? sample.ewmaMs + this.config.ewmaAlpha * (ms - sample.ewmaMs) : ms;
    sample.at = now;
  }

  /** The moving average in ms, or undefined when the target has no recent sample. */
  score(targetId: string): number | undefined {
    const s = this.samples.peek(targetId);
    return s && this.clock() - s.at < this.config.staleAfterMs ? s.ewmaMs : undefined;
  }
}
