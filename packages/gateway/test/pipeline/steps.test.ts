/**
 * Each pipeline step on its own, with plain values: no socket, no listener. The in-memory
 * responder stands for the caller and the in-memory provider for the upstream API.
 */
import { CacheStatus } from '@llm-edge/semconv';
import { describe, expect, it } from 'vitest';
import { ApiKeyRegistry } from '../../src/auth/api-keys.js';
import { chatDialect } from '../../src/dialects/chat/index.js';
import { GatewayError } from '../../src/http/errors.js';
import { attempt } from '../../src/pipeline/attempts.js';
import { authenticate } from '../../src/pipeline/authenticate.js';
import { planCache, serveFlight, serveHit } from '../../src/pipeline/cache.js';
import { decodeBody } from '../../src/pipeline/decode.js';
import { recordOutcome } from '../../src/pipeline/outcome.js';
import { MemoryResponder } from '../../src/pipeline/responder.js';
import { routeRequest } from '../../src/pipeline/route.js';
import { settle } from '../../src/pipeline/settle.js';
import { AS_THEY_ARE, firstEvents, pipeStream, StreamBroken } from '../../src/pipeline/stream.js';
import type { StreamAnswer } from '../../src/providers/types.js';
import { metricValue } from '../cache/metric-value.js';
import { chunk, memoryGateway, requestOf, usageChunk } from './memory.js';

const chat = (content: string, extra: Record<string, unknown> = {}) => Buffer.from(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...extra }));
const head = { requestId: 'req-1', extra: {} };

describe('authenticate', () => {
  const keys = new ApiKeyRegistry([{ id: 'team-a', key: 'sk-a', limits: {} }]);
  it('finds the caller of a key, refuses a missing or wrong one with 401', () => {
    expect(authenticate(keys, 'POST', { authorization: 'Bearer sk-a' }).keyId).toBe('team-a');
    expect(authenticate(keys, 'POST', { 'x-api-key': 'sk-a' }).keyId).toBe('team-a');
    expect(() => authenticate(keys, 'POST', {})).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => authenticate(keys, 'POST', { authorization: 'Bearer sk-b' })).toThrow(expect.objectContaining({ status: 401 }));
  });
  it('open, takes JSON bodies only', () => {
    const open = new ApiKeyRegistry([]);
    expect(authenticate(open, 'POST', { 'content-type': 'application/json' }).keyId).toBe('anonymous');
    expect(() => authenticate(open, 'POST', { 'content-type': 'text/plain' })).toThrow(expect.objectContaining({ status: 415 }));
    expect(authenticate(open, 'GET', {}).keyId).toBe('anonymous');
  });
});

describe('decode', () => {
  it('parses once and validates with the endpoint\'s decoder', () => {
    const d = decodeBody(chat('hi'), (b) => chatDialect.decode(b));
    expect(d.request.model).toBe('gpt-4o-mini');
    expect(d.body.messages).toEqual([{ role: 'user', content: 'hi' }]);
    expect(() => decodeBody(Buffer.from('{'), (b) => chatDialect.decode(b))).toThrow(GatewayError);
    expect(() => decodeBody(chat('x', { temperature: 9 }), (b) => chatDialect.decode(b))).toThrow(expect.objectContaining({ status: 400, param: 'temperature' }));
  });
});

describe('route', () => {
  const { gateway } = memoryGateway();
  it('resolves the model and the deadline', () => {
    expect(routeRequest(gateway.router, 'gpt-4o-mini', {}, 600_000)).toMatchObject({ route: { name: 'gpt-4o-mini' }, timeoutMs: 600_000 });
    expect(routeRequest(gateway.router, 'gpt-4o-mini', { 'x-llm-edge-timeout': '2.5' }, 600_000).timeoutMs).toBe(2_500);
    expect(routeRequest(gateway.router, 'gpt-4o-mini', { 'x-llm-edge-timeout': '9000' }, 1_000).timeoutMs).toBe(1_000);
    expect(() => routeRequest(gateway.router, 'no-such-model', {}, 1)).toThrow(expect.objectContaining({ status: 404 }));
    expect(() => routeRequest(gateway.router, 'gpt-4o-mini', { 'x-llm-edge-timeout': 'later' }, 1)).toThrow(expect.objectContaining({ status: 400 }));
  });
});

describe('cache plan, hits and flights', () => {
  const { gateway } = memoryGateway();
  const route = gateway.router.resolve('gpt-4o-mini');
  const body = JSON.parse(chat('hi').toString());
  it('plans reads and writes from cache-control, and bypasses unknown fields', () => {
    const cfg = gateway.config.cache;
    expect(planCache(cfg, route, {}, 't', 'chat', body, chat('hi'))).toMatchObject({ read: true, write: true, ttlSeconds: 3600 });
    expect(planCache(cfg, route, { 'cache-control': 'no-cache' }, 't', 'chat', body, chat('hi'))).toMatchObject({ read: false, write: true });
    expect(planCache(cfg, route, { 'cache-control': 'no-cache, no-store' }, 't', 'chat', body, chat('hi'))).toBeUndefined();
    expect(planCache(cfg, route, { 'x-llm-edge-cache-ttl': '60' }, 't', 'chat', body, chat('hi'))?.ttlSeconds).toBe(60);
    expect(planCache(cfg, route, {}, 't', 'chat', { ...body, novel: 1 }, chat('hi'))).toBeUndefined();
    expect(() => planCache(cfg, route, { 'x-llm-edge-cache-ttl': '-1' }, 't', 'chat', body, chat('hi'))).toThrow(expect.objectContaining({ status: 400 }));
  });

  const stored = { kind: 'json' as const, body: Buffer.from(JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'cached words' }, finish_reason: 'stop' }] })), model: 'gpt-4o-mini', provider: 'openai', createdAt: Date.now() };

  it('serves a JSON hit as JSON, and as SSE to a streaming caller', async () => {
    const json = new MemoryResponder();
    const served = await serveHit(requestOf(gateway, '/v1/chat/completions'), json, gateway.telemetry, chatDialect, { answer: stored, tier: 'l1' }, { stream: false }, head);
    expect(served).toMatchObject({ cache: CacheStatus.hitL1, provider: 'openai' });
    expect(JSON.parse(json.body).choices[0].message.content).toBe('cached words');
    expect(json.headers).toMatchObject({ 'x-llm-edge-cache': 'hit-l1', 'x-llm-edge-provider': 'openai', 'x-request-id': 'req-1' });
    const sse = new MemoryResponder();
    await serveHit(requestOf(gateway, '/v1/chat/completions'), sse, gateway.telemetry, chatDialect, { answer: stored, tier: 'l2' }, { stream: true }, head);
    expect(sse.body).toContain('"content":"cached words"');
    expect(sse.body.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('gives a streaming joiner of a JSON flight the final answer as SSE, with the provider named', async () => {
    const flight = gateway.flights.start('k1', { streaming: false });
    const joiner = new MemoryResponder();
    const served = serveFlight(joiner, gateway.telemetry, chatDialect, flight, { stream: true }, head, requestOf(gateway, '/').span);
    flight.complete(stored);
    expect(await served).toMatchObject({ cache: CacheStatus.miss, provider: 'openai' });
    expect(joiner.headers['x-llm-edge-provider']).toBe('openai');
    expect(joiner.body).toContain('cached words');
  });

  it('lets a joiner leave without abandoning the leader\'s flight, and abandons it when the last leaves', async () => {
    const flight = gateway.flights.start('k2');
    const joiner = new MemoryResponder();
    const served = serveFlight(joiner, gateway.telemetry, chatDialect, flight, { stream: false }, head, requestOf(gateway, '/').span);
    joiner.leave();
    expect(flight.signal.aborted).toBe(false); // the leader is still on it
    flight.leave(); // the leader leaves too
    expect(flight.signal.aborted).toBe(true);
    flight.fail(new GatewayError(502, 'upstream_error', 'gone'));
    await expect(served).rejects.toMatchObject({ status: 502 });
  });
});

describe('attempts', () => {
  it('retries a failing target and reports the upstream time', async () => {
    const { gateway, provider } = memoryGateway('resilience:\n  retry: { baseDelayMs: 0, maxDelayMs: 0 }\n');
    provider.script.push('fail');
    const request = requestOf(gateway, '/v1/chat/completions');
    const route = gateway.router.resolve('gpt-4o-mini');
    const result = await attempt(request, gateway.resilience, gateway.telemetry, route, (t, o) => t.provider.chat({ model: t.model, messages: [{ role: 'user', content: 'x' }] }, false, o), {
      operation: 'chat', signal: new AbortController().signal, timeoutMs: 10_000,
    });
    expect(result.target.provider.name).toBe('openai');
    expect(provider.calls).toHaveLength(2);
    expect(result.upstreamMs).toBeGreaterThanOrEqual(0);
    expect(await metricValue(gateway.metrics, 'llm_edge_retries_total', { provider: 'openai' })).toBe(1);
  });
});

describe('stream', () => {
  const { gateway } = memoryGateway();
  const answer = (batches: ReturnType<typeof chunk>[][], fail = false): StreamAnswer => ({
    kind: 'stream',
    cancel: () => undefined,
    events: (async function* () {
      for (const b of batches) yield b;
      if (fail) throw new Error('cut');
    })(),
  });
  const options = (signal = new AbortController().signal, includeUsage = false) => ({
    dialect: chatDialect, encoding: AS_THEY_ARE, headers: { 'x-request-id': 'r' }, signal, metrics: gateway.metrics, provider: 'openai',
    omit: (p: string) => chatDialect.omits!(p, { canonical: { model: 'm', messages: [] }, model: 'm', stream: true, includeUsage }),
  });

  it('pipes every event, keeps the usage, leaves the usage chunk out unless asked, ends with [DONE]', async () => {
    const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };
    const res = new MemoryResponder();
    const piped = await pipeStream(res, await firstEvents(answer([[chunk('m', 'a', null)], [chunk('m', 'b'), usageChunk('m', usage)]])), options());
    expect(piped?.events).toHaveLength(3);
    expect(piped?.usage).toEqual(usage);
    expect(res.body).not.toContain('"choices":[]');
    expect(res.body.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('stops, storing nothing, when nobody waits any more', async () => {
    const leaving = new AbortController();
    const res = new MemoryResponder();
    const opened = await firstEvents(answer([[chunk('m', 'a', null)], [chunk('m', 'b')]]));
    leaving.abort();
    expect(await pipeStream(res, opened, options(leaving.signal))).toMatchObject({ complete: false });
  });

  it('ends a stream that breaks after the first byte with an error event, and says so', async () => {
    const res = new MemoryResponder();
    await expect(pipeStream(res, await firstEvents(answer([[chunk('m', 'a', null)]], true)), options())).rejects.toBeInstanceOf(StreamBroken);
    expect(res.body).toContain('"type":"upstream_error"');
    expect(res.body).not.toContain('[DONE]');
  });
});

describe('settle', () => {
  const { gateway } = memoryGateway('pricing:\n  gpt-4o-mini: { input: 1000000, output: 2000000 }\n');
  const target = gateway.router.resolve('gpt-4o-mini').targets[0]!;
  const caller = { keyId: 't', limits: {} };
  it('counts reported usage and its cost', () => {
    const s = settle(gateway.telemetry, gateway.limits, { caller, target, admittedTokens: 10, usage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 }, estimatedPrompt: () => 99, text: () => '' });
    expect(s).toEqual({ usage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 }, usageEstimated: false, costUsd: 4 });
  });
  it('estimates what the provider did not report', () => {
    const s = settle(gateway.telemetry, gateway.limits, { caller, target, admittedTokens: 10, usage: undefined, estimatedPrompt: () => 7, text: () => 'eight chars!' });
    expect(s.usage).toEqual({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
    expect(s.usageEstimated).toBe(true);
  });
});

describe('outcome', () => {
  it('records the request metrics and one access log line, once', async () => {
    const { gateway, logs } = memoryGateway();
    const request = requestOf(gateway, '/v1/chat/completions', { 'x-request-id': 'req-outcome' });
    const res = new MemoryResponder();
    res.json(200, '{}', {});
    recordOutcome(gateway.telemetry, request, res, { keyId: 'k', model: 'gpt-4o-mini', provider: 'openai', cache: CacheStatus.miss, usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }, usageEstimated: false, costUsd: 0.5, upstreamMs: 0 });
    gateway.log.flush();
    expect(await metricValue(gateway.metrics, 'llm_edge_requests_total', { route: '/v1/chat/completions', status: '200', cache: 'miss', provider: 'openai' })).toBe(1);
    expect(logs.filter((l) => l.msg === 'request')).toEqual([expect.objectContaining({ request_id: 'req-outcome', key_id: 'k', status: 200, prompt_tokens: 1, completion_tokens: 2, cost_usd: 0.5 })]);
  });
});
