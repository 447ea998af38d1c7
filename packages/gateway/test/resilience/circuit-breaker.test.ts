/** The circuit breaker's state machine, on a clock the test moves by hand. */
import { describe, expect, it } from 'vitest';
import { BreakerSchema } from '../../src/config/resilience.js';
import { CircuitBreaker, type BreakerTransition } from '../../src/resilience/circuit-breaker.js';

function setup(overrides: Partial<Parameters<typeof BreakerSchema.parse>[0]> = {}) {
  let now = 1_000_000;
  const transitions: BreakerTransition[] = [];
  const config = BreakerSchema.parse({ failureThreshold: 3, errorRatio: 0.5, windowMs: 10_000, minRequests: 6, coolDownMs: 5_000, halfOpenProbes: 1, ...overrides });
  const breaker = new CircuitBreaker(config, () => now, (t) => transitions.push(t));
  return { breaker, transitions, advance: (ms: number) => (now += ms) };
}

function fail(b: CircuitBreaker, n = 1) {
  for (let i = 0; i < n; i++) b.onFailure(b.tryAcquire()!);
}
function succeed(b: CircuitBreaker, n = 1) {
  for (let i = 0; i < n; i++) b.onSuccess(b.tryAcquire()!);
}

describe('CircuitBreaker', () => {
  it('opens after failureThreshold consecutive failures, and a success in between resets the count', () => {
    const { breaker, transitions } = setup();
    fail(breaker, 2);
    succeed(breaker);
    fail(breaker, 2);
    expect(breaker.state).toBe('closed');
    fail(breaker);
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(transitions).toEqual([{ from: 'closed', to: 'open', reason: '3 consecutive failures' }]);
  });

  it('opens on the error ratio over the window once minRequests were seen', () => {
    const { breaker } = setup({ failureThreshold: 100 });
    // alternate: never 2 failures in a row, half of all calls fail
    for (let i = 0; i < 2; i++) {
      succeed(breaker);
      fail(breaker);
    }
    expect(breaker.state).toBe('closed'); // 4 calls < minRequests 6
    succeed(breaker);
    fail(breaker);
    expect(breaker.state).toBe('open'); // 3 of 6 failed
  });

  it('forgets outcomes older than the window', () => {
    const { breaker, advance } = setup({ failureThreshold: 100 });
    fail(breaker, 1);
    succeed(breaker, 1);
    fail(breaker, 1);
    succeed(breaker, 1);
    advance(11_000);
    succeed(breaker, 1);
    fail(breaker, 1); // only 2 calls in the window now
    expect(breaker.state).toBe('closed');
  });

  it('goes half-open after the cool-down, lets halfOpenProbes through, and closes on a probe success', () => {
    const { breaker, advance, transitions } = setup({ halfOpenProbes: 2 });
    fail(breaker, 3);
    advance(4_999);
    expect(breaker.state).toBe('open');
    advance(1);
    expect(breaker.state).toBe('half-open');
    const p1 = breaker.tryAcquire();
    const p2 = breaker.tryAcquire();
    expect(p1?.probe).toBe(true);
    expect(p2?.probe).toBe(true);
    expect(breaker.tryAcquire()).toBeUndefined(); // both probes in flight
    breaker.onSuccess(p1!);
    expect(breaker.state).toBe('closed');
    breaker.onFailure(p2!); // an outcome from the half-open period no longer steers the closed breaker
    expect(breaker.state).toBe('closed');
    expect(transitions.map((t) => t.to)).toEqual(['open', 'half-open', 'closed']);
  });

  it('re-opens for a fresh cool-down when a probe fails', () => {
    const { breaker, advance } = setup();
    fail(breaker, 3);
    advance(5_000);
    fail(breaker);
    expect(breaker.state).toBe('open');
    advance(4_000);
    expect(breaker.state).toBe('open');
    advance(1_000);
    expect(breaker.state).toBe('half-open');
  });

  it('gives a released probe back without a verdict', () => {
    const { breaker, advance } = setup();
    fail(breaker, 3);
    advance(5_000);
    const probe = breaker.tryAcquire()!;
    expect(breaker.tryAcquire()).toBeUndefined();
    breaker.release(probe);
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()?.probe).toBe(true);
  });

  it('ignores outcomes of calls admitted before it opened', () => {
    const { breaker, advance } = setup();
    const slow = breaker.tryAcquire()!;
    fail(breaker, 3);
    advance(5_000);
    expect(breaker.state).toBe('half-open');
    breaker.onSuccess(slow); // from the closed period: must not close the half-open breaker
    expect(breaker.state).toBe('half-open');
  });
});
