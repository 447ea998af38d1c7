/**
 * Bad input gets the right status and an OpenAI-shaped error, and nothing crashes: every case
 * is followed by a healthy request on the same gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startHarness, rawRequest, type Harness } from './harness.js';

const KEY = 'sk-caller-good';
let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    env: { LLM_EDGE_API_KEYS: `${KEY},sha256:${'a'.repeat(64)}` },
    // No retries and a breaker that never opens: each case here sees exactly its own failure.
    configYaml: 'server:\n  bodyLimitBytes: 4096\nresilience:\n  retry: { maxAttempts: 1 }\n  breaker: { failureThreshold: 1000, minRequests: 1000 }\n',
  });
});
afterAll(() => h.stop());

const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const msgs = [{ role: 'user', content: 'hi' }];

function expectOpenAIError(json: any, type: string, param?: string | null) {
  expect(Object.keys(json.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(json.error).toMatchObject({ message: expect.any(String), type });
  if (param !== undefined) expect(json.error.param).toBe(param);
  expect(json.error.message).not.toMatch(/at .*\.js:\d+/); // never a stack trace
}

describe('bad requests', () => {
  const cases: Array<[string, string | Buffer, number, string, string | null]> = [
    ['empty body', '', 400, 'invalid_request_error', null],
    ['non-JSON', '{not json', 400, 'invalid_request_error', null],
    ['JSON that is not an object', '[1,2]', 400, 'invalid_request_error', null],
    ['missing model', JSON.stringify({ messages: msgs }), 400, 'invalid_request_error', 'model'],
    ['missing messages', JSON.stringify({ model: 'gpt-4o' }), 400, 'invalid_request_error', 'messages'],
    ['empty messages', JSON.stringify({ model: 'gpt-4o', messages: [] }), 400, 'invalid_request_error', 'messages'],
    ['model of the wrong type', JSON.stringify({ model: 42, messages: msgs }), 400, 'invalid_request_error', 'model'],
    ['messages of the wrong type', JSON.stringify({ model: 'gpt-4o', messages: 'hi' }), 400, 'invalid_request_error', 'messages'],
    ['a message with a bad role', JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'robot', content: 'x' }] }), 400, 'invalid_request_error', 'messages[0].role'],
    ['stream of the wrong type', JSON.stringify({ model: 'gpt-4o', messages: msgs, stream: 'yes' }), 400, 'invalid_request_error', 'stream'],
    ['temperature out of range', JSON.stringify({ model: 'gpt-4o', messages: msgs, temperature: 7 }), 400, 'invalid_request_error', 'temperature'],
    ['unknown model', JSON.stringify({ model: 'no-such-model', messages: msgs }), 404, 'not_found_error', 'model'],
    ['unknown provider prefix', JSON.stringify({ model: 'nowhere/gpt-4o', messages: msgs }), 404, 'not_found_error', 'model'],
    ['oversized body', JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(10_000) }] }), 413, 'invalid_request_error', null],
  ];
  it.each(cases)('%s -> %i', async (_name, body, status, type, param) => {
    const res = await rawRequest(h.gateway.url, '/v1/chat/completions', { body, headers: auth });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/json');
    expectOpenAIError(res.json, type, param);
  });

  it('refuses a declared oversized body before reading it', async () => {
    const res = await rawRequest(h.gateway.url, '/v1/embeddings', { body: Buffer.alloc(64 * 1024, 'a'), headers: auth });
    expect(res.status).toBe(413);
    expectOpenAIError(res.json, 'invalid_request_error', null);
  });

  it('answers a wrong method with 405 and an unknown path with 404', async () => {
    const wrong = await rawRequest(h.gateway.url, '/v1/chat/completions', { method: 'GET', headers: auth });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expectOpenAIError(wrong.json, 'invalid_request_error');
    const unknown = await rawRequest(h.gateway.url, '/v2/anything', { method: 'GET' });
    expect(unknown.status).toBe(404);
    expectOpenAIError(unknown.json, 'not_found_error');
  });

  it('validates embeddings input', async () => {
    const res = await rawRequest(h.gateway.url, '/v1/embeddings', { body: JSON.stringify({ model: 'text-embedding-3-small', input: [] }), headers: auth });
    expect(res.status).toBe(400);
    expectOpenAIError(res.json, 'invalid_request_error', 'input');
  });
});

describe('authentication', () => {
  it.each([
    ['no key', {}],
    ['a wrong key', { authorization: 'Bearer sk-wrong' }],
    ['a malformed header', { authorization: 'Basic abc' }],
  ])('refuses %s with 401', async (_name, headers) => {
    const res = await rawRequest(h.gateway.url, '/v1/chat/completions', { body: JSON.stringify({ model: 'gpt-4o', messages: msgs }), headers });
    expect(res.status).toBe(401);
    expectOpenAIError(res.json, 'authentication_error', null);
    expect(h.openai.calls).toHaveLength(0);
  });

  it('refuses a bad key through the SDK as an AuthenticationError', async () => {
    await expect(h.client('sk-wrong').chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('accepts a configured key, and one given by its sha256 digest', async () => {
    const ok = await h.client(KEY).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'still alive' }] });
    expect(ok.choices[0]?.message.content).toBe('Echo: still alive');
    const { createHash } = await import('node:crypto');
    const secret = 'sk-hashed-caller';
    const digest = createHash('sha256').update(secret).digest('hex');
    const other = await startHarness({ env: { LLM_EDGE_API_KEYS: `sha256:${digest}` } });
    try {
      const res = await other.client(secret).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] });
      expect(res.choices[0]?.message.content).toBe('Echo: x');
    } finally {
      await other.stop();
    }
  });
});

describe('upstream failures', () => {
  it('maps a provider 5xx to 502, a reset connection to 502, and a provider 400 to 400', async () => {
    const ask = (content: string) => rawRequest(h.gateway.url, '/v1/chat/completions', { body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content }] }), headers: auth });
    h.openai.setDefault({ kind: 'status', status: 500 });
    const five = await ask('five hundred');
    expect(five.status).toBe(502);
    expectOpenAIError(five.json, 'upstream_error');
    h.openai.setDefault({ kind: 'reset' });
    const reset = await ask('reset');
    expect(reset.status).toBe(502);
    expectOpenAIError(reset.json, 'upstream_error');
    h.openai.setDefault({ kind: 'status', status: 400 });
    const four = await ask('four hundred');
    expect(four.status).toBe(400);
    expectOpenAIError(four.json, 'invalid_request_error');
    h.openai.setDefault(null);
  });

  it('reports not ready (503) while draining, still alive', async () => {
    const gw = h.gateway.gateway;
    gw.lifecycle = 'draining';
    try {
      const ready = await rawRequest(h.gateway.url, '/ready', { method: 'GET' });
      expect(ready.status).toBe(503);
      expect(ready.json.status).toBe('draining');
      expect((await rawRequest(h.gateway.url, '/health', { method: 'GET' })).status).toBe(200);
    } finally {
      gw.lifecycle = 'ready';
    }
  });

  it('is still healthy after all of the above', async () => {
    const res = await rawRequest(h.gateway.url, '/health', { method: 'GET' });
    expect(res.status).toBe(200);
    const ok = await h.client(KEY).chat.completions.create({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'fine' }] });
    expect(ok.choices[0]?.message.content).toBe('Echo: fine');
  });
});
