/** Backoff, the retry budget, latency averages and target ordering, with injected time and randomness. */
import { describe, expect, it } from 'vitest';
import { LeastLatencySchema, ResilienceSchema, RetryBudgetSchema, RetrySchema } from '../../src/config/resilience.js';
import { backoffDelay } from '../../src/resilience/backoff.js';
import { LatencyTracker } from '../../src/resilience/latency.js';
import { RetryBudget } from '../../src/resilience/retry-budget.js';
import { orderTargets } from '../../src/resilience/strategy.js';
import type { Route, Target } from '../../src/routing/router.js';

const retry = RetrySchema.parse({ baseDelayMs: 100, maxDelayMs: 1_000, retryAfterCapMs: 3_000 });

describe('backoffDelay', () => {
  it('draws from [0, base * 2^(n-1)) capped at maxDelayMs (full jitter)', () => {
    expect(backoffDelay(1, retry, undefined, () => 0.999)).toBe(99);
    expect(backoffDelay(3, retry, undefined, () => 0.5)).toBe(200);
    expect(backoffDelay(10, retry, undefined, () => 0.999)).toBe(999);
    expect(backoffDelay(2, retry, undefined, () => 0)).toBe(0);
  });

  it('honours retry-after up to the cap, and gives up on waiting beyond it', () => {
    expect(backoffDelay(1, retry, 2_000, () => 0.5)).toBe(2_000);
    expect(backoffDelay(1, retry, 3_001, () => 0.5)).toBeUndefined();
    expect(backoffDelay(1, retry, 0, () => 0.5)).toBe(50); // retry-after: 0 -> ordinary backoff
  });
});

describe('RetryBudget', () => {
  it('allows minRetries per window, then ratio x requests, and refills as the window slides', () => {
    let now = 0;
    const budget = new RetryBudget(RetryBudgetSchema.parse({ ratio: 0.2, minRetries: 2, windowMs: 10_000 }), () => now);
    for (let i = 0; i < 5; i++) budget.recordRequest();
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false); // 20% of 5 = 1 < minimum 2
    for (let i = 0; i < 10; i++) budget.recordRequest(); // 15 requests: 3 retries
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
    now += 10_000;
    expect(budget.tryRetry()).toBe(true); // the old retries slid out
  });

  it('caps retries at ratio of the load during an outage', () => {
    let now = 0;
    const budget = new RetryBudget(RetryBudgetSchema.parse({ ratio: 0.2, minRetries: 0, windowMs: 10_000 }), () => now);
    let retries = 0;
    for (let i = 0; i < 1_000; i++) {
      now += 5;
      budget.recordRequest();
      // every request fails and wants 2 retries
      if (budget.tryRetry()) retries++;
      if (budget.tryRetry()) retries++;
    }
    expect(retries).toBeLessThanOrEqual(0.2 * 1_000 + 1);
    expect(retries).toBeGreaterThan(0.15 * 1_000);
  });
});

const fakeProvider = (name: string) => ({ name }) as Target['provider'];
const target = (provider: string, model: string, weight = 1): Target => ({ provider: fakeProvider(provider), model, weight, id: `${provider}/${model}` });
const route = (strategy: Route['strategy'], targets: Target[], fallbacks: Target[] = []): Route => ({ name: 'r', strategy, targets, fallbacks, cache: {} });

describe('orderTargets', () => {
  const a = target('openai', 'a');
  const b = target('openai', 'b', 3);
  const c = target('anthropic', 'c');

  it('keeps the configured order, then the fallbacks in theirs, each target once', () => {
    expect(orderTargets(route('ordered', [a, b], [c, a])).map((t) => t.id)).toEqual(['openai/a', 'openai/b', 'anthropic/c']);
  });

  it('picks by weight for weighted routes; fallbacks stay last', () => {
    const firsts = { a: 0, b: 0 };
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 4_000; i++) {
      const order = orderTargets(route('weighted', [a, b], [c]), { random });
      expect(order[2]).toBe(c);
      firsts[order[0] === a ? 'a' : 'b']++;
    }
    expect(firsts.b / 4_000).toBeGreaterThan(0.7);
    expect(firsts.b / 4_000).toBeLessThan(0.8);
  });

  it('least-latency: untried targets first, then the lowest moving average; stale samples count as untried', () => {
    let now = 0;
    const latency = new LatencyTracker(LeastLatencySchema.parse({ ewmaAlpha: 0.5, staleAfterMs: 60_000 }), () => now);
    const r = route('least-latency', [a, b, c]);
    expect(orderTargets(r, { latency }).map((t) => t.id)).toEqual(['openai/a', 'openai/b', 'anthropic/c']);
    latency.record(a.id, 300);
    latency.record(b.id, 100);
    expect(orderTargets(r, { latency }).map((t) => t.id)).toEqual(['anthropic/c', 'openai/b', 'openai/a']);
    latency.record(c.id, 200);
    expect(orderTargets(r, { latency }).map((t) => t.id)).toEqual(['openai/b', 'anthropic/c', 'openai/a']);
    latency.record(b.id, 500); // ewma 100 -> 300
    expect(latency.score(b.id)).toBe(300);
    expect(orderTargets(r, { latency })[0]).toBe(c);
    // a was slow once; a minute later its sample is stale and it gets measured again
    latency.record(a.id, 900);
    now += 61_000;
    latency.record(b.id, 100);
    latency.record(c.id, 200);
    expect(latency.score(a.id)).toBeUndefined();
    expect(orderTargets(r, { latency }).map((t) => t.id)).toEqual(['openai/a', 'openai/b', 'anthropic/c']);
  });
});

describe('ResilienceSchema', () => {
  it('has defaults for every field', () => {
    const c = ResilienceSchema.parse({});
    expect(c.retry).toMatchObject({ maxAttempts: 3, statuses: expect.arrayContaining([429, 500, 502, 503, 504]) });
    expect(c.budget.ratio).toBe(0.2);
    expect(c.breaker).toMatchObject({ failureThreshold: 5, halfOpenProbes: 1 });
    expect(c.limits.keyPrefix).toBe('llm-edge:ratelimit:');
  });

  it('names the bad field', () => {
    const bad = ResilienceSchema.safeParse({ retry: { baseDelayMs: 500, maxDelayMs: 100 }, breaker: { errorRatio: 2 }, budget: { surprise: 1 } });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['retry.maxDelayMs', 'breaker.errorRatio', 'budget']));
  });
});
