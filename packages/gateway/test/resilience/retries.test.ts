/**
 * Retries and timeouts through the real gateway against fake providers that fail on purpose:
 * backoff on 5xx and network errors, `retry-after` honoured (and passed over when too long), no
 * retry of a 400 or of a stream that already reached the caller, the idle timeout ending a
 * stalled stream, and the first-byte and total timeouts failing an attempt over.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectedReply } from '../fakes/index.js';
import { rawRequest, startHarness, type Harness } from '../harness.js';
import { configYaml, metricValue, uniquePrompt } from './helpers.js';

const chainRoute = { match: 'chain', targets: [{ provider: 'openai', model: 'gpt-4o' }], fallbacks: [{ provider: 'anthropic', model: 'claude-haiku-4-5' }] };
// Breakers out of the way: these tests are about retries.
const quietBreaker = { failureThreshold: 1000, minRequests: 1000 };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    configYaml: configYaml({
      resilience: { retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 100, retryAfterCapMs: 2_000 }, breaker: quietBreaker, budget: { minRetries: 1000 } },
      timeouts: { openai: { firstByteMs: 250, idleMs: 200 } },
      routes: [chainRoute],
    }),
  });
});
afterAll(() => h.stop());
beforeEach(() => {
  h.openai.reset();
  h.anthropic.reset();
});

const chat = (model: string, content = uniquePrompt()) =>
  rawRequest(h.gateway.url, '/v1/chat/completions', { body: JSON.stringify({ model, messages: [{ role: 'user', content }] }), headers: { 'content-type': 'application/json' } });

describe('retries', () => {
  it('retries 5xx and a connection reset on the same target, then answers', async () => {
    const before = await metricValue(h, 'retriesTotal', { provider: 'openai' });
    h.openai.script({ kind: 'status', status: 503 }, { kind: 'reset' });
    const res = await chat('gpt-4o', 'try again');
    expect(res.status).toBe(200);
    expect(res.json.choices[0].message.content).toBe(expectedReply('try again'));
    expect(h.openai.calls).toHaveLength(3);
    expect(await metricValue(h, 'retriesTotal', { provider: 'openai' })).toBe(before + 2);
  });

  it('gives up after maxAttempts and answers with the last failure', async () => {
    h.openai.setDefault({ kind: 'status', status: 500 });
    const res = await chat('gpt-4o');
    expect(res.status).toBe(502);
    expect(res.json.error).toMatchObject({ type: 'upstream_error', code: 'upstream_error' });
    expect(h.openai.calls).toHaveLength(3);
  });

  it('waits as long as retry-after asks when it is under the cap', async () => {
    h.openai.script({ kind: 'status', status: 429, retryAfter: 1 });
    const res = await chat('gpt-4o');
    expect(res.status).toBe(200);
    expect(h.openai.calls).toHaveLength(2);
    const waited = h.openai.calls[1]!.at - h.openai.calls[0]!.at;
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(2_500);
  });

  it('moves to the next target at once when retry-after is over the cap', async () => {
    h.openai.script({ kind: 'status', status: 429, retryAfter: 30 });
    const before = await metricValue(h, 'fallbacksTotal', { from: 'openai', to: 'anthropic' });
    const started = Date.now();
    const res = await chat('chain');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-llm-edge-provider')).toBe('anthropic');
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(h.openai.calls).toHaveLength(1);
    expect(h.anthropic.calls).toHaveLength(1);
    expect(await metricValue(h, 'fallbacksTotal', { from: 'openai', to: 'anthropic' })).toBe(before + 1);
  });

  it('passes a provider 429 on with retry-after once every attempt was refused', async () => {
    h.openai.setDefault({ kind: 'status', status: 429, retryAfter: 1 });
    const res = await chat('gpt-4o');
    expect(res.status).toBe(429);
    expect(res.json.error.type).toBe('rate_limit_error');
    expect(res.headers.get('retry-after')).toBe('1');
    expect(h.openai.calls).toHaveLength(3);
  });

  it('never retries a 400, nor falls back on it', async () => {
    h.openai.script({ kind: 'status', status: 400 });
    const res = await chat('chain');
    expect(res.status).toBe(400);
    expect(res.json.error.type).toBe('invalid_request_error');
    expect(h.openai.calls).toHaveLength(1);
    expect(h.anthropic.calls).toHaveLength(0);
  });

  it('does not retry a status left out of retry.statuses on the same target, but falls back', async () => {
    h.openai.setDefault({ kind: 'status', status: 501 });
    const res = await chat('chain');
    expect(res.status).toBe(200);
    expect(h.openai.calls).toHaveLength(1);
    expect(h.anthropic.calls).toHaveLength(1);
  });
});

describe('streams', () => {
  it('retries a stream that fails before its first event', async () => {
    h.openai.script({ kind: 'status', status: 502 }, { kind: 'reset' });
    const stream = await h.client().chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'a b c' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(expectedReply('a b c'));
    expect(h.openai.calls).toHaveLength(3);
  });

  it('never retries once stream bytes reached the caller', async () => {
    h.openai.script({ kind: 'break-stream', afterChunks: 2 });
    const stream = await h.client().chat.completions.create({ model: 'chain', stream: true, messages: [{ role: 'user', content: 'a b c d e' }] });
    const got: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) got.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    ).rejects.toThrow(/stream failed/);
    expect(got.join('')).toBe('Echo: a ');
    expect(h.openai.calls).toHaveLength(1);
    expect(h.anthropic.calls).toHaveLength(0);
  });

  it('ends a stalled stream with an error event after the idle timeout instead of hanging', async () => {
    h.openai.script({ kind: 'stall-stream', afterChunks: 2 });
    const started = Date.now();
    const stream = await h.client().chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'a b c d e' }] });
    const got: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) got.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    ).rejects.toThrow(/idle timeout/);
    expect(got.join('')).toBe('Echo: a ');
    expect(Date.now() - started).toBeLessThan(2_500); // idleMs 200 on undici's ~0.5 s timer tick
    expect(h.openai.calls).toHaveLength(1);
  });
});

describe('first-byte timeout', () => {
  it('bounds a provider that never answers, then fails over to the fallback', async () => {
    h.openai.setDefault({ kind: 'hang' });
    const started = Date.now();
    const res = await chat('chain', 'are you there');
    const took = Date.now() - started;
    expect(res.status).toBe(200);
    expect(res.json.choices[0].message.content).toBe(expectedReply('are you there'));
    expect(res.headers.get('x-llm-edge-provider')).toBe('anthropic');
    expect(h.openai.calls).toHaveLength(3); // maxAttempts, each cut at firstByteMs
    // undici checks header and body timeouts on a ~0.5 s tick: each attempt ends 250 ms to ~1.5 s in
    expect(took).toBeGreaterThanOrEqual(3 * 250 - 50);
    expect(took).toBeLessThan(5_500);
  });

  it('answers 504 when the only target keeps timing out', async () => {
    h.openai.setDefault({ kind: 'hang' });
    const res = await chat('gpt-4o');
    expect(res.status).toBe(504);
    expect(res.json.error).toMatchObject({ type: 'timeout_error', code: 'upstream_timeout' });
    expect(res.json.error.message).toMatch(/first-byte timeout/);
  });
});
