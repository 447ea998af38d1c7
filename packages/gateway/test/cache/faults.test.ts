/**
 * Redis failing under load never fails a request: a standalone Redis killed and restarted, a
 * Redis made slow with DEBUG SLEEP, one node of a three-node Redis Cluster killed. Every answer
 * is checked for correctness, and L2 recovers without restarting the gateway.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedReply } from '../fakes/index.js';
import { PATIENT_L2, startHarness, type Harness } from '../harness.js';
import { startRedis, startRedisCluster, type RedisClusterHandle, type RedisServer } from '../redis.js';
import { waitUntil } from './support.js';

const run = promisify(execFile);

interface LoadReport {
  answered: number;
  failed: string[];
  wrong: string[];
}

/**
 * Sends `total` chat requests, `concurrency` at a time, over a small set of prompts (so the
 * cache is exercised), checking each answer; `during` runs once the load is under way.
 */
async function load(h: Harness, total: number, concurrency: number, tag: string, during: () => Promise<void>): Promise<LoadReport> {
  const report: LoadReport = { answered: 0, failed: [], wrong: [] };
  const client = h.client('sk-load');
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const prompt = `${tag} prompt ${i % 25}`;
      try {
        const res = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] });
        if (res.choices[0]?.message.content === expectedReply(prompt)) report.answered++;
        else report.wrong.push(`${i}: ${res.choices[0]?.message.content}`);
      } catch (err) {
        report.failed.push(`${i}: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  await new Promise((r) => setTimeout(r, 50));
  await during();
  await Promise.all(workers);
  return report;
}

function expectClean(report: LoadReport, total: number) {
  expect(report.failed).toEqual([]);
  expect(report.wrong).toEqual([]);
  expect(report.answered).toBe(total);
}

describe('a standalone Redis', () => {
  let redis: RedisServer;
  let h: Harness;
  beforeAll(async () => {
    redis = await startRedis();
    h = await startHarness({ env: { REDIS_URL: redis.url, LLM_EDGE_API_KEYS: 'sk-load' } });
  });
  afterAll(async () => {
    await h?.stop();
    await redis?.stop();
  });

  it('killed under load and restarted: every request answered, L2 back without a gateway restart', async () => {
    const report = await load(h, 300, 8, 'kill', async () => {
      await redis.kill();
      await new Promise((r) => setTimeout(r, 300));
      await redis.restart();
    });
    expectClean(report, 300);
    // L2 works again: an entry this gateway stores is found by a second gateway on the same Redis.
    const prompt = `after recovery ${Date.now()}`;
    await waitUntil(async () => {
      await h.client('sk-load').chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] }, { headers: { 'cache-control': 'no-cache' } });
      await h.gateway.gateway.cache.drain();
      const other = await startHarness({ env: { REDIS_URL: redis.url, LLM_EDGE_API_KEYS: 'sk-load' } });
      try {
        const { response } = await other.client('sk-load').chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] }).withResponse();
        return response.headers.get('x-llm-edge-cache') === 'hit-l2';
      } finally {
        await other.stop();
      }
    }, 'L2 to serve again after the restart', 20_000);
  });

  it('made slow with DEBUG SLEEP: every request answered, none waits for Redis', async () => {
    const report = await load(h, 150, 8, 'slow', async () => {
      void run('redis-cli', ['-p', String(redis.port), 'DEBUG', 'SLEEP', '2']).catch(() => undefined);
    });
    expectClean(report, 150);
  });
});

describe('a three-node Redis Cluster', () => {
  let cluster: RedisClusterHandle;
  let h: Harness;
  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    h = await startHarness({ env: { REDIS_CLUSTER_NODES: cluster.seeds.join(','), LLM_EDGE_API_KEYS: 'sk-load' } });
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
    await cluster?.stop();
  });

  it('serves L2 hits from the cluster', async () => {
    const prompt = `cluster ${Date.now()}`;
    const options = { env: { REDIS_CLUSTER_NODES: cluster.seeds.join(','), LLM_EDGE_API_KEYS: 'sk-load' }, configYaml: PATIENT_L2 };
    const [first, other] = [await startHarness(options), await startHarness(options)];
    try {
      // A gateway starts serving after connectTimeoutMs even when its cluster client is not ready
      // yet (L1 and upstream only); on a loaded machine that can be the case here.
      const connected = (hh: Harness) => hh.gateway.gateway.cache.readiness().l2 === 'ok';
      await waitUntil(() => connected(first) && connected(other), 'both gateways connected to the cluster');
      await first.client('sk-load').chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] });
      await first.gateway.gateway.cache.drain();
      const { response } = await other.client('sk-load').chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] }).withResponse();
      expect(response.headers.get('x-llm-edge-cache')).toBe('hit-l2');
    } finally {
      await Promise.all([first.stop(), other.stop()]);
    }
  });

  it('one node killed under load: every request answered', async () => {
    const report = await load(h, 300, 8, 'node-down', async () => {
      await cluster.nodes[1]!.kill();
    });
    expectClean(report, 300);
    const ready = await fetch(`${h.gateway.url}/ready`);
    expect(ready.status).toBe(200);
  });
});
