/**
 * Graceful shutdown of the real process: on SIGTERM the gateway stops accepting, lets a stream
 * in flight finish to its last chunk, writes out its buffered log lines, then exits 0. A bad configuration stops the start with a
 * message naming the field, and no stack trace.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedReply, startFakeOpenAI, type FakeProvider } from './fakes/index.js';

const main = fileURLToPath(new URL('../lib/main.js', import.meta.url));
let slow: FakeProvider;

beforeAll(async () => {
  slow = await startFakeOpenAI({ chunkDelayMs: 80 });
});
afterAll(() => slow.close());

describe('SIGTERM', () => {
  it('finishes the stream in flight, refuses new connections, and exits 0', async () => {
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, PORT: '0', METRICS_PORT: '0', OPENAI_API_KEY: 'sk-fake-openai', OPENAI_BASE_URL: `${slow.url}/v1`, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        output += c.toString();
        const m = /"url":"(http:[^"]+)"/.exec(output);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
    // Access lines are buffered, but a quiet gateway still writes them out within moments.
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'first' }] });
    await expect.poll(() => output, { timeout: 5_000 }).toMatch(/"msg":"request".*"status":200/);
    const prompt = 'one two three four five six seven eight';
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: prompt }] });
    let text = '';
    let signalled = false;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (!signalled) {
        signalled = true;
        child.kill('SIGTERM');
        await expect.poll(() => output, { timeout: 5_000 }).toContain('draining in-flight requests');
        await expect(fetch(`${url}/health`)).rejects.toThrow(); // no new connections while draining
      }
    }
    expect(text).toBe(expectedReply(prompt));
    expect(await exited).toBe(0);
    // What was still buffered at exit was written: the stream's access line is there too.
    expect(output.match(/"msg":"request"/g)).toHaveLength(2);
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
