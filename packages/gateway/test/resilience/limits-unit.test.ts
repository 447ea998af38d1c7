/** The per-key limiter's own counters (no Redis), on a clock the test moves by hand. */
import { describe, expect, it } from 'vitest';
import type { Caller } from '../../src/auth/api-keys.js';
import { GatewayError } from '../../src/http/errors.js';
import { formatDuration } from '../../src/limits/headers.js';
import { RateLimiter } from '../../src/limits/rate-limiter.js';

/** A minute boundary: the start of a limit window. */
const start = 28_333_334 * 60_000;

function limiter() {
  let now = start;
  const limits = new RateLimiter(undefined, undefined, undefined, undefined, { clock: () => now });
  return { limits, at: (ms: number) => (now = start + ms) };
}
const caller = (limits: Caller['limits'], keyId = 'team-a'): Caller => ({ keyId, limits });

async function refused(p: Promise<unknown>): Promise<GatewayError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(GatewayError);
  return err as GatewayError;
}

describe('RateLimiter (local counters)', () => {
  it('admits requestsPerMinute requests with counting-down headers, then refuses with 429 and retry-after', async () => {
    const { limits, at } = limiter();
    const c = caller({ requestsPerMinute: 3 });
    at(0);
    expect(await limits.admit(c, 10)).toEqual({ 'x-ratelimit-limit-requests': '3', 'x-ratelimit-remaining-requests': '2', 'x-ratelimit-reset-requests': '2m0s' });
    expect((await limits.admit(c, 10))['x-ratelimit-remaining-requests']).toBe('1');
    expect((await limits.admit(c, 10))['x-ratelimit-remaining-requests']).toBe('0');
    at(10_000);
    const err = await refused(limits.admit(c, 10));
    expect(err.status).toBe(429);
    expect(err.type).toBe('rate_limit_error');
    expect(err.code).toBe('rate_limit_exceeded');
    expect(err.message).toMatch(/key 'team-a' on requests per minute: Limit 3, Used 3, Requested 1/);
    // sliding window: the 3 requests at t=0 weigh (60-20)/60 = 2/3 at t=80 s, leaving room for one
    expect(err.headers['retry-after']).toBe('70');
    expect(err.headers['x-ratelimit-remaining-requests']).toBe('0');
  });

  it('slides: the previous minute counts by its remaining overlap', async () => {
    const { limits, at } = limiter();
    const c = caller({ requestsPerMinute: 3 });
    at(0);
    for (let i = 0; i < 3; i++) await limits.admit(c, 0);
    at(60_000); // next window, the old one still overlaps fully
    await refused(limits.admit(c, 0));
    at(79_000);
    await refused(limits.admit(c, 0));
    at(80_000);
    await limits.admit(c, 0);
    at(180_000); // two windows later everything is forgotten
    for (let i = 0; i < 3; i++) await limits.admit(c, 0);
  });

  it('counts estimated tokens and gives back what the real usage did not use', async () => {
    const { limits, at } = limiter();
    const c = caller({ tokensPerMinute: 100 });
    at(0);
    expect(await limits.admit(c, 40)).toMatchObject({ 'x-ratelimit-limit-tokens': '100', 'x-ratelimit-remaining-tokens': '60' });
    await limits.admit(c, 40);
    const err = await refused(limits.admit(c, 40));
    expect(err.message).toMatch(/on tokens per minute: Limit 100, Used 80, Requested 40/);
    await limits.reconcile(c, 40, 10); // the first request used 10, not 40
    expect((await limits.admit(c, 40))['x-ratelimit-remaining-tokens']).toBe('10');
  });

  it('refuses a request larger than the whole token limit, saying so', async () => {
    const { limits } = limiter();
    const err = await refused(limits.admit(caller({ tokensPerMinute: 100 }), 500));
    expect(err.status).toBe(429);
    expect(err.message).toMatch(/Request too large for key 'team-a' on tokens per minute: Limit 100, Requested 500/);
  });

  it('keeps keys apart, and costs nothing for a key without limits', async () => {
    const { limits } = limiter();
    await limits.admit(caller({ requestsPerMinute: 1 }, 'a'), 1);
    await limits.admit(caller({ requestsPerMinute: 1 }, 'b'), 1);
    await refused(limits.admit(caller({ requestsPerMinute: 1 }, 'a'), 1));
    for (let i = 0; i < 100; i++) expect(await limits.admit(caller({}, 'free'), 1_000_000)).toEqual({});
  });

  it('formats reset durations as OpenAI does', () => {
    expect(formatDuration(20)).toBe('20ms');
    expect(formatDuration(1_500)).toBe('1.5s');
    expect(formatDuration(60_000)).toBe('1m0s');
    expect(formatDuration(119_990)).toBe('1m59.99s');
  });
});
