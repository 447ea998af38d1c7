/**
 * The README's first command, as a user runs it: `pnpm gateway` from the repository root starts
 * the gateway, which answers `/health`, and the OpenAI SDK gets correct answers from it, streamed
 * and not, from both providers (here the fake ones). SIGTERM then drains it and it exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedReply, startFakeAnthropic, startFakeOpenAI, type FakeProvider } from './fakes/index.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

let openai: FakeProvider;
let anthropic: FakeProvider;
let child: ChildProcess;
let output = '';
let baseUrl = '';

/** Waits for the gateway's "listening" log line (turbo prefixes each line with the task name). */
function listening(proc: ChildProcess): Promise<string> {
  let own = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${own}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      own += chunk.toString('utf8');
      const match = /"url":"(http:\/\/[^"]+)".*"msg":"llm-edge-agent listening"/.exec(own);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`gateway exited with ${code}:\n${own}`)));
  });
}

beforeAll(async () => {
  openai = await startFakeOpenAI();
  anthropic = await startFakeAnthropic();
  child = spawn('pnpm', ['gateway'], {
    cwd: repoRoot,
    detached: true, // its own process group, so SIGTERM reaches pnpm, turbo and node alike
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: '0',
      METRICS_PORT: '0',
      OPENAI_API_KEY: 'sk-fake-openai',
      OPENAI_BASE_URL: `${openai.url}/v1`,
      ANTHROPIC_API_KEY: 'sk-ant-fake',
      ANTHROPIC_BASE_URL: anthropic.url,
      TURBO_TELEMETRY_DISABLED: '1',
      DO_NOT_TRACK: '1',
    },
  });
  baseUrl = await listening(child);
}, 120_000);

afterAll(async () => {
  if (child.exitCode === null && child.signalCode === null && child.pid) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
  }
  await Promise.all([openai?.close(), anthropic?.close()]);
});

describe('the README quick start', () => {
  it('answers /health and warns that it is open', async () => {
    const res = await fetch(`${baseUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(output).toContain('NO API KEYS CONFIGURED');
  });

  it.each(['gpt-4o-mini', 'claude-haiku-4-5'])('serves %s through the OpenAI SDK, JSON and streamed', async (model) => {
    const client = new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
    const json = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'quick start works' }] });
    expect(json.choices[0]?.message.content).toBe(expectedReply('quick start works'));
    const stream = await client.chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: 'streaming works too' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(expectedReply('streaming works too'));
  });

  it('answers mock/echo, which needs no provider key, JSON and streamed', async () => {
    const client = new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
    const json = await client.chat.completions.create({ model: 'mock/echo', messages: [{ role: 'user', content: 'fresh machine' }] });
    expect(json.choices[0]?.message.content).toBe('Echo: fresh machine');
    expect(openai.calls.some((c) => c.raw.includes('fresh machine'))).toBe(false);
    const stream = await client.chat.completions.create({ model: 'mock/echo', stream: true, messages: [{ role: 'user', content: 'no keys needed' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Echo: no keys needed');
  });

  it('drains on SIGTERM and stops listening', async () => {
    // pnpm itself dies of the signal; the gateway's own exit code is checked in shutdown.test.ts.
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
    await expect.poll(() => output, { timeout: 10_000 }).toContain('draining in-flight requests');
    await expect(fetch(`${baseUrl}/health`)).rejects.toThrow();
  });
});

describe('the README first command on a machine with no provider keys', () => {
  it('starts and answers mock/echo, JSON and streamed', async () => {
    // The environment of a fresh machine: none of the providers' credentials.
    const env: Record<string, string | undefined> = { ...process.env, PORT: '0', METRICS_PORT: '0', TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };
    for (const name of Object.keys(env)) if (/^(OPENAI|ANTHROPIC|AZURE_OPENAI|GEMINI|VERTEX|GOOGLE_APPLICATION|AWS)_/.test(name)) delete env[name];
    const keyless = spawn('pnpm', ['gateway'], { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
    try {
      const url = await listening(keyless);
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
      const json = await client.chat.completions.create({ model: 'mock/echo', messages: [{ role: 'user', content: 'hello from nowhere' }] });
      expect(json.choices[0]?.message.content).toBe('Echo: hello from nowhere');
      const stream = await client.chat.completions.create({ model: 'mock/echo', stream: true, messages: [{ role: 'user', content: 'still nowhere' }] });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toBe('Echo: still nowhere');
    } finally {
      const exited = new Promise((resolve) => keyless.once('exit', resolve));
      process.kill(-keyless.pid!, 'SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    }
  }, 120_000);
});
