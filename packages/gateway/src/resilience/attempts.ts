/**
 * Runs one request against a route's targets. Targets come in strategy order, then the fallback
 * chain; a target whose breaker refuses is skipped; a retryable failure is retried on the same
 * target (backoff with full jitter, or the provider's `retry-after`) while attempts, the retry
 * budget and the breaker allow, and then the request moves on to the next target.
 *
 * Every retry here happens before the caller has seen a byte: for a stream, the attempt resolves
 * with its first event, and the caller's stream starts only after `run` returns.
 */
import { ProviderErrorReason, SpanEvent } from '@llm-edge/semconv';
import type { RetryConfig } from '../config/resilience.js';
import { GatewayError } from '../http/errors.js';
import { UpstreamError } from '../providers/upstream-error.js';
import type { Route, Target } from '../routing/router.js';
import { backoffDelay } from './backoff.js';
import type { BreakerStateName, CircuitBreaker } from './circuit-breaker.js';
import { AttemptDeadline, sleep } from './deadline.js';
import type { RetryBudget } from './retry-budget.js';
import type { Signal } from '../http/cancel.js';

/** Attribute values of a span event. */
export type EventAttributes = Record<string, string | number | boolean>;

/** What `run` needs from the request it serves. */
export interface AttemptContext {
  /** Aborts when the caller leaves. */
  readonly signal: Signal;
  /**
   * `performance.now()` by which the answer must have started, across every attempt: no attempt
   * runs past it and no retry waits past it (default: none).
   */
  readonly deadline?: number;
  /** Span-event hook, for the decisions named in `SpanEvent`. */
  onEvent?(name: string, attributes: EventAttributes): void;
}

/** What one attempt is given. */
export interface AttemptInfo {
  /**
   * Aborts on the caller leaving or on the attempt's total timeout. Pass it to the provider
   * call so a timed-out attempt releases its connection at once.
   */
  readonly signal: Signal;
  /** 1 for the first attempt on this target, 2 for its first retry, ... */
  readonly attempt: number;
  /** Attempts made for this request so far on any target, this one included. */
  readonly overall: number;
}

export type Attempt<T> = (target: Target, info: AttemptInfo) => Promise<T>;

export interface RunResult<T> {
  readonly value: T;
  readonly target: Target;
  /** Attempts made, the successful one included. */
  readonly attempts: number;
}

/** The per-target and per-provider state the loop consults; owned by `Resilience`. */
export interface AttemptPolicy {
  readonly retry: RetryConfig;
  order(route: Route): Target[];
  breaker(target: Target): CircuitBreaker;
  budget(provider: string): RetryBudget;
  totalTimeoutMs(target: Target): number;
  random(): number;
  /** Clock of the breakers, for `retry-after` on a 503. */
  now(): number;
  onRetry(target: Target, error: UpstreamError): void;
  onFallback(from: Target, to: Target): void;
  onLatency(target: Target, ms: number): void;
}

/**
 * @throws GatewayError: 503 `no_healthy_provider` when every target was skipped, the caller
 *   error of a non-retryable failure, or the last failure's error.
 */
export async function runAttempts<T>(route: Route, attempt: Attempt<T>, ctx: AttemptContext, policy: AttemptPolicy): Promise<RunResult<T>> {
  const event = ctx.onEvent ?? (() => {});
  let last: UpstreamError | undefined;
  /** The target the request most recently left (failed or skipped): the `from` of a fallback. */
  let left: Target | undefined;
  let overall = 0;

  for (const target of policy.order(route)) {
    const breaker = policy.breaker(target);
    const provider = target.provider.name;
    for (let n = 1; n <= policy.retry.maxAttempts; n++) {
      const permit = breaker.tryAcquire();
      if (!permit) {
        if (n === 1) event(SpanEvent.targetSkipped, { target: target.id, provider, state: breaker.state });
        break;
      }
      if (n === 1) {
        policy.budget(provider).recordRequest();
        if (left) {
          policy.onFallback(left, target);
          event(SpanEvent.fallback, { from: left.id, to: target.id, reason: last?.reason ?? 'circuit_open' });
        }
      } else {
        policy.onRetry(target, last!);
      }
      overall++;

      const totalMs = policy.totalTimeoutMs(target);
      const leftMs = remaining(ctx);
      if (leftMs <= 0) {
        breaker.release(permit);
        throw requestTimeout();
      }
      // The request's deadline cuts the attempt short when it comes first; then nothing follows.
      const cutByDeadline = leftMs < totalMs;
      const deadline = new AttemptDeadline(ctx.signal, Math.min(totalMs, leftMs), () =>
        new UpstreamError(provider, ProviderErrorReason.timeout, cutByDeadline ? "the request's deadline passed" : `the attempt exceeded its total timeout of ${totalMs} ms`),
      );
      const started = performance.now();
      try {
        // The race bounds the attempt even if it ignores its signal.
        const value = await deadline.race(attempt(target, { signal: deadline.signal, attempt: n, overall }));
        deadline.settle();
        breaker.onSuccess(permit);
        policy.onLatency(target, performance.now() - started);
        return { value, target, attempts: overall };
      } catch (err) {
        deadline.dispose();
        if (!(err instanceof UpstreamError)) {
          breaker.release(permit);
          throw err;
        }
        if (ctx.signal.aborted) {
          // The caller left: says nothing about the provider.
          breaker.release(permit);
          throw err.toGatewayError();
        }
        if (!err.retryable) {
          // The provider answered (a 400, say): it is up, and another target would refuse too.
          breaker.onSuccess(permit);
          throw err.toGatewayError();
        }
        breaker.onFailure(permit);
        if (err.reason === ProviderErrorReason.timeout) {
          // A timeout is at least this slow: let least-latency know.
          policy.onLatency(target, performance.now() - started);
          event(SpanEvent.attemptTimeout, { target: target.id, provider, attempt: n });
          if (cutByDeadline) throw requestTimeout();
        }
        last = err;
        const delay = retryDelay(err, n, policy, breaker.state);
        // A retry that could not start before the deadline is not waited for: the next target may.
        if (delay === undefined || delay >= remaining(ctx)) break;
        if (!policy.budget(provider).tryRetry()) {
          event(SpanEvent.retryBudgetExhausted, { target: target.id, provider });
          break;
        }
        event(SpanEvent.retry, { target: target.id, provider, attempt: n + 1, delay_ms: Math.round(delay), reason: err.reason, ...(err.status ? { status: err.status } : {}) });
        try {
          await sleep(delay, ctx.signal);
        } catch {
          throw err.toGatewayError();
        }
      }
    }
    left = target;
  }
  if (last) throw last.toGatewayError();
  throw noHealthyProvider(route, policy, route.targets.concat(route.fallbacks));
}

/** Milliseconds left before the request's deadline (Infinity without one). */
function remaining(ctx: AttemptContext): number {
  return ctx.deadline === undefined ? Infinity : ctx.deadline - performance.now();
}

function requestTimeout(): GatewayError {
  return new GatewayError(504, 'timeout_error', 'The request did not get an answer from any provider before its deadline.', null, 'request_timeout');
}

/** Milliseconds before retrying the same target, or undefined when it should not be retried. */
function retryDelay(err: UpstreamError, n: number, policy: AttemptPolicy, state: BreakerStateName): number | undefined {
  if (n >= policy.retry.maxAttempts || state !== 'closed') return undefined;
  if (err.status !== undefined && !policy.retry.statuses.includes(err.status)) return undefined;
  const retryAfterMs = err.retryAfter !== undefined ? err.retryAfter * 1000 : undefined;
  return backoffDelay(n, policy.retry, retryAfterMs, () => policy.random());
}

/** 503 naming the route, with `retry-after` until the first breaker lets probes through. */
function noHealthyProvider(route: Route, policy: AttemptPolicy, targets: readonly Target[]): GatewayError {
  const now = policy.now();
  let soonest: number | undefined;
  for (const t of targets) {
    const at = policy.breaker(t).reopensAt;
    if (at !== undefined && (soonest === undefined || at < soonest)) soonest = at;
  }
  const headers: Record<string, string> = {};
  if (soonest !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil((soonest - now) / 1000)));
  return new GatewayError(503, 'service_unavailable', `No healthy provider for route '${route.name}'.`, null, 'no_healthy_provider', headers);
}
