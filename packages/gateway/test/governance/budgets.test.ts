/**
 * Budgets across replicas, on a real Redis (standalone and a three-node cluster) shared by two
 * gateways: concurrent requests never spend past a budget and are served while it can afford
 * them; reservations by max_tokens; team and key budgets together; cache hits free; the
 * allow-list; the budget header; Redis down in both modes.
 *
 * Prices make the arithmetic exact: input is free and output costs $0.001 a token, and every
 * request asks for max_tokens 5 with a prompt whose echo is longer, so the fake answers exactly
 * 5 completion tokens: the worst case reserved equals the real cost, $0.005.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue } from '../cache/metric-value.js';
import { PATIENT_L2, rawRequest, startHarness, type Harness } from '../harness.js';
import { startRedis, startRedisCluster, type RedisClusterHandle, type RedisServer } from '../redis.js';

const COST = 0.005;
const keysYaml = (suffix: string, mode: 'local' | 'deny' = 'local') => `${PATIENT_L2}
pricing:
  gpt-4o-mini: { input: 0, output: 1000 }
  gpt-4o: { input: 0, output: 1000 }
governance: { redisDown: ${mode}, redisTimeoutMs: 500 }
auth:
  teams:
    - { id: platform, budget: { usd: 0.0125, period: month } }
  keys:
    - { id: concurrent, key: sk-concurrent-${suffix}, budget: { usd: 0.0525, period: day } }
    - { id: tight, key: sk-tight-${suffix}, budget: { usd: 0.003, period: total } }
    - { id: team-a, key: sk-team-a-${suffix}, team: platform, budget: { usd: 0.0075, period: day } }
    - { id: team-b, key: sk-team-b-${suffix}, team: platform }
    - { id: cached, key: sk-cached-${suffix}, budget: { usd: 1, period: day } }
    - { id: listed, key: sk-listed-${suffix}, models: [gpt-4o-mini, "claude-*"] }
    - { id: free, key: sk-free-${suffix} }
`;

let n = 0;
/** A prompt of eight words, never sent before: an echo of 9 words, cut to 5 by max_tokens. */
const fresh = () => `budget words one two three four five ${++n}-${Date.now()}`;

function ask(h: Harness, key: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return rawRequest(h.gateway.url, '/v1/chat/completions', {
    body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 5, messages: [{ role: 'user', content: fresh() }], ...body }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'cache-control': 'no-cache, no-store', ...headers },
  });
}

describe.each([
  ['standalone Redis', 'standalone'],
  ['a three-node Redis Cluster', 'cluster'],
] as const)('budgets on %s', (_name, topology) => {
  let redis: RedisServer | undefined;
  let cluster: RedisClusterHandle | undefined;
  let a: Harness;
  let b: Harness;
  const k = (name: string) => `sk-${name}-${topology}`;
  beforeAll(async () => {
    let env: Record<string, string>;
    if (topology === 'standalone') {
      redis = await startRedis();
      env = { REDIS_URL: redis.url };
    } else {
      cluster = await startRedisCluster(3);
      env = { REDIS_CLUSTER_NODES: cluster.seeds.join(',') };
    }
    a = await startHarness({ env, configYaml: keysYaml(topology) });
    // The second replica: the same Redis and the same providers.
    b = await startHarness({ env: { ...env, OPENAI_BASE_URL: `${a.openai.url}/v1`, ANTHROPIC_BASE_URL: a.anthropic.url }, configYaml: keysYaml(topology) });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await Promise.all([redis?.stop(), cluster?.stop()]);
  });

  it('50 concurrent requests across both replicas: exactly what the budget affords is served, never more', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => ask(i % 2 ? a : b, k('concurrent'))));
    const served = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 429);
    expect(served.length + refused.length).toBe(50);
    expect(served).toHaveLength(10); // $0.0525 affords ten $0.005 requests, and ten are served
    for (const r of served) expect(r.json.usage.completion_tokens).toBe(5);
    for (const r of refused) {
      expect(r.json.error.code).toBe('budget_exceeded');
      expect(r.headers.get('x-should-retry')).toBe('false');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(r.json.error.message).toMatch(/resets at \d{4}-\d\d-\d\dT00:00:00\.000Z/);
    }
    // Both replicas see the same remaining spend: $0.0025.
    for (const h of [a, b]) {
      const next = await ask(h, k('concurrent'), { max_tokens: 1 });
      expect(next.status).toBe(200);
      expect(Number(next.headers.get('x-llm-edge-budget-remaining-usd'))).toBeCloseTo(h === a ? 0.0015 : 0.0005, 9);
    }
  });

  it('refuses by the worst case (max_tokens), and settling returns what the answer did not use', async () => {
    const tooBig = await ask(a, k('tight'));
    expect(tooBig.status).toBe(429);
    expect(tooBig.json.error.message).toMatch(/does not reset/);
    expect(tooBig.headers.get('retry-after')).toBeNull();
    expect(tooBig.headers.get('x-llm-edge-budget-remaining-usd')).toBe('0.003');
    // max_tokens 3 reserves $0.003; the answer "Echo: x" uses 2 tokens: $0.001 comes back.
    const small = await ask(a, k('tight'), { max_tokens: 3, messages: [{ role: 'user', content: 'x' }] });
    expect(small.status).toBe(200);
    expect(small.json.usage.completion_tokens).toBe(2);
    await expect.poll(async () => (await ask(b, k('tight'), { max_tokens: 1, messages: [{ role: 'user', content: 'y' }] })).status, { timeout: 5_000 }).toBe(200);
  });

  it('a key\'s own budget and its team\'s bind together, and the header shows the tighter', async () => {
    expect((await ask(a, k('team-a'))).status).toBe(200); // team 0.0075 left, key 0.0025 left
    const second = await ask(a, k('team-a'));
    expect(second.status).toBe(429); // the key's own budget is the tighter
    const fromB = await ask(b, k('team-b'));
    expect(fromB.status).toBe(200); // the team has 0.0075 -> 0.0025
    expect(Number(fromB.headers.get('x-llm-edge-budget-remaining-usd'))).toBeCloseTo(0.0025, 9);
    const teamOut = await ask(b, k('team-b'));
    expect(teamOut.status).toBe(429);
    expect(teamOut.json.error.message).toContain("Team 'platform'");
    expect(await metricValue(b.gateway.gateway.metrics, 'llm_edge_budget_refusals_total', { scope: 'team', id: 'platform' })).toBeGreaterThan(0);
  });

  it('cache hits cost nothing and still carry the remaining budget', async () => {
    const prompt = fresh();
    const body = { messages: [{ role: 'user', content: prompt }] };
    const miss = await ask(a, k('cached'), body, { 'cache-control': '' });
    expect(miss.headers.get('x-llm-edge-cache')).toBe('miss');
    const left = Number(miss.headers.get('x-llm-edge-budget-remaining-usd'));
    await a.gateway.gateway.cache.drain();
    for (const h of [a, b]) {
      const hit = await ask(h, k('cached'), body, { 'cache-control': '' });
      expect(hit.headers.get('x-llm-edge-cache')).toMatch(/^hit/);
      expect(Number(hit.headers.get('x-llm-edge-budget-remaining-usd'))).toBeCloseTo(left + 0, 9);
    }
  });

  it('the allow-list: other models are 403 in each dialect, with no upstream call', async () => {
    const before = a.openai.calls.length;
    const chat = await ask(a, k('listed'), { model: 'gpt-4o' });
    expect(chat.status).toBe(403);
    expect(chat.json.error).toMatchObject({ param: 'model', code: 'model_not_allowed' });
    const stream = await ask(a, k('listed'), { model: 'gpt-4o', stream: true });
    expect(stream.status).toBe(403);
    expect(stream.headers.get('content-type')).toContain('application/json');
    const embeddings = await rawRequest(a.gateway.url, '/v1/embeddings', { body: JSON.stringify({ model: 'text-embedding-3-small', input: 'x' }), headers: { 'content-type': 'application/json', authorization: `Bearer ${k('listed')}` } });
    expect(embeddings.status).toBe(403);
    const messages = await new Anthropic({ apiKey: k('listed'), baseURL: a.gateway.url, maxRetries: 0 }).messages.create({ model: 'gpt-4o-mini-2024-07-18', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(messages).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect(a.openai.calls.length).toBe(before);
    expect((await ask(a, k('listed'))).status).toBe(200);
    expect((await ask(a, k('listed'), { model: 'claude-haiku-4-5' })).status).toBe(200);
  });

  it('a key without a budget gets no budget header', async () => {
    const res = await ask(a, k('free'));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-llm-edge-budget-remaining-usd')).toBeNull();
  });
});

describe('Redis down', () => {
  it.each(['local', 'deny'] as const)('redisDown: %s', async (mode) => {
    const redis = await startRedis();
    const h = await startHarness({ env: { REDIS_URL: redis.url }, configYaml: keysYaml(mode, mode) });
    try {
      expect((await ask(h, `sk-cached-${mode}`)).status).toBe(200);
      await redis.kill();
      const calls = h.openai.calls.length;
      const during = await ask(h, `sk-cached-${mode}`);
      if (mode === 'deny') {
        expect(during.status).toBe(503);
        expect(during.json.error.code).toBe('budget_store_unavailable');
        expect(h.openai.calls.length).toBe(calls); // refused before anything went upstream
      }
      expect((await ask(h, `sk-free-${mode}`)).status).toBe(200); // keys without a budget are served
      if (mode === 'local') {
        expect(during.status).toBe(200);
        // The local counters still bind: the tight key's worst case does not fit.
        expect((await ask(h, `sk-tight-${mode}`)).status).toBe(429);
      }
      // A restarted test Redis is empty (nothing persisted): only what came after the outage is there.
      await redis.restart();
      await expect
        .poll(async () => {
          const res = await ask(h, `sk-cached-${mode}`);
          return res.status === 200 && h.gateway.gateway.governance.state === 'redis';
        }, { timeout: 10_000, interval: 200 })
        .toBe(true);
      if (mode === 'local') {
        // What was counted during the outage reached Redis once it was back: another replica sees it.
        const other = await startHarness({ env: { REDIS_URL: redis.url }, configYaml: keysYaml(mode, mode) });
        try {
          const seen = await ask(other, `sk-cached-${mode}`, { max_tokens: 1 });
          expect(1 - Number(seen.headers.get('x-llm-edge-budget-remaining-usd'))).toBeGreaterThanOrEqual(2 * COST + 0.001 - 1e-9);
        } finally {
          await other.stop();
        }
      }
    } finally {
      await h.stop();
      await redis.stop();
    }
  }, 60_000);
});
