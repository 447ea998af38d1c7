/**
 * The total timeout of an attempt: it cuts a JSON answer that takes too long and the attempt is
 * retried; for a stream it bounds only the wait for the first event, so a long, steady stream is
 * never cut by it (the idle timeout bounds the gaps instead).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectedReply, startFakeOpenAI, type FakeProvider } from '../fakes/index.js';
import { OPENAI_KEY, rawRequest, startHarness, type Harness } from '../harness.js';
import { configYaml, uniquePrompt } from './helpers.js';

let h: Harness;
/** An OpenAI-compatible provider that streams one chunk every 100 ms. */
let slow: FakeProvider;

beforeAll(async () => {
  slow = await startFakeOpenAI({ apiKey: OPENAI_KEY, chunkDelayMs: 100 });
  const timeouts = { firstByteMs: 5_000, idleMs: 5_000, totalMs: 400 };
  h = await startHarness({
    configYaml: configYaml({
      resilience: { retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 }, breaker: { failureThreshold: 1000, minRequests: 1000 } },
      timeouts: { openai: timeouts },
      providers: { slow: { type: 'openai-compatible', baseUrl: `${slow.url}/v1`, apiKey: OPENAI_KEY, timeouts: { connectMs: 1_000, ...timeouts, idleMs: 1_000 } } },
      routes: [{ match: 'slow-model', targets: [{ provider: 'slow', model: 'gpt-4o' }] }],
    }),
  });
});
afterAll(async () => {
  await h.stop();
  await slow.close();
});
beforeEach(() => {
  h.openai.reset();
  slow.reset();
});

const chat = (model: string, content = uniquePrompt()) =>
  rawRequest(h.gateway.url, '/v1/chat/completions', { body: JSON.stringify({ model, messages: [{ role: 'user', content }] }), headers: { 'content-type': 'application/json' } });

describe('total timeout', () => {
  it('cuts a JSON attempt at totalMs and retries it', async () => {
    h.openai.script({ kind: 'delay', ms: 2_000 });
    const started = Date.now();
    const res = await chat('gpt-4o', 'late answer');
    expect(res.status).toBe(200);
    expect(res.json.choices[0].message.content).toBe(expectedReply('late answer'));
    expect(h.openai.calls).toHaveLength(2);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(380);
    expect(took).toBeLessThan(1_500);
  });

  it('answers 504 naming the total timeout when every attempt runs out of time', async () => {
    h.openai.setDefault({ kind: 'delay', ms: 2_000 });
    const res = await chat('gpt-4o');
    expect(res.status).toBe(504);
    expect(res.json.error.message).toMatch(/total timeout of 400 ms/);
    expect(h.openai.calls).toHaveLength(2);
  });

  it('bounds the wait for the first stream event', async () => {
    h.openai.script({ kind: 'delay', ms: 2_000 });
    const started = Date.now();
    const stream = await h.client().chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'x y' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(expectedReply('x y'));
    expect(h.openai.calls).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('does not cut a stream that keeps flowing past totalMs', async () => {
    const words = 'one two three four five six seven eight nine ten';
    const started = Date.now();
    const stream = await h.client().chat.completions.create({ model: 'slow-model', stream: true, messages: [{ role: 'user', content: words }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(expectedReply(words));
    expect(Date.now() - started).toBeGreaterThan(800); // well past totalMs 400
    expect(slow.calls).toHaveLength(1);
  });
});

describe('a provider that keeps its body open after the terminal event', () => {
  it.each([
    ['OpenAI', 'gpt-4o', () => h.openai],
    ['Anthropic', 'claude-haiku-4-5', () => h.anthropic],
  ])('%s: the caller gets the whole stream at the terminal event, and the late socket failure is harmless', async (_name, model, provider) => {
    const linger = 1_500;
    provider().script({ kind: 'linger-after-end', ms: linger });
    const content = uniquePrompt();
    const started = Date.now();
    const stream = await h.client().chat.completions.create({ model, stream: true, messages: [{ role: 'user', content }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(expectedReply(content));
    expect(Date.now() - started).toBeLessThan(linger); // not held until the provider lets go
    // After the provider destroys the lingering socket, the gateway still answers.
    await new Promise((resolve) => setTimeout(resolve, linger + 300 - (Date.now() - started)));
    const after = await chat(model);
    expect(after.status).toBe(200);
  });
});

