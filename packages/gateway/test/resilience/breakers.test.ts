/**
 * Circuit breakers and health-aware routing through the real gateway: breakers open on
 * consecutive failures, skip their target, recover through a half-open probe; the fallback chain
 * is followed in order; least-latency and weighted choose among healthy targets; a route with no
 * healthy target answers 503; the gauges and counters move. Each test gets a fresh gateway, so
 * breaker state never leaks between tests.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectedReply } from '../fakes/index.js';
import { rawRequest, startHarness, type Harness } from '../harness.js';
import { configYaml, metricValue, uniquePrompt } from './helpers.js';

/** Long enough that a slow machine still sees the breaker open before the cool-down ends. */
const COOL_DOWN_MS = 1_000;
const routes = [
  {
    match: 'chain',
    targets: [{ provider: 'openai', model: 'gpt-4o' }],
    fallbacks: [
      { provider: 'anthropic', model: 'claude-haiku-4-5' },
      { provider: 'anthropic', model: 'claude-sonnet-4-5' },
    ],
  },
  {
    match: 'fastest',
    strategy: 'least-latency',
    targets: [
      { provider: 'openai', model: 'gpt-4o' },
      { provider: 'anthropic', model: 'claude-haiku-4-5' },
    ],
  },
  {
    match: 'spread',
    strategy: 'weighted',
    targets: [
      { provider: 'openai', model: 'gpt-4o', weight: 3 },
      { provider: 'anthropic', model: 'claude-haiku-4-5', weight: 1 },
    ],
  },
];

let h: Harness;
beforeEach(async () => {
  h = await startHarness({
    configYaml: configYaml({
      resilience: {
        retry: { maxAttempts: 1 },
        breaker: { failureThreshold: 2, minRequests: 1000, coolDownMs: COOL_DOWN_MS, halfOpenProbes: 1 },
        leastLatency: { ewmaAlpha: 0.5 },
      },
      routes,
    }),
  });
});
afterEach(() => h.stop());

const chat = (model: string, content = uniquePrompt()) =>
  rawRequest(h.gateway.url, '/v1/chat/completions', { body: JSON.stringify({ model, messages: [{ role: 'user', content }] }), headers: { 'content-type': 'application/json' } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const breakerState = (provider: string) => metricValue(h, 'circuitBreakerState', { provider });
const health = (provider: string) => metricValue(h, 'providerHealth', { provider });
/** Waits (bounded) for the cool-down timer to publish half-open: timers run late on a busy machine. */
async function halfOpen(provider: string): Promise<void> {
  const deadline = Date.now() + COOL_DOWN_MS + 5_000;
  while ((await breakerState(provider)) !== 1) {
    if (Date.now() > deadline) throw new Error(`breaker of ${provider} never went half-open (state ${await breakerState(provider)}, calls ${h.openai.calls.length})`);
    await sleep(20);
  }
}

describe('circuit breaker', () => {
  it('opens after consecutive failures, then skips the target with a 503, and reports it', async () => {
    expect(await breakerState('openai')).toBe(0);
    expect(await health('openai')).toBe(1);
    h.openai.setDefault({ kind: 'status', status: 500 });
    expect((await chat('gpt-4o')).status).toBe(502);
    expect(await breakerState('openai')).toBe(0);
    expect((await chat('gpt-4o')).status).toBe(502);
    expect(await breakerState('openai')).toBe(2);
    expect(await health('openai')).toBe(0);

    const refused = await chat('gpt-4o');
    expect(refused.status).toBe(503);
    expect(refused.json.error).toEqual({ message: "No healthy provider for route 'gpt-4o'.", type: 'service_unavailable', param: null, code: 'no_healthy_provider' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(h.openai.calls).toHaveLength(2); // the open breaker kept the third request away
    expect(h.logs).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'circuit breaker state changed', target: 'openai/gpt-4o', from: 'closed', to: 'open' }));
  });

  it('goes half-open after the cool-down and closes on a successful probe', async () => {
    h.openai.setDefault({ kind: 'status', status: 500 });
    await chat('gpt-4o');
    await chat('gpt-4o');
    expect(await breakerState('openai')).toBe(2);
    // the cool-down timer publishes half-open without any request arriving
    await halfOpen('openai');
    expect(await health('openai')).toBe(1);
    h.openai.setDefault(null);
    const res = await chat('gpt-4o', 'back again');
    expect(res.status).toBe(200);
    expect(res.json.choices[0].message.content).toBe(expectedReply('back again'));
    expect(await breakerState('openai')).toBe(0);
    expect(h.gateway.gateway.resilience.targetState('openai/gpt-4o')).toBe('closed');
  });

  it('re-opens when the probe fails', async () => {
    h.openai.setDefault({ kind: 'status', status: 500 });
    await chat('gpt-4o');
    await chat('gpt-4o');
    await halfOpen('openai');
    expect((await chat('gpt-4o')).status).toBe(502); // the probe
    expect(await breakerState('openai')).toBe(2);
    expect((await chat('gpt-4o')).status).toBe(503);
    expect(h.openai.calls).toHaveLength(3);
  });

  it('does not count a provider 400 as a failure', async () => {
    h.openai.setDefault({ kind: 'status', status: 400 });
    for (let i = 0; i < 4; i++) expect((await chat('gpt-4o')).status).toBe(400);
    expect(await breakerState('openai')).toBe(0);
    expect(h.openai.calls).toHaveLength(4);
  });
});

describe('routing by health', () => {
  it('follows the fallback chain in order, and skips an open target afterwards', async () => {
    h.openai.setDefault({ kind: 'status', status: 500 });
    h.anthropic.script({ kind: 'status', status: 529 });
    const hops = { toAnthropic: await metricValue(h, 'fallbacksTotal', { from: 'openai', to: 'anthropic' }), within: await metricValue(h, 'fallbacksTotal', { from: 'anthropic', to: 'anthropic' }) };
    const first = await chat('chain', 'walk the chain');
    expect(first.status).toBe(200);
    expect(first.json.choices[0].message.content).toBe(expectedReply('walk the chain'));
    expect(first.headers.get('x-llm-edge-provider')).toBe('anthropic');
    expect(h.openai.calls.map((c) => c.body.model)).toEqual(['gpt-4o']);
    expect(h.anthropic.calls.map((c) => c.body.model)).toEqual(['claude-haiku-4-5', 'claude-sonnet-4-5']);
    expect(await metricValue(h, 'fallbacksTotal', { from: 'openai', to: 'anthropic' })).toBe(hops.toAnthropic + 1);
    expect(await metricValue(h, 'fallbacksTotal', { from: 'anthropic', to: 'anthropic' })).toBe(hops.within + 1);

    expect((await chat('chain')).status).toBe(200); // openai fails a second time: its breaker opens
    for (let i = 0; i < 3; i++) expect((await chat('chain')).headers.get('x-llm-edge-provider')).toBe('anthropic');
    expect(h.openai.calls).toHaveLength(2);
    expect(await metricValue(h, 'fallbacksTotal', { from: 'openai', to: 'anthropic' })).toBe(hops.toAnthropic + 5); // skipped hops count too
  });

  it("answers 503 naming the route when every target's breaker is open", async () => {
    h.openai.setDefault({ kind: 'status', status: 500 });
    h.anthropic.setDefault({ kind: 'status', status: 503 });
    expect((await chat('chain')).status).toBe(502);
    expect((await chat('chain')).status).toBe(502);
    const calls = h.openai.calls.length + h.anthropic.calls.length;
    const res = await chat('chain');
    expect(res.status).toBe(503);
    expect(res.json.error).toMatchObject({ message: "No healthy provider for route 'chain'.", code: 'no_healthy_provider', type: 'service_unavailable' });
    expect(h.openai.calls.length + h.anthropic.calls.length).toBe(calls);
    expect(await health('openai')).toBe(0);
    expect(await health('anthropic')).toBe(0);
    expect(h.gateway.gateway.resilience.health()).toMatchObject({ openai: { healthy: false, state: 'open' }, anthropic: { healthy: false, state: 'open' } });
  });

  it('least-latency sends traffic to the faster target once both are measured', async () => {
    h.openai.setLatency(150);
    for (let i = 0; i < 8; i++) expect((await chat('fastest')).status).toBe(200);
    expect(h.openai.calls).toHaveLength(1); // measured once (untried first), then avoided
    expect(h.anthropic.calls).toHaveLength(7);

    h.anthropic.setLatency(400); // anthropic slows down: its average climbs past openai's
    for (let i = 0; i < 6; i++) expect((await chat('fastest')).status).toBe(200);
    expect(h.openai.calls.length).toBeGreaterThanOrEqual(3);
  });

  it('weighted spreads by weight, and an open target drops out of the choice', async () => {
    for (let i = 0; i < 40; i++) await chat('spread');
    expect(h.openai.calls.length).toBeGreaterThan(h.anthropic.calls.length);
    expect(h.anthropic.calls.length).toBeGreaterThan(0);

    h.openai.setDefault({ kind: 'status', status: 500 });
    h.anthropic.reset();
    // fails fall through to anthropic until openai's breaker opens; then openai is never chosen
    for (let i = 0; i < 10; i++) expect((await chat('spread')).status).toBe(200);
    const openaiCalls = h.openai.calls.filter((c) => c.path.endsWith('/chat/completions')).length;
    h.openai.calls.length = 0;
    for (let i = 0; i < 10; i++) expect((await chat('spread')).status).toBe(200);
    expect(openaiCalls).toBeGreaterThan(0);
    expect(h.openai.calls).toHaveLength(0);
    expect(h.anthropic.calls).toHaveLength(20);
  });
});
