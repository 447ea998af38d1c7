/**
 * Runs one request against a route's targets: the strategy orders the primary targets, the
 * fallbacks follow in their order, and a retryable failure moves on to the next target.
 * (Retries with backoff, circuit breakers and health come in with the resilience issue; this is
 * the seam they plug into.)
 */
import type { Route, Target } from '../routing/router.js';
import { GatewayError } from '../http/errors.js';
import { UpstreamError } from '../providers/upstream-error.js';

/** Primary targets in strategy order, then the fallback chain. */
export function orderTargets(route: Route, random: () => number = Math.random): Target[] {
  const primary = route.strategy === 'weighted' ? weightedOrder(route.targets, random) : [...route.targets];
  return [...primary, ...route.fallbacks];
}

/** Weighted choice without replacement: the first pick by weight, then the rest by weight too. */
function weightedOrder(targets: readonly Target[], random: () => number): Target[] {
  const pool = [...targets];
  const out: Target[] = [];
  while (pool.length > 0) {
    const total = pool.reduce((sum, t) => sum + t.weight, 0);
    let r = random() * total;
    let i = 0;
    while (i < pool.length - 1 && (r -= pool[i]!.weight) >= 0) i++;
    out.push(pool.splice(i, 1)[0]!);
  }
  return out;
}

export interface AttemptHooks {
  /** Called when a failed target hands the request to the next one. */
  onFallback?(from: Target, to: Target, error: UpstreamError): void;
  /** Called on every failed attempt. */
  onFailure?(target: Target, error: UpstreamError): void;
}

/**
 * Tries `attempt` on each target in order until one succeeds.
 * @throws GatewayError: the caller error of a non-retryable failure, or the last failure's.
 */
export async function runAttempts<T>(
  route: Route,
  attempt: (target: Target) => Promise<T>,
  hooks: AttemptHooks = {},
  signal?: AbortSignal,
): Promise<{ value: T; target: Target }> {
  const targets = orderTargets(route);
  let last: UpstreamError | undefined;
  for (let i = 0; i < targets.length; i++) {
    const target = targets[i]!;
    try {
      return { value: await attempt(target), target };
    } catch (err) {
      if (!(err instanceof UpstreamError)) throw err;
      last = err;
      hooks.onFailure?.(target, err);
      if (!err.retryable || signal?.aborted) throw err.toGatewayError();
      const next = targets[i + 1];
      if (next) hooks.onFallback?.(target, next, err);
    }
  }
  throw last ? last.toGatewayError() : new GatewayError(503, 'service_unavailable', `No provider target can serve route '${route.name}'.`, null, 'no_healthy_provider');
}
