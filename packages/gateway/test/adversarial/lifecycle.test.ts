/**
 * A request's and the process's life: a caller leaving mid-stream is no provider error, the
 * `provider_request` span carries the tokens of its attempt, a draining gateway answers `/ready`
 * with 503 before it refuses connections, and the command installs cleanly before a build.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Span } from '@llm-edge/semconv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue } from '../cache/metric-value.js';
import { waitUntil } from '../cache/support.js';
import { startFakeOpenAI, type FakeProvider } from '../fakes/index.js';
import { rawRequest, startHarness, type Harness } from '../harness.js';
import { startOtlpReceiver, type OtlpReceiver } from '../telemetry/otlp-receiver.js';

let slow: FakeProvider;
let otlp: OtlpReceiver;
let h: Harness;
beforeAll(async () => {
  slow = await startFakeOpenAI({ chunkDelayMs: 50 });
  otlp = await startOtlpReceiver();
  h = await startHarness({ env: { OPENAI_BASE_URL: `${slow.url}/v1`, OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_TRACES_SAMPLER_ARG: '1' } });
});
afterAll(async () => {
  await h.stop();
  await Promise.all([slow.close(), otlp.close()]);
});

describe('a caller that leaves mid-stream', () => {
  it('is not counted as a provider error', async () => {
    const leaving = new AbortController();
    const res = await fetch(`${h.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'one two three four five six seven eight nine ten' }] }),
      signal: leaving.signal,
    });
    const reader = res.body!.getReader();
    await reader.read(); // the first bytes arrived: the stream is under way
    leaving.abort();
    await waitUntil(async () => (await metricValue(h.gateway.gateway.metrics, 'llm_edge_requests_total', { status: '200', route: '/v1/chat/completions' })) > 0, 'the request to finish');
    await new Promise((r) => setTimeout(r, 200));
    const metrics = h.gateway.gateway.metrics;
    for (const reason of ['connection', 'stream_broken', 'timeout']) {
      expect(await metricValue(metrics, 'llm_edge_provider_errors_total', { provider: 'openai', reason }), reason).toBe(0);
    }
  });
});

describe('the provider_request span', () => {
  it.each([false, true])('carries the attempt\'s token usage (stream: %s)', async (stream) => {
    const traceId = stream ? 'aaaabbbbccccddddeeeeffff00001111' : '11110000ffffeeeeddddccccbbbbaaaa';
    const res = await rawRequest(h.gateway.url, '/v1/chat/completions', {
      body: JSON.stringify({ model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content: 'count my tokens please' }] }),
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store', traceparent: `00-${traceId}-1234567890abcdef-01` },
    });
    expect(res.status).toBe(200);
    await waitUntil(() => h.logs.some((l) => l.msg === 'request' && l.trace_id === traceId), 'the request to finish');
    await h.gateway.gateway.telemetry.tracing.flush();
    const attempt = otlp.spans.find((s) => s.traceId === traceId && s.name === Span.providerRequest);
    // The fake counts words: 4 prompt words + 3, and the 5-word echo.
    expect(attempt?.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 7, 'gen_ai.usage.output_tokens': 5, 'gen_ai.response.model': 'gpt-4o-mini', 'gen_ai.response.finish_reasons': ['stop'] });
  });
});

describe('draining', () => {
  it('answers /ready with 503 through the drain delay, then refuses connections', async () => {
    const g = await startHarness();
    const stopped = g.gateway.stop({ drainDelayMs: 800 });
    const ready = await rawRequest(g.gateway.url, '/ready', { method: 'GET' });
    expect(ready.status).toBe(503);
    expect(ready.json.status).toBe('draining');
    expect((await rawRequest(g.gateway.url, '/health', { method: 'GET' })).status).toBe(200);
    await stopped;
    await expect(fetch(`${g.gateway.url}/health`)).rejects.toThrow();
    await Promise.all([g.openai.close(), g.anthropic.close()]);
  });
});

describe('installing', () => {
  it('every package\'s command is a committed file, so a fresh install links it before any build', () => {
    const root = fileURLToPath(new URL('../../../../', import.meta.url));
    const tracked = new Set(execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n'));
    for (const pkg of execFileSync('git', ['ls-files', '*package.json'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean)) {
      const { bin } = JSON.parse(readFileSync(root + pkg, 'utf8')) as { bin?: string | Record<string, string> };
      const dir = pkg.slice(0, -'package.json'.length);
      for (const target of typeof bin === 'string' ? [bin] : Object.values(bin ?? {})) {
        expect(tracked.has((dir + target).replace(/\/\.\//g, '/')), `${pkg}: bin ${target}`).toBe(true);
      }
    }
  });
});
