/**
 * Graceful shutdown of the real process: on SIGTERM the gateway answers `/ready` with 503 while
 * it keeps its listener open for the drain delay (so balancers move traffic away), then stops
 * accepting, lets a stream in flight finish to its last chunk, writes out its buffered log
 * lines, and exits 0. A bad configuration stops the start with a
 * message naming the field, and no stack trace.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedReply, startFakeOpenAI, type FakeProvider } from './fakes/index.js';
import { spawnGateway } from './gateway-process.js';

const main = fileURLToPath(new URL('../lib/main.js', import.meta.url));
let slow: FakeProvider;

beforeAll(async () => {
  slow = await startFakeOpenAI({ chunkDelayMs: 80 });
});
afterAll(() => slow.close());

describe('SIGTERM', () => {
  it('answers /ready 503 during the drain delay, finishes the stream in flight, then refuses connections and exits 0', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'llm-edge-drain-')), 'config.yaml');
    writeFileSync(file, 'server:\n  drainDelayMs: 1500\n');
    const gateway = await spawnGateway({ LLM_EDGE_CONFIG: file, OPENAI_API_KEY: 'sk-fake-openai', OPENAI_BASE_URL: `${slow.url}/v1` });
    const { child, url, exited } = gateway;
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
    // Access lines are buffered, but a quiet gateway still writes them out within moments.
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'first' }] });
    await expect.poll(() => gateway.output, { timeout: 5_000 }).toMatch(/"msg":"request".*"status":200/);
    const prompt = 'one two three four five six seven eight';
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: prompt }] });
    let text = '';
    let signalled = false;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (!signalled) {
        signalled = true;
        child.kill('SIGTERM');
        await expect.poll(() => gateway.output, { timeout: 5_000 }).toContain('draining in-flight requests');
        // Still listening through the drain delay: not ready, but alive.
        const ready = await fetch(`${url}/ready`);
        expect(ready.status).toBe(503);
        expect(((await ready.json()) as { status: string }).status).toBe('draining');
        expect((await fetch(`${url}/health`)).status).toBe(200);
        // After the delay, no new connections.
        await expect
          .poll(() => fetch(`${url}/health`, { headers: { connection: 'close' } }).then(() => 'accepted', () => 'refused'), { timeout: 10_000, interval: 100 })
          .toBe('refused');
      }
    }
    expect(text).toBe(expectedReply(prompt));
    expect(await exited).toBe(0);
    // What was still buffered at exit was written: the stream's access line is there too.
    expect(gateway.output.match(/"msg":"request"/g)).toHaveLength(2);
  });
});

describe('a bad configuration', () => {
  it('stops the start with a message naming the field', () => {
    const result = spawnSync(process.execPath, [main], { env: { ...process.env, PORT: 'eighty', METRICS_PORT: '0' }, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('server.port (from env PORT)');
    expect(result.stderr).toContain('"eighty"');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('names a bad field of the config file', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'llm-edge-config-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'cache:\n  l1:\n    maxBytes: -5\nroutes:\n  - match: x\n    targets: []\n');
    const result = spawnSync(process.execPath, [main], { env: { ...process.env, LLM_EDGE_CONFIG: file, PORT: '0', METRICS_PORT: '0' }, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('cache.l1.maxBytes');
    expect(result.stderr).toContain('routes.0.targets');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
