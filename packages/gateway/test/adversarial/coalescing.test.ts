/**
 * Coalesced callers: every caller that joins an identical request in flight gets its own answer
 * in its own shape (JSON or SSE), with the provider named, whatever the leading caller does.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { metricValue } from '../cache/metric-value.js';
import { waitUntil } from '../cache/support.js';
import { expectedReply } from '../fakes/index.js';
import { startHarness, type Harness } from '../harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());
beforeEach(() => h.openai.reset());

let n = 0;
/** A prompt no other test sends, so each test has its own flight and cache entry. */
const fresh = () => `coalesce ${++n} ${Date.now()}`;

function send(prompt: string, stream: boolean, signal?: AbortSignal): Promise<Response> {
  return fetch(`${h.gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content: prompt }] }),
    signal,
  });
}

/** The text of an SSE chat stream, and whether it ended with [DONE]. */
async function streamed(res: Response): Promise<{ text: string; done: boolean }> {
  const body = await res.text();
  let text = '';
  for (const line of body.split('\n')) {
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    text += JSON.parse(line.slice(6)).choices?.[0]?.delta?.content ?? '';
  }
  return { text, done: body.trimEnd().endsWith('data: [DONE]') };
}

const inFlight = () => waitUntil(() => h.gateway.gateway.flights.size > 0, 'the leader to be in flight', 5_000);

describe('every joiner gets its own shape', () => {
  it('a streaming caller that joins a JSON request gets the whole answer as a stream', async () => {
    h.openai.setLatency(300);
    const prompt = fresh();
    const leader = send(prompt, false);
    await inFlight();
    const joiner = await send(prompt, true);
    expect(joiner.status).toBe(200);
    expect(joiner.headers.get('content-type')).toContain('text/event-stream');
    expect(joiner.headers.get('x-llm-edge-provider')).toBe('openai');
    expect(await streamed(joiner)).toEqual({ text: expectedReply(prompt), done: true });
    expect(((await (await leader).json()) as any).choices[0].message.content).toBe(expectedReply(prompt));
    expect(h.openai.calls).toHaveLength(1);
  });

  it('a JSON caller that joins a stream gets one chat.completion', async () => {
    h.openai.setLatency(300);
    const prompt = fresh();
    const leader = send(prompt, true);
    await inFlight();
    const joiner = await send(prompt, false);
    expect(joiner.status).toBe(200);
    expect(((await joiner.json()) as any).choices[0].message.content).toBe(expectedReply(prompt));
    expect((await streamed(await leader)).text).toBe(expectedReply(prompt));
    expect(h.openai.calls).toHaveLength(1);
  });

  it('a streaming joiner that arrives before the first byte names the provider, in its header and its metrics', async () => {
    h.openai.setLatency(300);
    const prompt = fresh();
    const before = await metricValue(h.gateway.gateway.metrics, 'llm_edge_requests_total', { provider: '', status: '200' });
    const leader = send(prompt, true);
    await inFlight();
    const joiner = await send(prompt, true);
    expect(joiner.headers.get('x-llm-edge-provider')).toBe('openai');
    expect((await streamed(joiner)).text).toBe(expectedReply(prompt));
    await (await leader).text();
    await waitUntil(async () => (await metricValue(h.gateway.gateway.metrics, 'llm_edge_coalesced_requests_total')) > 0, 'the joiner to be counted');
    expect(await metricValue(h.gateway.gateway.metrics, 'llm_edge_requests_total', { provider: '', status: '200' })).toBe(before);
  });
});

describe('no joiner depends on the leading caller', () => {
  it('a JSON joiner gets its answer when the JSON leader disconnects', async () => {
    h.openai.setLatency(400);
    const prompt = fresh();
    const leaving = new AbortController();
    const coalesced = () => metricValue(h.gateway.gateway.metrics, 'llm_edge_coalesced_requests_total');
    const before = await coalesced();
    const leader = send(prompt, false, leaving.signal).catch((e: Error) => e);
    await inFlight();
    const joiner = send(prompt, false);
    await waitUntil(async () => (await coalesced()) > before, 'the joiner to join');
    leaving.abort();
    expect(await leader).toBeInstanceOf(Error);
    const res = await joiner;
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).choices[0].message.content).toBe(expectedReply(prompt));
    expect(h.openai.calls).toHaveLength(1);
  });

  it('a streaming joiner gets the whole stream when the JSON leader disconnects', async () => {
    h.openai.setLatency(400);
    const prompt = fresh();
    const leaving = new AbortController();
    void send(prompt, false, leaving.signal).catch(() => undefined);
    await inFlight();
    const joiner = send(prompt, true);
    await new Promise((r) => setTimeout(r, 100));
    leaving.abort();
    expect(await streamed(await joiner)).toEqual({ text: expectedReply(prompt), done: true });
  });

  it('when every caller left, the call is abandoned and the next identical request starts afresh', async () => {
    h.openai.setLatency(400);
    const prompt = fresh();
    const a = new AbortController();
    const b = new AbortController();
    void send(prompt, false, a.signal).catch(() => undefined);
    await inFlight();
    void send(prompt, false, b.signal).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    a.abort();
    b.abort();
    await waitUntil(() => h.gateway.gateway.flights.size === 0, 'the abandoned flight to leave');
    h.openai.setLatency(0);
    const res = await send(prompt, false);
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).choices[0].message.content).toBe(expectedReply(prompt));
  });
});
