/**
 * The resilience layer between routing and the provider call: one object per gateway that owns
 * the per-target state (breakers, health, latency) and runs each request's attempts.
 */
import type { GatewayConfig } from '../config/schema.js';
import type { Route, Target } from '../routing/router.js';
import type { Logger } from '../telemetry/logger.js';
import type { GatewayMetrics } from '../telemetry/metrics.js';
import { runAttempts } from './attempts.js';

export interface AttemptContext {
  /** Aborts when the caller leaves. */
  readonly signal: AbortSignal;
}

export class Resilience {
  constructor(
    private readonly config: GatewayConfig,
    private readonly metrics: GatewayMetrics,
    private readonly log: Logger,
  ) {
    void this.config;
    void this.log;
  }

  /**
   * Runs `attempt` on the route's targets until one succeeds.
   * @throws GatewayError for the caller when none does
   */
  run<T>(route: Route, attempt: (target: Target) => Promise<T>, ctx: AttemptContext): Promise<{ value: T; target: Target }> {
    return runAttempts(
      route,
      attempt,
      { onFallback: (from, to) => this.metrics.get('fallbacksTotal').labels(from.provider.name, to.provider.name).inc() },
      ctx.signal,
    );
  }
}
