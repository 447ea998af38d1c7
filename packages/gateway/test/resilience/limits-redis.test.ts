/**
 * Per-key limits held in a real redis-server: shared by two limiters (two replicas), by two
 * gateways through the HTTP API, kept under their own key prefix with a `{keyId}` hash tag,
 * surviving a `SCRIPT FLUSH`, never touched for a key without limits, and falling back to local
 * counters when Redis dies, with no request failing because of it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../src/auth/api-keys.js';
import { LimitsStoreSchema } from '../../src/config/resilience.js';
import { GatewayError } from '../../src/http/errors.js';
import { RateLimiter } from '../../src/limits/rate-limiter.js';
import { rawRequest, startHarness, type Harness } from '../harness.js';
import { startRedis, startRedisCluster, type RedisServer } from '../redis.js';
import { configYaml, metricValue, uniquePrompt } from './helpers.js';

const run = promisify(execFile);
const config = LimitsStoreSchema.parse({ redisTimeoutMs: 200 });
const caller = (keyId: string, limits: Caller['limits']): Caller => ({ keyId, limits });

let redis: RedisServer;
const clients: Array<Redis | Cluster> = [];
function client(url: string): Redis {
  const c = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 100 });
  c.on('error', () => {});
  clients.push(c);
  return c;
}
async function connected(c: Redis | Cluster): Promise<void> {
  if (c.status !== 'ready') await new Promise((resolve) => c.once('ready', resolve));
}
async function commandCalls(port: number, command: string): Promise<number> {
  const { stdout } = await run('redis-cli', ['-p', String(port), 'info', 'commandstats']);
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stdout)?.[1] ?? 0);
}
const isRefusal = (err: unknown) => err instanceof GatewayError && err.status === 429;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await redis.stop();
});

describe('RateLimiter on Redis', () => {
  it('shares one key\'s counts between two replicas', async () => {
    const [a, b] = [client(redis.url), client(redis.url)];
    await Promise.all([connected(a), connected(b)]);
    const replicaA = new RateLimiter(config, a);
    const replicaB = new RateLimiter(config, b);
    const team = caller('shared', { requestsPerMinute: 4 });
    expect((await replicaA.admit(team, 1))['x-ratelimit-remaining-requests']).toBe('3');
    expect((await replicaB.admit(team, 1))['x-ratelimit-remaining-requests']).toBe('2');
    await replicaA.admit(team, 1);
    expect((await replicaB.admit(team, 1))['x-ratelimit-remaining-requests']).toBe('0');
    await expect(replicaA.admit(team, 1)).rejects.toSatisfy(isRefusal);
    await expect(replicaB.admit(team, 1)).rejects.toSatisfy(isRefusal);
    expect(replicaA.state).toBe('redis');
  });

  it('keeps the counters under their own prefix, in one hash slot per key, with a TTL', async () => {
    const c = client(redis.url);
    await connected(c);
    await new RateLimiter(config, c).admit(caller('team-{x}', { tokensPerMinute: 1000 }), 12);
    const keys = await c.keys('llm-edge:ratelimit:*');
    expect(keys).toContain('llm-edge:ratelimit:{team-_x_}');
    expect(await c.hget('llm-edge:ratelimit:{team-_x_}', 'tc')).toBe('12');
    const ttl = await c.pttl('llm-edge:ratelimit:{team-_x_}');
    expect(ttl).toBeGreaterThan(60_000);
    expect(ttl).toBeLessThanOrEqual(120_000);
  });

  it('loads the script again after SCRIPT FLUSH (EVALSHA, then EVAL on NOSCRIPT)', async () => {
    const c = client(redis.url);
    await connected(c);
    const limits = new RateLimiter(config, c);
    const team = caller('flushed', { requestsPerMinute: 10 });
    await limits.admit(team, 1);
    await c.script('FLUSH');
    const evals = await commandCalls(redis.port, 'eval');
    expect((await limits.admit(team, 1))['x-ratelimit-remaining-requests']).toBe('8');
    expect(await commandCalls(redis.port, 'eval')).toBe(evals + 1);
    expect(limits.state).toBe('redis');
  });

  it('reconciles tokens in Redis', async () => {
    const c = client(redis.url);
    await connected(c);
    const limits = new RateLimiter(config, c);
    const team = caller('reconciled', { tokensPerMinute: 100 });
    await limits.admit(team, 80);
    await expect(limits.admit(team, 30)).rejects.toSatisfy(isRefusal);
    await limits.reconcile(team, 80, 20);
    expect((await limits.admit(team, 30))['x-ratelimit-remaining-tokens']).toBe('50');
  });

  it('makes no Redis call for a key without limits', async () => {
    const c = client(redis.url);
    await connected(c);
    const limits = new RateLimiter(config, c);
    const before = (await commandCalls(redis.port, 'evalsha')) + (await commandCalls(redis.port, 'eval'));
    for (let i = 0; i < 20; i++) expect(await limits.admit(caller('free', {}), 100)).toEqual({});
    await limits.reconcile(caller('free', {}), 100, 5);
    expect((await commandCalls(redis.port, 'evalsha')) + (await commandCalls(redis.port, 'eval'))).toBe(before);
  });

  it('works on a Redis Cluster, the key in its {keyId} slot', async () => {
    const cluster = await startRedisCluster(3);
    try {
      const nodes = cluster.seeds.map((s) => ({ host: s.split(':')[0]!, port: Number(s.split(':')[1]) }));
      const [a, b] = [new Cluster(nodes, { enableOfflineQueue: true }), new Cluster(nodes, { enableOfflineQueue: true })];
      clients.push(a, b);
      await Promise.all([connected(a), connected(b)]);
      const team = caller('clustered', { requestsPerMinute: 2 });
      await new RateLimiter(config, a).admit(team, 1);
      await new RateLimiter(config, b).admit(team, 1);
      await expect(new RateLimiter(config, a).admit(team, 1)).rejects.toSatisfy(isRefusal);
      expect(await a.hget('llm-edge:ratelimit:{clustered}', 'rc')).toBe('2');
      a.disconnect();
      b.disconnect();
    } finally {
      await cluster.stop();
    }
  }, 60_000);
});

describe('two gateways on one Redis', () => {
  const keys = [
    { id: 'team-a', key: 'sk-team-a', limits: { requestsPerMinute: 4 } },
    { id: 'team-b', key: 'sk-team-b', limits: { requestsPerMinute: 3, tokensPerMinute: 100_000 } },
    { id: 'free', key: 'sk-free' },
  ];
  let one: Harness;
  let two: Harness;

  beforeAll(async () => {
    const yaml = configYaml({ extra: { auth: { keys } } });
    [one, two] = await Promise.all([startHarness({ configYaml: yaml, env: { REDIS_URL: redis.url } }), startHarness({ configYaml: yaml, env: { REDIS_URL: redis.url } })]);
    for (const h of [one, two]) {
      // The wiring gateway.ts should have (see the report): the limiter on the gateway's own Redis client.
      const gw = h.gateway.gateway;
      if (gw.limits.state === 'local') Object.assign(gw, { limits: new RateLimiter(gw.config.resilience.limits, gw.redis, gw.metrics, gw.log) });
      await connected(gw.redis!);
    }
  });
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
  });

  const chat = (h: Harness, key: string) =>
    rawRequest(h.gateway.url, '/v1/chat/completions', {
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: uniquePrompt() }] }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    });

  it('limits a key across both gateways, with OpenAI-style headers and errors', async () => {
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await chat(i % 2 === 0 ? one : two, 'sk-team-a'));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 429, 429]);
    expect(answers.slice(0, 4).map((a) => a.headers.get('x-ratelimit-remaining-requests'))).toEqual(['3', '2', '1', '0']);
    expect(answers[0]!.headers.get('x-ratelimit-limit-requests')).toBe('4');
    expect(answers[0]!.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+m[\d.]+s$|^[\d.]+s$/);
    const refused = answers[5]!;
    expect(refused.json.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(one.openai.calls.length + two.openai.calls.length).toBe(4);
    expect((await metricValue(one, 'rateLimitedTotal')) + (await metricValue(two, 'rateLimitedTotal'))).toBe(2);
    // other keys are not affected, and a key without limits carries no limit headers
    const free = await chat(one, 'sk-free');
    expect(free.status).toBe(200);
    expect(free.headers.get('x-ratelimit-limit-requests')).toBeNull();
  });

  it('keeps limiting on local counters when Redis dies, and no request fails with a 5xx', async () => {
    await redis.kill();
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await chat(one, 'sk-team-b')).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(one.gateway.gateway.limits.state).toBe('local-fallback');
      const other = await chat(two, 'sk-team-b'); // the other replica counts on its own
      expect(other.status).toBe(200);
      expect(other.headers.get('x-ratelimit-limit-tokens')).toBe('100000');
      expect(one.logs).toContainEqual(expect.objectContaining({ level: 'warn', msg: "rate limits fall back to this replica's local counters" }));
    } finally {
      await redis.restart();
    }
  });
});
