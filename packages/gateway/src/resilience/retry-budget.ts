/**
 * A retry budget per provider: over a sliding window, retries may be at most `ratio` of the
 * requests sent to it (with `minRetries` always allowed). During an outage every request fails,
 * and per-request retries alone would multiply the load on a provider that is already down;
 * the budget caps that extra load at `1 + ratio` times the offered load.
 */
import type { RetryBudgetConfig } from '../config/resilience.js';
import { SlidingWindow, type Clock } from './sliding-window.js';

const REQUESTS = 0;
const RETRIES = 1;

export class RetryBudget {
  private readonly window: SlidingWindow;

  constructor(
    private readonly config: RetryBudgetConfig,
    clock: Clock = Date.now,
  ) {
    this.window = new SlidingWindow(config.windowMs, 2, clock);
  }

  /** Counts a first attempt (not a retry). */
  recordRequest(): void {
    this.window.add(REQUESTS);
  }

  /** Takes one retry from the budget; false when it is spent. */
  tryRetry(): boolean {
    const allowed = Math.max(this.config.minRetries, Math.floor(this.config.ratio * this.window.sum(REQUESTS)));
    if (this.window.sum(RETRIES) + 1 > allowed) return false;
    this.window.add(RETRIES);
    return true;
  }
}
