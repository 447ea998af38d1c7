/**
 * Nothing wrong gets into the cache, and nothing is answered from another request's entry: a
 * provider's 200 that is not a complete answer is a provider failure (retried or 502, never
 * stored, in L1 or in Redis), every field that changes the answer is in the key, a field the
 * gateway does not know bypasses the cache, and seeds beyond 2^53 are keyed by their digits.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectedReply } from '../fakes/index.js';
import { PATIENT_L2, rawRequest, startHarness, type Harness } from '../harness.js';
import { startRedis, type RedisServer } from '../redis.js';

const headers = { 'content-type': 'application/json' };
let redis: RedisServer;
let h: Harness;
/** A second replica on the same Redis: what it finds is what L2 holds. */
let other: Harness;
beforeAll(async () => {
  redis = await startRedis();
  const env = { REDIS_URL: redis.url };
  // A breaker that never opens: every case here sees exactly its own provider answer.
  const configYaml = `${PATIENT_L2}resilience:\n  breaker: { failureThreshold: 1000, minRequests: 1000 }\n`;
  h = await startHarness({ env, configYaml });
  other = await startHarness({ env, configYaml });
});
afterAll(async () => {
  await Promise.all([h.stop(), other.stop()]);
  await redis.stop();
});
beforeEach(() => {
  h.openai.reset();
  h.anthropic.reset();
});

let n = 0;
const fresh = () => `cache safety ${++n} ${Date.now()}`;
const ask = (gw: Harness, body: Record<string, unknown>) => rawRequest(gw.gateway.url, '/v1/chat/completions', { body: JSON.stringify(body), headers });
const chat = (model: string, prompt: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user', content: prompt }], ...extra });

/** Waits for background L2 writes, then asks the other replica (whose miss then fills L2 itself). */
async function inL2(body: Record<string, unknown>): Promise<string | null> {
  await h.gateway.gateway.cache.drain();
  return (await ask(other, body)).headers.get('x-llm-edge-cache');
}

describe('a 200 that is not a complete answer', () => {
  it.each(['gpt-4o-mini', 'claude-haiku-4-5'])('%s: a body cut off but framed as complete is retried, and only the complete answer is stored', async (model) => {
    const fake = model.startsWith('claude') ? h.anthropic : h.openai;
    const body = chat(model, fresh());
    fake.script({ kind: 'truncate-json' });
    const first = await ask(h, body);
    expect(first.status).toBe(200);
    expect(first.json.choices[0].message.content).toBe(expectedReply(body.messages[0]!.content));
    expect(fake.calls).toHaveLength(2); // the cut-off answer was retried
    const again = await ask(h, body);
    expect(again.headers.get('x-llm-edge-cache')).toBe('hit-l1');
    expect(again.json).toEqual(first.json);
  });

  it.each(['gpt-4o-mini', 'claude-haiku-4-5'])('%s: cut off on every attempt is a 502, and nothing is stored in L1 or L2', async (model) => {
    const fake = model.startsWith('claude') ? h.anthropic : h.openai;
    const body = chat(model, fresh());
    fake.script({ kind: 'truncate-json' }, { kind: 'truncate-json' }, { kind: 'truncate-json' });
    const res = await ask(h, body);
    expect(res.status).toBe(502);
    expect(res.json.error.type).toBe('upstream_error');
    expect(await inL2(body)).toBe('miss');
    // This replica's L1 holds no cut-off answer either: what it serves now is complete.
    const next = await ask(h, body);
    expect(next.status).toBe(200);
    expect(next.json.choices[0].message.content).toBe(expectedReply(body.messages[0]!.content));
  });

  it.each([
    ['an error object', '{"error":{"message":"overloaded","type":"server_error"}}'],
    ['no choices', '{"id":"x","object":"chat.completion","choices":[]}'],
    ['a choice without a message', '{"id":"x","object":"chat.completion","choices":[{"index":0}]}'],
    ['usage counts that are not numbers', null],
  ])('a 200 with %s is a 502 (never a 500) and is not stored', async (_name, raw) => {
    const body = chat('gpt-4o-mini', fresh());
    const fault = raw === null
      ? { kind: 'raw' as const, status: 200, body: JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 'many', completion_tokens: {} } }) }
      : { kind: 'raw' as const, status: 200, body: raw };
    h.openai.setDefault(fault);
    const res = await ask(h, body);
    h.openai.setDefault(null);
    if (raw === null) {
      // Bad usage is not a bad answer: it is served, and the tokens are estimated instead.
      expect(res.status).toBe(200);
      expect(h.logs.filter((l) => l.msg === 'request').at(-1)).toMatchObject({ usage_estimated: true });
      return;
    }
    expect(res.status).toBe(502);
    expect(await inL2(body)).toBe('miss');
  });

  it('a stream with a malformed chunk ends with an error event and is not stored', async () => {
    const body = chat('gpt-4o-mini', fresh(), { stream: true });
    h.openai.script({ kind: 'raw', status: 200, contentType: 'text/event-stream', body: 'data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\ndata: {"id":"c","choi\n\ndata: [DONE]\n\n' });
    const res = await ask(h, body);
    expect(res.text).toContain('"code":"stream_broken"');
    expect(res.text).not.toContain('[DONE]');
    expect(await inL2({ ...body, stream: false })).toBe('miss');
  });
});

describe('the key covers every field that changes the answer', () => {
  it.each([
    ['reasoning_effort', 'low', 'high'],
    ['verbosity', 'low', 'high'],
    ['modalities', ['text'], ['text', 'audio']],
    ['audio', { voice: 'alloy', format: 'wav' }, { voice: 'verse', format: 'wav' }],
    ['web_search_options', {}, { search_context_size: 'high' }],
    ['functions', [{ name: 'a' }], [{ name: 'b' }]],
    ['function_call', 'none', 'auto'],
    ['prediction', { type: 'content', content: 'a' }, { type: 'content', content: 'b' }],
  ])('requests that differ only in %s do not share an entry', async (field, a, b) => {
    const prompt = fresh();
    expect((await ask(h, chat('gpt-4o-mini', prompt, { [field]: a }))).headers.get('x-llm-edge-cache')).toBe('miss');
    expect((await ask(h, chat('gpt-4o-mini', prompt, { [field]: a }))).headers.get('x-llm-edge-cache')).toBe('hit-l1');
    expect((await ask(h, chat('gpt-4o-mini', prompt, { [field]: b }))).headers.get('x-llm-edge-cache')).toBe('miss');
  });

  it('a field the gateway does not know bypasses the cache rather than being ignored', async () => {
    const body = chat('gpt-4o-mini', fresh(), { future_knob: 1 });
    expect((await ask(h, body)).headers.get('x-llm-edge-cache')).toBe('bypass');
    expect((await ask(h, body)).headers.get('x-llm-edge-cache')).toBe('bypass');
    expect(h.openai.calls).toHaveLength(2);
  });

  it('seeds that differ only beyond 2^53 do not share an entry', async () => {
    const prompt = fresh();
    const body = (seed: string) => `{"model":"gpt-4o-mini","seed":${seed},"messages":[{"role":"user","content":"${prompt}"}]}`;
    const send = (seed: string) => rawRequest(h.gateway.url, '/v1/chat/completions', { body: body(seed), headers });
    expect((await send('9007199254740993')).headers.get('x-llm-edge-cache')).toBe('miss');
    expect((await send('9007199254740993')).headers.get('x-llm-edge-cache')).toBe('hit-l1');
    expect((await send('9007199254740992')).headers.get('x-llm-edge-cache')).toBe('miss');
    // The provider got the caller's digits, not the rounded number.
    expect(h.openai.calls.map((c) => /"seed":(\d+)/.exec(c.raw)?.[1])).toEqual(['9007199254740993', '9007199254740992']);
  });
});
