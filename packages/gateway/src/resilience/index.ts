/**
 * The resilience layer between routing and the provider call: one object per gateway that owns
 * the per-target state (circuit breakers, latency averages), the per-provider retry budgets, and
 * runs each request's attempts (see attempts.ts).
 *
 * Breakers are per target (`provider/model`); the `circuit_breaker_state{provider}` and
 * `provider_health{provider}` gauges are per provider: the state is the worst over the
 * provider's targets (open > half-open > closed), and the provider is healthy while at least one
 * of its targets is not open. A provider with no target used yet reads closed and healthy.
 */
import { BreakerState } from '@llm-edge/semconv';
import type { GatewayConfig } from '../config/schema.js';
import type { Route, Target } from '../routing/router.js';
import type { Logger } from '../telemetry/logger.js';
import type { GatewayMetrics } from '../telemetry/metrics.js';
import { runAttempts, type Attempt, type AttemptContext, type AttemptPolicy, type RunResult } from './attempts.js';
import { CircuitBreaker, type BreakerStateName, type BreakerTransition } from './circuit-breaker.js';
import { LatencyTracker } from './latency.js';
import { RecentMap } from './recent-map.js';
import { RetryBudget } from './retry-budget.js';
import type { Clock } from './sliding-window.js';
import { orderTargets } from './strategy.js';

export type { Attempt, AttemptContext, AttemptInfo, EventAttributes, RunResult } from './attempts.js';
export type { BreakerStateName } from './circuit-breaker.js';

export interface ResilienceOptions {
  /** Clock of breakers, budgets and latency ages (default `Date.now`). */
  readonly clock?: Clock;
  /** Random source of jitter and weighted choice (default `Math.random`). */
  readonly random?: () => number;
}

/**
 * One provider's health as `/ready` and the gauges report it. Targets are counted, not named:
 * `/ready` is unauthenticated, and target names carry the models other callers asked for.
 */
export interface ProviderHealth {
  readonly healthy: boolean;
  readonly state: BreakerStateName;
  /** How many of the provider's targets are in each breaker state. */
  readonly targets: Readonly<Record<BreakerStateName, number>>;
}

/** Targets with a breaker kept; closed breakers of the least recently used go first. */
const MAX_BREAKERS = 1_000;

const DEFAULT_TOTAL_MS = 300_000;
const SEVERITY: Record<BreakerStateName, number> = { closed: BreakerState.closed, 'half-open': BreakerState.halfOpen, open: BreakerState.open };

export class Resilience {
  private readonly breakers = new RecentMap<string, { breaker: CircuitBreaker; provider: string }>(MAX_BREAKERS, (e) => e.breaker.state === 'closed');
  private readonly budgets = new Map<string, RetryBudget>();
  private readonly latency: LatencyTracker;
  /** Timers that publish the half-open state when a cool-down ends, one per open target. */
  private readonly coolDowns = new Map<string, NodeJS.Timeout>();
  private readonly clock: Clock;
  private readonly policy: AttemptPolicy;
  /** Providers that report no health gauges (the built-in mock). */
  private readonly synthetic: ReadonlySet<string>;

  constructor(
    private readonly config: GatewayConfig,
    private readonly metrics: GatewayMetrics,
    private readonly log: Logger,
    options: ResilienceOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    const random = options.random ?? Math.random;
    this.latency = new LatencyTracker(config.resilience.leastLatency, this.clock);
    // The built-in mock is a synthetic probe target, always up: counted among the providers it
    // would keep AllProvidersDown from ever firing while every real provider is down.
    this.synthetic = new Set(Object.entries(config.providers).filter(([, p]) => p.type === 'mock').map(([name]) => name));
    for (const provider of Object.keys(config.providers)) this.publish(provider);
    this.policy = {
      retry: config.resilience.retry,
      order: (route) => orderTargets(route, { random, latency: this.latency }),
      breaker: (target) => this.breakerOf(target),
      budget: (provider) => this.budgetOf(provider),
      totalTimeoutMs: (target) => config.providers[target.provider.name]?.timeouts.totalMs ?? DEFAULT_TOTAL_MS,
      random,
      now: this.clock,
      onRetry: (target) => this.metrics.get('retriesTotal').labels(target.provider.name).inc(),
      onFallback: (from, to) => this.metrics.get('fallbacksTotal').labels(from.provider.name, to.provider.name).inc(),
      onLatency: (target, ms) => this.latency.record(target.id, ms),
    };
  }

  /**
   * Runs `attempt` on the route's targets until one succeeds. Pass `info.signal` to the provider
   * call: it carries the attempt's total timeout and the caller's abort.
   * @throws GatewayError for the caller when none does (503 `no_healthy_provider` when every
   *   target's breaker is open)
   * @example
   * const { value, target } = await resilience.run(route, (t, a) => t.provider.chat(req, false, { signal: a.signal, headers }), x);
   */
  run<T>(route: Route, attempt: Attempt<T>, ctx: AttemptContext): Promise<RunResult<T>> {
    return runAttempts(route, attempt, ctx, this.policy);
  }

  /** Health per provider, for `/ready` and tests. */
  health(): Record<string, ProviderHealth> {
    const out: Record<string, ProviderHealth> = {};
    for (const provider of Object.keys(this.config.providers)) out[provider] = this.providerHealth(provider);
    return out;
  }

  /** The breaker state of one target (`provider/model`); closed when it was never used. */
  targetState(targetId: string): BreakerStateName {
    return this.breakers.peek(targetId)?.breaker.state ?? 'closed';
  }

  /** Stops the cool-down timers (they are unref'd, so this is tidiness, not a requirement). */
  close(): void {
    for (const timer of this.coolDowns.values()) clearTimeout(timer);
    this.coolDowns.clear();
  }

  private breakerOf(target: Target): CircuitBreaker {
    let entry = this.breakers.get(target.id);
    if (!entry) {
      const provider = target.provider.name;
      const breaker = new CircuitBreaker(this.config.resilience.breaker, this.clock, (t) => this.onTransition(target.id, provider, t));
      entry = { breaker, provider };
      this.breakers.set(target.id, entry);
    }
    return entry.breaker;
  }

  private budgetOf(provider: string): RetryBudget {
    let budget = this.budgets.get(provider);
    if (!budget) this.budgets.set(provider, (budget = new RetryBudget(this.config.resilience.budget, this.clock)));
    return budget;
  }

  private onTransition(targetId: string, provider: string, t: BreakerTransition): void {
    this.log.warn({ msg: 'circuit breaker state changed', target: targetId, provider, from: t.from, to: t.to, reason: t.reason });
    clearTimeout(this.coolDowns.get(targetId));
    this.coolDowns.delete(targetId);
    // Without traffic nobody would look at the breaker again; this moves it to half-open on
    // time so the gauges (and the AllProvidersDown alert) see the provider come back.
    if (t.to === 'open') this.armCoolDown(targetId, this.config.resilience.breaker.coolDownMs);
    this.publish(provider);
  }

  private armCoolDown(targetId: string, delayMs: number): void {
    const timer = setTimeout(() => {
      this.coolDowns.delete(targetId);
      const breaker = this.breakers.peek(targetId)?.breaker;
      breaker?.refresh();
      // A timer can fire a millisecond before the breaker's clock says the cool-down is over
      // (the event loop's clock lags Date.now): then it tries again when it is.
      const at = breaker?.reopensAt;
      if (at !== undefined) this.armCoolDown(targetId, Math.max(1, at - this.clock()));
    }, delayMs);
    timer.unref();
    this.coolDowns.set(targetId, timer);
  }

  private providerHealth(provider: string): ProviderHealth {
    const targets: Record<BreakerStateName, number> = { closed: 0, 'half-open': 0, open: 0 };
    let worst: BreakerStateName = 'closed';
    for (const entry of this.breakers.values()) {
      if (entry.provider !== provider) continue;
      const state = entry.breaker.state;
      targets[state]++;
      if (SEVERITY[state] > SEVERITY[worst]) worst = state;
    }
    // Healthy while any target is not open (a provider with no target used yet counts as up).
    const healthy = targets.open === 0 || targets.closed + targets['half-open'] > 0;
    return { healthy, state: worst, targets };
  }

  private publish(provider: string): void {
    if (this.synthetic.has(provider)) return;
    const h = this.providerHealth(provider);
    this.metrics.get('providerHealth').labels(provider).set(h.healthy ? 1 : 0);
    this.metrics.get('circuitBreakerState').labels(provider).set(SEVERITY[h.state]);
  }
}
