// Shared pieces of the cache tests: a logger whose lines can be read back, ioredis readiness,
// and polling with a deadline.
import { Writable } from 'node:stream';
import type { Cluster, Redis } from 'ioredis';
import type { CachedAnswer } from '../../src/cache/entry.js';
import { createLogger, type Logger } from '../../src/telemetry/logger.js';

export function captureLogger(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: createLogger('info', sink), lines };
}

export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function waitReady(client: Redis | Cluster): Promise<void> {
  return waitUntil(() => client.status === 'ready', 'the redis client to be ready', 10_000);
}

export function jsonAnswer(text: string, createdAt = Date.now()): CachedAnswer {
  return {
    kind: 'json',
    body: Buffer.from(JSON.stringify({ id: 'chatcmpl-t', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: text } }] })),
    model: 'gpt-4o-mini',
    provider: 'openai',
    createdAt,
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
  };
}

/** Runs `fn` and how long it took, in ms. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}
