/**
 * What the gateway reports, checked from outside: `/metrics` scraped after real traffic (every
 * contract metric, with its type and labels, moving as it should; cost from the price table),
 * spans received by a real OTLP/HTTP receiver (the tree, parentage, attributes, a caller's
 * traceparent continued and passed on), and no secret or prompt in any label, span or log line.
 */
import { allMetrics, LogField, Metrics, Span, SpanEvent, SpanParent } from '@llm-edge/semconv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../harness.js';
import { startRedis, type RedisServer } from '../redis.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';

const CALLER_KEY = 'sk-caller-secret-7f3a';
const SECRET_PROMPT = 'my social security number is 078-05-1120';
let h: Harness;
let otlp: OtlpReceiver;
let redis: RedisServer;

beforeAll(async () => {
  otlp = await startOtlpReceiver();
  redis = await startRedis();
  h = await startHarness({
    env: {
      LLM_EDGE_API_KEYS: CALLER_KEY,
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_TRACES_SAMPLER_ARG: '1',
      REDIS_URL: redis.url,
    },
    defaultMetrics: true,
    configYaml: [
      'resilience:',
      '  retry: { maxAttempts: 1 }',
      '  breaker: { failureThreshold: 2, coolDownMs: 60000 }',
      'routes:',
      '  - match: resilient',
      '    targets: [{ provider: openai, model: gpt-4o }]',
      '    fallbacks: [{ provider: anthropic, model: claude-sonnet-4-5 }]',
      '  - match: traced',
      '    targets: [{ provider: openai, model: gpt-4.1 }]',
      '    fallbacks: [{ provider: anthropic, model: claude-sonnet-4-5 }]',
      'pricing:',
      '  gpt-4o-mini: { input: 1000, output: 2000 }',
    ].join('\n'),
  });
});
afterAll(async () => {
  await h?.stop();
  await redis?.stop();
  await otlp?.close();
});

async function scrape(): Promise<string> {
  return (await fetch(h.gateway.metricsUrl)).text();
}

/** The value of one series in exposition text, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

describe('metrics', () => {
  it('exposes every contract metric with its type, and labels as the contract says', async () => {
    const client = h.client(CALLER_KEY);
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'metrics please' }] });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'metrics please' }] });
    const stream = await client.chat.completions.create({ model: 'claude-haiku-4-5', stream: true, messages: [{ role: 'user', content: 'a stream' }] });
    for await (const _ of stream) void _;
    const text = await scrape();
    for (const m of allMetrics) {
      expect(text, m.name).toContain(`# TYPE ${m.name} ${m.type}`);
    }
    for (const def of [Metrics.requestsTotal, Metrics.requestDurationSeconds, Metrics.tokensTotal, Metrics.cacheHitsTotal, Metrics.providerLatencySeconds]) {
      const line = text.split('\n').find((l) => l.startsWith(`${def.name}${def.type === 'histogram' ? '_bucket' : ''}{`));
      expect(line, def.name).toBeDefined();
      for (const label of def.labels) expect(line).toContain(`${label}="`);
    }
    expect(sample(text, 'llm_edge_requests_total', { route: '/v1/chat/completions', model: 'gpt-4o-mini', provider: 'openai', status: '200', cache: 'hit-l1' })).toBe(1);
    expect(sample(text, 'llm_edge_time_to_first_byte_seconds_count', { provider: 'anthropic' })).toBe(1);
    expect(text).toContain('process_resident_memory_bytes');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('counts tokens and dollars by the price table, and savings on cache hits', async () => {
    const before = await scrape();
    const prompt = 'price this exact answer';
    const client = h.client(CALLER_KEY);
    const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] });
    const after = await scrape();
    const usage = first.usage!;
    const expected = (usage.prompt_tokens * 1000 + usage.completion_tokens * 2000) / 1e6;
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('llm_edge_tokens_total', { provider: 'openai', model: 'gpt-4o-mini', type: 'prompt' })).toBe(usage.prompt_tokens);
    expect(delta('llm_edge_tokens_total', { provider: 'openai', model: 'gpt-4o-mini', type: 'completion' })).toBe(usage.completion_tokens);
    expect(delta('llm_edge_cost_usd_total', { provider: 'openai', model: 'gpt-4o-mini' })).toBeCloseTo(expected, 9);
    expect(delta('llm_edge_cache_savings_usd_total', { model: 'gpt-4o-mini' })).toBeCloseTo(expected, 9);
  });

  it('estimates usage when the provider reports none, and marks it estimated', async () => {
    h.openai.script({ kind: 'no-usage' });
    await h.client(CALLER_KEY).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'no usage here at all' }] }, { headers: { 'cache-control': 'no-store, no-cache' } });
    const line = h.logs.filter((l) => l.msg === 'request').at(-1)!;
    expect(line.usage_estimated).toBe(true);
    expect(line.prompt_tokens).toBeGreaterThan(0);
    expect(line.completion_tokens).toBeGreaterThan(0);
  });

  it('moves the error counter and the health gauge of a failing provider', async () => {
    const before = await scrape();
    h.openai.setDefault({ kind: 'status', status: 503 });
    try {
      const client = h.client(CALLER_KEY);
      for (let i = 0; i < 3; i++) {
        const res = await client.chat.completions.create({ model: 'resilient', messages: [{ role: 'user', content: `fall back ${i}` }] });
        expect(res.choices[0]?.message.content).toBe(`Echo: fall back ${i}`);
      }
    } finally {
      h.openai.setDefault(null);
    }
    const after = await scrape();
    expect(sample(after, 'llm_edge_provider_errors_total', { provider: 'openai', reason: 'server_error' }) - sample(before, 'llm_edge_provider_errors_total', { provider: 'openai', reason: 'server_error' })).toBeGreaterThanOrEqual(2);
    expect(sample(after, 'llm_edge_fallbacks_total', { from: 'openai', to: 'anthropic' })).toBeGreaterThanOrEqual(2);
    // The openai/gpt-4o breaker opened; the provider's gauge shows its worst target.
    expect(sample(after, 'llm_edge_circuit_breaker_state', { provider: 'openai' })).toBe(2);
  });
});

describe('traces', () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const callerSpanId = '00f067aa0ba902b7';
  let spans: ReceivedSpan[];

  beforeAll(async () => {
    await h.client(CALLER_KEY).chat.completions.create(
      { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'trace this request' }], max_tokens: 64, temperature: 0.3 },
      { headers: { traceparent: `00-${traceId}-${callerSpanId}-01`, 'cache-control': 'no-store' } },
    );
    await h.gateway.gateway.telemetry.tracing.flush();
    spans = otlp.spans.filter((s) => s.traceId === traceId);
  });

  it('continues the caller trace with the span tree of the contract', () => {
    const byName = new Map(spans.map((s) => [s.name, s]));
    const root = byName.get(Span.request)!;
    expect(root).toBeDefined();
    expect(root.parentSpanId).toBe(callerSpanId);
    expect(root.serviceName).toBe('llm-edge-agent');
    for (const name of Object.values(Span)) {
      const span = byName.get(name);
      expect(span, name).toBeDefined();
      const parent = SpanParent[name];
      if (parent) expect(span!.parentSpanId, `${name} parent`).toBe(byName.get(parent)!.spanId);
    }
  });

  it('puts GenAI attributes on the spans', () => {
    const root = spans.find((s) => s.name === Span.request)!;
    expect(root.attributes).toMatchObject({ 'gen_ai.request.model': 'claude-haiku-4-5', 'http.response.status_code': 200, 'llm_edge.cache.status': 'miss', 'gen_ai.usage.output_tokens': 4 });
    expect(root.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.max_tokens': 64, 'gen_ai.request.temperature': 0.3, 'gen_ai.request.stream': false });
    expect(root.attributes).toMatchObject({ 'gen_ai.response.model': 'claude-haiku-4-5', 'gen_ai.response.finish_reasons': ['stop'] });
    expect(root.attributes['gen_ai.response.id']).toEqual(expect.any(String));
    const attempt = spans.find((s) => s.name === Span.providerRequest)!;
    expect(attempt.attributes).toMatchObject({ 'gen_ai.system': 'anthropic', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-haiku-4-5', 'llm_edge.provider': 'anthropic', 'server.address': '127.0.0.1' });
  });

  it('passes the trace on to the provider from the provider_request span', () => {
    const attempt = spans.find((s) => s.name === Span.providerRequest)!;
    const call = h.anthropic.calls.find((c) => String(c.headers.traceparent ?? '').includes(traceId));
    expect(call?.headers.traceparent).toBe(`00-${traceId}-${attempt.spanId}-01`);
  });

  it('records a streamed answer\'s id, model and finish reasons on the request span', async () => {
    const id = '5555666677778888999900001111aaaa';
    const stream = await h.client(CALLER_KEY).chat.completions.create(
      { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'stream traced' }] },
      { headers: { traceparent: `00-${id}-${callerSpanId}-01`, 'cache-control': 'no-store' } },
    );
    let chunkId = '';
    for await (const chunk of stream) chunkId = chunk.id;
    await h.gateway.gateway.telemetry.tracing.flush();
    const root = otlp.spans.find((s) => s.traceId === id && s.name === Span.request)!;
    expect(root.attributes).toMatchObject({ 'gen_ai.request.stream': true, 'gen_ai.response.id': chunkId, 'gen_ai.response.model': 'gpt-4o-mini', 'gen_ai.response.finish_reasons': ['stop'] });
  });

  it('passes an unsampled trace on to the provider unsampled, recording nothing', async () => {
    const id = '0123456789abcdef0123456789abcdef';
    await h.client(CALLER_KEY).chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'not traced' }] },
      { headers: { traceparent: `00-${id}-${callerSpanId}-00`, 'cache-control': 'no-store' } },
    );
    await h.gateway.gateway.telemetry.tracing.flush();
    const call = h.openai.calls.find((c) => String(c.headers.traceparent ?? '').includes(id));
    expect(call?.headers.traceparent).toMatch(new RegExp(`^00-${id}-[0-9a-f]{16}-00$`));
    expect(otlp.spans.filter((s) => s.traceId === id)).toEqual([]);
  });

  it('shows one provider_request span per attempt, failures recorded', async () => {
    const id = 'aaaabbbbccccddddeeeeffff00001111';
    h.openai.script({ kind: 'status', status: 500 });
    await h.client(CALLER_KEY).chat.completions.create(
      { model: 'traced', messages: [{ role: 'user', content: 'traced fallback' }] },
      { headers: { traceparent: `00-${id}-${callerSpanId}-01` } },
    );
    await h.gateway.gateway.telemetry.tracing.flush();
    const attempts = otlp.spans.filter((s) => s.traceId === id && s.name === Span.providerRequest);
    expect(attempts.map((a) => a.attributes['llm_edge.provider'])).toEqual(expect.arrayContaining(['openai', 'anthropic']));
    expect(attempts.find((a) => a.attributes['llm_edge.provider'] === 'openai')?.status.code).toBe(2);
    // The decision to move on is an event on the attempt that followed it.
    const fallback = attempts.find((a) => a.attributes['llm_edge.provider'] === 'anthropic');
    expect(fallback?.events.map((e) => e.name)).toContain('fallback');
  });
});

describe('resilience decisions in the trace', () => {
  let r: Harness;
  beforeAll(async () => {
    r = await startHarness({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_TRACES_SAMPLER_ARG: '1' },
      configYaml: 'resilience:\n  retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 }\n  breaker: { failureThreshold: 1000, minRequests: 1000 }\n',
    });
  });
  afterAll(() => r?.stop());

  it('records a retry as an event on the attempt that retried', async () => {
    const id = '99998888777766665555444433332222';
    r.openai.script({ kind: 'status', status: 503 });
    await r.client().chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'retried once' }] },
      { headers: { traceparent: `00-${id}-1111222233334444-01` } },
    );
    await r.gateway.gateway.telemetry.tracing.flush();
    const attempts = otlp.spans.filter((s) => s.traceId === id && s.name === Span.providerRequest);
    expect(attempts.map((a) => a.attributes['llm_edge.attempt']).sort()).toEqual([1, 2]);
    const second = attempts.find((a) => a.attributes['llm_edge.attempt'] === 2)!;
    const retry = second.events.find((e) => e.name === SpanEvent.retry);
    expect(retry?.attributes).toMatchObject({ provider: 'openai', attempt: 2, reason: 'server_error', status: 503 });
  });
});

describe('nothing secret is emitted', () => {
  it('keeps keys and prompts out of metrics, spans and logs', async () => {
    await h.client(CALLER_KEY).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: SECRET_PROMPT }] }, { headers: { traceparent: `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01` } });
    await h.gateway.gateway.telemetry.tracing.flush();
    const emitted = [await scrape(), ...otlp.bodies, ...h.logs.map((l) => JSON.stringify(l))].join('\n');
    for (const secret of [CALLER_KEY, SECRET_PROMPT, 'sk-fake-openai', 'sk-ant-fake', 'Echo: my social']) {
      expect(emitted).not.toContain(secret);
    }
    const line = h.logs.filter((l) => l.msg === 'request').at(-1)!;
    expect(Object.keys(line)).toEqual(expect.arrayContaining(Object.values(LogField).map((f) => f.key)));
    expect(line.key_id).toMatch(/^key-[0-9a-f]{12}$/);
    expect(line.trace_id).toBe('c'.repeat(32));
  });
});
