/**
 * `LLM_EDGE_WORKERS`: the real command with two workers shares one API port, answers from both
 * workers, shows one /metrics with every worker's requests added up, and drains every worker on
 * SIGTERM before it exits 0.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedReply, startFakeOpenAI, type FakeProvider } from './fakes/index.js';
import { workerCount } from '../src/workers.js';
import { spawnGateway } from './gateway-process.js';

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());

describe('LLM_EDGE_WORKERS', () => {
  it('parses 1, auto and a number, and names the variable for anything else', () => {
    expect(workerCount(undefined)).toBe(1);
    expect(workerCount('3')).toBe(3);
    expect(workerCount('auto')).toBeGreaterThanOrEqual(1);
    expect(() => workerCount('many')).toThrow(/LLM_EDGE_WORKERS/);
    expect(() => workerCount('0')).toThrow(/LLM_EDGE_WORKERS/);
  });

  it('runs two workers behind one port and one /metrics, and drains them on SIGTERM', async () => {
    const gateway = await spawnGateway({ LLM_EDGE_WORKERS: '2', OPENAI_API_KEY: 'sk-fake-openai', OPENAI_BASE_URL: `${fake.url}/v1` });
    const { child, url, metricsUrl, exited } = gateway;
    expect(gateway.output).toContain('"workers":2');
    try {
      // Fresh connections each time, so the kernel spreads them over both workers.
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          fetch(`${url}/v1/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', connection: 'close', 'cache-control': 'no-store' },
            body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `worker ${i}` }] }),
          }).then((r) => r.json() as Promise<{ choices: Array<{ message: { content: string } }> }>),
        ),
      );
      answers.forEach((a, i) => expect(a.choices[0]?.message.content).toBe(expectedReply(`worker ${i}`)));
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
      expect((await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'sdk' }] })).choices[0]?.message.content).toBe(expectedReply('sdk'));
      await expect
        .poll(async () => {
          const text = await (await fetch(metricsUrl)).text();
          const line = text.split('\n').find((l) => l.startsWith('llm_edge_requests_total{') && l.includes('status="200"'));
          return Number(line?.split(' ').at(-1));
        }, { timeout: 10_000 })
        .toBe(41);
      // Both workers answered: the access lines carry two pids.
      await expect.poll(() => new Set([...gateway.output.matchAll(/"pid":(\d+)[^\n]*"msg":"request"/g)].map((m) => m[1])).size, { timeout: 5_000 }).toBe(2);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(gateway.output).toContain('draining in-flight requests');
  }, 60_000);
});
