/**
 * One circuit breaker per provider target. Closed, it lets calls through and counts their
 * outcomes; it opens after `failureThreshold` consecutive failures, or when failures reach
 * `errorRatio` of at least `minRequests` calls over a sliding window. Open, it refuses calls
 * for `coolDownMs`; then it is half-open and lets `halfOpenProbes` calls through at a time. A
 * probe that succeeds closes it; one that fails opens it again for a fresh cool-down.
 *
 * Only failures that say something about the provider's health should be reported as failures
 * (retryable ones); an answer such as a 400 is reported as a success: the provider is up.
 */
import type { BreakerConfig } from '../config/resilience.js';
import { SlidingWindow, type Clock } from './sliding-window.js';

export type BreakerStateName = 'closed' | 'open' | 'half-open';

export interface BreakerTransition {
  readonly from: BreakerStateName;
  readonly to: BreakerStateName;
  /** Why, in words for the log: `5 consecutive failures`, `cool-down over`, ... */
  readonly reason: string;
}

/**
 * Leave to make one call. It remembers the breaker period it was given in, so an outcome that
 * arrives after the breaker moved on (a slow call from before it opened) does not steer it.
 */
export interface BreakerPermit {
  readonly generation: number;
  readonly probe: boolean;
}

const SUCCESS = 0;
const FAILURE = 1;

export class CircuitBreaker {
  private current: BreakerStateName = 'closed';
  private generation = 0;
  private openedAt = 0;
  private consecutiveFailures = 0;
  private probesInFlight = 0;
  private readonly outcomes: SlidingWindow;

  constructor(
    private readonly config: BreakerConfig,
    private readonly clock: Clock = Date.now,
    private readonly onTransition: (t: BreakerTransition) => void = () => {},
  ) {
    this.outcomes = new SlidingWindow(config.windowMs, 2, clock);
  }

  /** The state now; an open breaker whose cool-down is over reads (and becomes) half-open. */
  get state(): BreakerStateName {
    this.refresh();
    return this.current;
  }

  /** When an open breaker will let probes through (clock time), else undefined. */
  get reopensAt(): number | undefined {
    return this.current === 'open' ? this.openedAt + this.config.coolDownMs : undefined;
  }

  /** Moves an open breaker to half-open once its cool-down is over. */
  refresh(): void {
    if (this.current === 'open' && this.clock() - this.openedAt >= this.config.coolDownMs) {
      this.transition('half-open', 'cool-down over');
    }
  }

  /** A permit to call now, or undefined when the breaker refuses (open, or all probes taken). */
  tryAcquire(): BreakerPermit | undefined {
    this.refresh();
    switch (this.current) {
      case 'closed':
        return { generation: this.generation, probe: false };
      case 'half-open':
        if (this.probesInFlight >= this.config.halfOpenProbes) return undefined;
        this.probesInFlight++;
        return { generation: this.generation, probe: true };
      case 'open':
        return undefined;
    }
  }

  onSuccess(permit: BreakerPermit): void {
    if (permit.generation !== this.generation) return;
    if (permit.probe) {
      this.probesInFlight--;
      this.transition('closed', 'probe succeeded');
      return;
    }
    this.consecutiveFailures = 0;
    this.outcomes.add(SUCCESS);
  }

  onFailure(permit: BreakerPermit): void {
    if (permit.generation !== this.generation) return;
    if (permit.probe) {
      this.probesInFlight--;
      this.transition('open', 'probe failed');
      return;
    }
    this.consecutiveFailures++;
    this.outcomes.add(FAILURE);
    if (this.consecutiveFailures >= this.config.failureThreshold) {
      this.transition('open', `${this.consecutiveFailures} consecutive failures`);
      return;
    }
    const failures = this.outcomes.sum(FAILURE);
    const total = failures + this.outcomes.sum(SUCCESS);
    if (total >= this.config.minRequests && failures / total >= this.config.errorRatio) {
      this.transition('open', `${failures} of ${total} calls failed within ${this.config.windowMs} ms`);
    }
  }

  /** Gives a permit back without a verdict (the caller left, or the call never reached the provider). */
  release(permit: BreakerPermit): void {
    if (permit.generation === this.generation && permit.probe) this.probesInFlight--;
  }

  private transition(to: BreakerStateName, reason: string): void {
    const from = this.current;
    this.current = to;
    this.generation++;
    this.probesInFlight = 0;
    this.consecutiveFailures = 0;
    this.outcomes.reset();
    if (to === 'open') this.openedAt = this.clock();
    this.onTransition({ from, to, reason });
  }
}
