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
    const prev = this.samples.get(targetId);
    const now = this.clock();
    const fresh = prev && now - prev.at < this.config.staleAfterMs;
    const ewmaMs = fresh ? prev.ewmaMs + this.config.ewmaAlpha * (ms - prev.ewmaMs) : ms;
    this.samples.set(targetId, { ewmaMs, at: now });
  }

  /** The moving average in ms, or undefined when the target has no recent sample. */
  score(targetId: string): number | undefined {
    const s = this.samples.peek(targetId);
    return s && this.clock() - s.at < this.config.staleAfterMs ? s.ewmaMs : undefined;
  }
}
