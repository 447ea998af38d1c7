/**
 * What a caller can make the gateway hold or show: label values and per-target state are
 * bounded whatever model names callers invent, `/ready` names no caller's model, and a hung
 * provider cannot hold a request past its deadline (config, or the caller's x-llm-edge-timeout).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, startHarness, type Harness } from '../harness.js';

const headers = { 'content-type': 'application/json' };
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ configYaml: 'resilience:\n  requestTimeoutMs: 1500\n  retry: { baseDelayMs: 10, maxDelayMs: 20 }\n' });
});
afterAll(() => h.stop());

const ask = (model: string, extra: Record<string, string> = {}) =>
  rawRequest(h.gateway.url, '/v1/chat/completions', { body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }] }), headers: { ...headers, ...extra } });

describe('caller-chosen model names', () => {
  it('never become long label values', async () => {
    const long = `openai/${'m'.repeat(200)}`;
    expect((await ask(long)).status).toBe(200);
    const text = await (await fetch(h.gateway.metricsUrl)).text();
    expect(text).not.toContain('m'.repeat(129));
    const modelValues = [...text.matchAll(/model="([^"]*)"/g)].map((m) => m[1]!);
    expect(Math.max(...modelValues.map((v) => v.length))).toBeLessThanOrEqual(128);
    expect(modelValues).toContain('other');
  });

  it('keep a bounded number of breakers, and /ready names none of them', async () => {
    const names = Array.from({ length: 1_100 }, (_, i) => `openai/invented-${i}-${'z'.repeat(20)}`);
    for (let i = 0; i < names.length; i += 50) await Promise.all(names.slice(i, i + 50).map((m) => ask(m)));
    const ready = await rawRequest(h.gateway.url, '/ready', { method: 'GET' });
    expect(ready.status).toBe(200);
    expect(ready.text).not.toContain('invented-');
    expect(ready.text.length).toBeLessThan(2_000);
    const counts = ready.json.providers.openai.targets;
    expect(counts.closed + counts['half-open'] + counts.open).toBeLessThanOrEqual(1_000);
  }, 60_000);
});

describe('the request deadline', () => {
  it('answers 504 when a hung provider outlasts resilience.requestTimeoutMs, across retries', async () => {
    h.openai.setDefault({ kind: 'hang' });
    try {
      const started = Date.now();
      const res = await ask('gpt-4o-mini');
      expect(res.status).toBe(504);
      expect(res.json.error).toMatchObject({ type: 'timeout_error', code: 'request_timeout' });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      h.openai.setDefault(null);
    }
  });

  it('honours a shorter x-llm-edge-timeout, and never a longer one than the config', async () => {
    h.openai.setDefault({ kind: 'hang' });
    try {
      let started = Date.now();
      expect((await ask('gpt-4o-mini', { 'x-llm-edge-timeout': '0.3' })).status).toBe(504);
      expect(Date.now() - started).toBeLessThan(1_400);
      started = Date.now();
      expect((await ask('gpt-4o-mini', { 'x-llm-edge-timeout': '600' })).status).toBe(504);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      h.openai.setDefault(null);
    }
  });

  it.each(['soon', '0', '-1', '1e9'])('refuses x-llm-edge-timeout: %s with a 400', async (value) => {
    const res = await ask('gpt-4o-mini', { 'x-llm-edge-timeout': value });
    expect(res.status).toBe(400);
    expect(res.json.error.param).toBe('x-llm-edge-timeout');
  });
});
