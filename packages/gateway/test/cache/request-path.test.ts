/**
 * The cache as callers see it, through the gateway and the official OpenAI SDK, with a real
 * standalone redis-server as L2: tiers and headers, restarts, TTLs, tenants, canonical keys,
 * header controls, stream replay, coalescing, and what is never stored.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectedReply } from '../fakes/index.js';
import { PATIENT_L2, rawRequest, startHarness, type Harness } from '../harness.js';
import { startRedis, type RedisServer } from '../redis.js';
import { metricValue } from './metric-value.js';

const KEYS = 'sk-tenant-a,sk-tenant-b';
let redis: RedisServer;
let h: Harness;
let n = 0;
/** A prompt no other test used, so each test starts from a cold cache. */
const fresh = (label: string) => `${label} ${++n} ${Date.now()}`;

function harness() {
  return startHarness({
    env: { REDIS_URL: redis.url, LLM_EDGE_API_KEYS: KEYS },
    configYaml: `${PATIENT_L2}resilience:\n  retry: { maxAttempts: 1 }\n  breaker: { failureThreshold: 1000, minRequests: 1000 }\n`,
  });
}

beforeAll(async () => {
  redis = await startRedis();
  h = await harness();
});
afterAll(async () => {
  await h?.stop();
  await redis?.stop();
});
beforeEach(() => {
  h.openai.reset();
  h.anthropic.reset();
});

async function chat(content: string, opts: { key?: string; headers?: Record<string, string>; model?: string } = {}) {
  const { data, response } = await h
    .client(opts.key ?? 'sk-tenant-a')
    .chat.completions.create({ model: opts.model ?? 'gpt-4o-mini', messages: [{ role: 'user', content }] }, { headers: opts.headers })
    .withResponse();
  return { content: data.choices[0]?.message.content, id: data.id, cache: response.headers.get('x-llm-edge-cache'), age: response.headers.get('age'), provider: response.headers.get('x-llm-edge-provider') };
}

async function streamChunks(content: string, opts: { key?: string; model?: string; headers?: Record<string, string> } = {}) {
  const { data: stream, response } = await h
    .client(opts.key ?? 'sk-tenant-a')
    .chat.completions.create({ model: opts.model ?? 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content }] }, { headers: opts.headers })
    .withResponse();
  const chunks: string[] = [];
  for await (const chunk of stream) {
    const piece = chunk.choices[0]?.delta.content;
    if (piece) chunks.push(piece);
  }
  return { chunks, cache: response.headers.get('x-llm-edge-cache') };
}

describe('tiers', () => {
  it('misses, then hits L1 with an age header, and counts both', async () => {
    const prompt = fresh('tiers');
    const hitsBefore = await metricValue(h.gateway.gateway.metrics, 'llm_edge_cache_hits_total', { tier: 'l1' });
    const first = await chat(prompt);
    expect(first).toMatchObject({ cache: 'miss', content: expectedReply(prompt), provider: 'openai' });
    const second = await chat(prompt);
    expect(second).toMatchObject({ cache: 'hit-l1', content: expectedReply(prompt), id: first.id, provider: 'openai' });
    expect(Number(second.age)).toBeGreaterThanOrEqual(0);
    expect(h.openai.calls).toHaveLength(1);
    expect(await metricValue(h.gateway.gateway.metrics, 'llm_edge_cache_hits_total', { tier: 'l1' })).toBe(hitsBefore + 1);
  });

  it('hits L2 after a gateway restart, and the L2 hit fills L1', async () => {
    const prompt = fresh('restart');
    await chat(prompt);
    await h.gateway.gateway.cache.drain();
    await h.stop();
    h = await harness(); // a new process as far as L1 is concerned: same Redis
    expect((await chat(prompt)).cache).toBe('hit-l2');
    expect((await chat(prompt)).cache).toBe('hit-l1');
    expect(h.openai.calls).toHaveLength(0);
  });

  it('expires entries after their TTL (x-llm-edge-cache-ttl)', async () => {
    const prompt = fresh('ttl');
    await chat(prompt, { headers: { 'x-llm-edge-cache-ttl': '1' } });
    expect((await chat(prompt)).cache).toBe('hit-l1');
    await new Promise((r) => setTimeout(r, 1_300));
    expect((await chat(prompt)).cache).toBe('miss');
    expect(h.openai.calls).toHaveLength(2);
  });

  it('rejects a malformed TTL header with 400', async () => {
    const res = await rawRequest(h.gateway.url, '/v1/chat/completions', {
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
      headers: { authorization: 'Bearer sk-tenant-a', 'x-llm-edge-cache-ttl': 'soon' },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.param).toBe('x-llm-edge-cache-ttl');
  });
});

describe('keys', () => {
  it('keeps tenants apart', async () => {
    const prompt = fresh('tenant');
    expect((await chat(prompt, { key: 'sk-tenant-a' })).cache).toBe('miss');
    expect((await chat(prompt, { key: 'sk-tenant-b' })).cache).toBe('miss');
    expect((await chat(prompt, { key: 'sk-tenant-b' })).cache).toBe('hit-l1');
    expect(h.openai.calls).toHaveLength(2);
  });

  it('shares an entry between requests that differ only in key order, whitespace, stream and user', async () => {
    const prompt = fresh('canonical');
    const post = (body: string) => rawRequest(h.gateway.url, '/v1/chat/completions', { body, headers: { authorization: 'Bearer sk-tenant-a' } });
    const a = await post(JSON.stringify({ model: 'gpt-4o-mini', temperature: 0, messages: [{ role: 'user', content: prompt }] }));
    const b = await post(`{ "messages" : [ { "content": ${JSON.stringify(prompt)}, "role": "user" } ],\n  "temperature": 0, "user": "someone", "model": "gpt-4o-mini" }`);
    const c = await post(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }], temperature: 0, stream: false }));
    expect([a.headers.get('x-llm-edge-cache'), b.headers.get('x-llm-edge-cache'), c.headers.get('x-llm-edge-cache')]).toEqual(['miss', 'hit-l1', 'hit-l1']);
    const d = await post(JSON.stringify({ model: 'gpt-4o-mini', temperature: 1, messages: [{ role: 'user', content: prompt }] }));
    expect(d.headers.get('x-llm-edge-cache')).toBe('miss');
  });
});

describe('request controls', () => {
  it('no-cache skips the read but still writes; no-store skips the write', async () => {
    const prompt = fresh('controls');
    expect((await chat(prompt, { headers: { 'cache-control': 'no-store' } })).cache).toBe('miss');
    expect((await chat(prompt, { headers: { 'cache-control': 'no-cache' } })).cache).toBe('bypass');
    expect((await chat(prompt)).cache).toBe('hit-l1');
    expect(h.openai.calls).toHaveLength(2);
  });
});

describe('streams', () => {
  it('replays a finished stream with its chunk boundaries, and as JSON to a JSON caller', async () => {
    const prompt = fresh('replay me in pieces');
    const first = await streamChunks(prompt);
    expect(first.cache).toBe('miss');
    expect(first.chunks.join('')).toBe(expectedReply(prompt));
    const again = await streamChunks(prompt);
    expect(again.cache).toBe('hit-l1');
    expect(again.chunks).toEqual(first.chunks);
    const json = await chat(prompt);
    expect(json).toMatchObject({ cache: 'hit-l1', content: expectedReply(prompt) });
    expect(h.openai.calls).toHaveLength(1);
  });

  it('serves a cached JSON answer to a streaming caller as SSE', async () => {
    const prompt = fresh('json then stream');
    await chat(prompt, { model: 'claude-haiku-4-5' });
    const streamed = await streamChunks(prompt, { model: 'claude-haiku-4-5' });
    expect(streamed.cache).toBe('hit-l1');
    expect(streamed.chunks.join('')).toBe(expectedReply(prompt));
  });

  it('never stores a stream that broke', async () => {
    const prompt = fresh('broken stream');
    h.openai.script({ kind: 'break-stream', afterChunks: 2 });
    await expect(streamChunks(prompt)).rejects.toThrow();
    const next = await streamChunks(prompt);
    expect(next.cache).toBe('miss');
    expect(next.chunks.join('')).toBe(expectedReply(prompt));
  });
});

describe('what is never stored', () => {
  it('does not cache errors', async () => {
    const prompt = fresh('error first');
    h.openai.script({ kind: 'status', status: 500 });
    await expect(chat(prompt)).rejects.toThrow();
    expect((await chat(prompt)).cache).toBe('miss');
    expect((await chat(prompt)).cache).toBe('hit-l1');
  });
});

describe('coalescing', () => {
  it('makes one upstream call for concurrent identical requests; every caller gets the answer', async () => {
    h.openai.setLatency(300);
    const prompt = fresh('coalesce json');
    const before = await metricValue(h.gateway.gateway.metrics, 'llm_edge_coalesced_requests_total');
    const answers = await Promise.all(Array.from({ length: 5 }, () => chat(prompt)));
    expect(h.openai.calls).toHaveLength(1);
    for (const a of answers) expect(a.content).toBe(expectedReply(prompt));
    expect(await metricValue(h.gateway.gateway.metrics, 'llm_edge_coalesced_requests_total')).toBe(before + 4);
  });

  it('fans one upstream stream out to every waiter, late joiners included', async () => {
    const slow = await startHarnessWithSlowStream();
    try {
      const prompt = fresh('fan out this stream to all');
      const client = slow.client('sk-tenant-a');
      const open = () => client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: prompt }] });
      const collect = async (s: Awaited<ReturnType<typeof open>>) => {
        const parts: string[] = [];
        for await (const c of s) if (c.choices[0]?.delta.content) parts.push(c.choices[0].delta.content);
        return parts;
      };
      const first = collect(await open());
      await new Promise((r) => setTimeout(r, 150)); // joins mid-stream
      const late = collect(await open());
      const json = client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] });
      const [a, b, c] = await Promise.all([first, late, json]);
      expect(slow.openai.calls).toHaveLength(1);
      expect(a.join('')).toBe(expectedReply(prompt));
      expect(b).toEqual(a);
      expect(c.choices[0]?.message.content).toBe(expectedReply(prompt));
    } finally {
      await slow.stop();
    }
  });

  it('keeps streaming to the others when the leading caller disconnects', async () => {
    const slow = await startHarnessWithSlowStream();
    try {
      const prompt = fresh('leader leaves early');
      const client = slow.client('sk-tenant-a');
      const leader = new AbortController();
      const leaderStream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: prompt }] }, { signal: leader.signal });
      const follower = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: prompt }] });
      const it = leaderStream[Symbol.asyncIterator]();
      await it.next();
      leader.abort();
      let text = '';
      for await (const c of follower) text += c.choices[0]?.delta.content ?? '';
      expect(text).toBe(expectedReply(prompt));
      expect(slow.openai.calls).toHaveLength(1);
    } finally {
      await slow.stop();
    }
  });
});

describe('readiness', () => {
  it('reports L2 as ok, and degraded without failing when Redis is gone', async () => {
    let ready = await rawRequest(h.gateway.url, '/ready', { method: 'GET' });
    expect(ready.status).toBe(200);
    expect(ready.json.cache.l2).toBe('ok');
    await redis.kill();
    try {
      const prompt = fresh('redis down');
      expect((await chat(prompt)).content).toBe(expectedReply(prompt));
      ready = await rawRequest(h.gateway.url, '/ready', { method: 'GET' });
      expect(ready.status).toBe(200);
      expect(ready.json.cache.l2).toBe('degraded');
    } finally {
      await redis.restart();
    }
  });
});

/** A gateway on the same Redis whose fake OpenAI paces its stream chunks, so others can join mid-way. */
async function startHarnessWithSlowStream(): Promise<Harness> {
  const { startFakeOpenAI } = await import('../fakes/index.js');
  const slowFake = await startFakeOpenAI({ chunkDelayMs: 60 });
  const other = await startHarness({ env: { REDIS_URL: redis.url, LLM_EDGE_API_KEYS: KEYS, OPENAI_BASE_URL: `${slowFake.url}/v1` } });
  const stop = other.stop;
  return Object.assign(other, {
    openai: slowFake,
    stop: async () => {
      await stop();
      await slowFake.close();
    },
  });
}
