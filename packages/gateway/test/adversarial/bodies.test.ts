/**
 * Hostile bodies: nesting deep enough to overflow any recursive step, bodies that are not JSON
 * in open mode (a cross-site "simple" POST), and bodies that arrive too slowly. Each is a 4xx in
 * the OpenAI shape, never a 5xx, and the gateway answers the next request as usual.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue } from '../cache/metric-value.js';
import { rawRequest, startHarness, type Harness } from '../harness.js';

const json = { 'content-type': 'application/json' };
let open: Harness;
beforeAll(async () => {
  // Open mode (no keys): the quick start's gateway. Short request-read timeouts for the slow body case.
  open = await startHarness({ configYaml: 'server:\n  headersTimeoutMs: 1000\n  requestTimeoutMs: 1500\n' });
});
afterAll(() => open.stop());

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

describe('nesting', () => {
  const bodies: Array<[string, string]> = [
    ['10,000-deep content', `{"model":"gpt-4o-mini","messages":[{"role":"user","content":${deep(10_000)}}]}`],
    ['10,000-deep unknown field', `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"x":${deep(10_000)}}`],
    ['10,000-deep tool schema', `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"a":${deep(10_000)}}}}]}`],
    ['10,000-deep stream request to Claude', `{"model":"claude-haiku-4-5","stream":true,"messages":[{"role":"user","content":"hi"}],"x":${deep(10_000)}}`],
    ['10,000-deep embeddings input', `{"model":"text-embedding-3-small","input":${deep(10_000)}}`],
  ];
  it.each(bodies)('%s is a 400 naming the nesting, and nothing reaches the provider', async (_name, body) => {
    const path = body.includes('"input"') ? '/v1/embeddings' : '/v1/chat/completions';
    const before = open.openai.calls.length + open.anthropic.calls.length;
    const res = await rawRequest(open.gateway.url, path, { body, headers: json });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ type: 'invalid_request_error', code: 'json_too_deep' });
    expect(open.openai.calls.length + open.anthropic.calls.length).toBe(before);
  });

  it('counts none of them as a 5xx, and still answers', async () => {
    expect(await metricValue(open.gateway.gateway.metrics, 'llm_edge_requests_total', { status: '500' })).toBe(0);
    const ok = await open.client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'after' }] });
    expect(ok.choices[0]?.message.content).toBe('Echo: after');
  });
});

describe('open mode accepts JSON bodies only', () => {
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'spend your key' }] });
  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])('refuses %s with 415 and calls no provider', async (type) => {
    const before = open.openai.calls.length;
    const res = await rawRequest(open.gateway.url, '/v1/chat/completions', { body, headers: { 'content-type': type } });
    expect(res.status).toBe(415);
    expect(res.json.error).toMatchObject({ type: 'invalid_request_error', code: 'unsupported_media_type' });
    expect(open.openai.calls.length).toBe(before);
  });

  it('refuses a body with no content type', async () => {
    const res = await fetch(`${open.gateway.url}/v1/chat/completions`, { method: 'POST', body: new Blob([body]) });
    expect(res.status).toBe(415);
  });

  it('accepts application/json with a charset', async () => {
    const res = await rawRequest(open.gateway.url, '/v1/chat/completions', { body, headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(res.status).toBe(200);
  });

  it('a keyed gateway takes any content type (a cross-site page cannot send its key)', async () => {
    const keyed = await startHarness({ env: { LLM_EDGE_API_KEYS: 'sk-caller' } });
    try {
      const res = await rawRequest(keyed.gateway.url, '/v1/chat/completions', { body, headers: { 'content-type': 'text/plain', authorization: 'Bearer sk-caller' } });
      expect(res.status).toBe(200);
    } finally {
      await keyed.stop();
    }
  });
});

describe('slow requests', () => {
  /** Sends `head` (and optionally part of a body), then waits for what the gateway does. */
  function trickle(head: string): Promise<{ text: string; ms: number }> {
    const { port } = open.gateway;
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const socket = connect(port, '127.0.0.1', () => socket.write(head));
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('close', () => resolve({ text, ms: Date.now() - started }));
      socket.on('error', reject);
      setTimeout(() => socket.destroy(new Error('the gateway never gave up on the slow request')), 10_000);
    });
  }

  it('gives up on a body that never finishes within server.requestTimeoutMs (408)', async () => {
    const { text, ms } = await trickle('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"model":');
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeLessThan(8_000);
  });

  it('gives up on headers that never finish within server.headersTimeoutMs', async () => {
    const { text, ms } = await trickle('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    expect(text).toMatch(/^HTTP\/1\.1 408|^$/);
    expect(ms).toBeLessThan(8_000);
  });
});
