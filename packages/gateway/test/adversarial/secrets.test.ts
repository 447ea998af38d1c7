/**
 * What leaks where: an unexpected failure is a bare 500 to the caller and a log line with its
 * cause (never the caller's key, never a stack trace in the answer); the unauthenticated `/ready`
 * shows no tenant's model names.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheStatus } from '@llm-edge/semconv';
import { chatDialect } from '../../src/dialects/chat/index.js';
import { RequestTrace } from '../../src/pipeline/request.js';
import { NodeResponder } from '../../src/pipeline/responder.js';
import { answerError } from '../../src/pipeline/run.js';
import { rawRequest, startHarness, type Harness } from '../harness.js';

const KEY = 'sk-tenant-secret-0123456789';
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { LLM_EDGE_API_KEYS: KEY } });
});
afterAll(() => h.stop());

describe('an internal error', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    // A real listener whose handler fails as a bug in a handler would: through the gateway's own
    // request context, so the answer and the log line are the ones the gateway writes.
    server = createServer((req, res) => {
      const { telemetry } = h.gateway.gateway;
      const request = new RequestTrace('/v1/chat/completions', req.headers, req.method ?? '', telemetry.tracing);
      const head = { requestId: request.id, cache: CacheStatus.bypass, provider: '', extra: {} };
      answerError(telemetry, request, new NodeResponder(res), chatDialect, new TypeError("Cannot read properties of undefined (reading 'url')"), head);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('is a bare 500 to the caller and a log line with its cause', async () => {
    const res = await rawRequest(url, '/', { body: '{}', headers: { authorization: `Bearer ${KEY}`, 'x-request-id': 'req-internal-1' } });
    expect(res.status).toBe(500);
    expect(res.json.error).toEqual({ message: 'The gateway failed to handle the request.', type: 'api_error', param: null, code: 'internal_error' });
    h.gateway.gateway.log.flush();
    const line = h.logs.find((l) => l.msg === 'internal error' && l.request_id === 'req-internal-1');
    expect(line).toMatchObject({ level: 'error', route: '/v1/chat/completions', err: { type: 'TypeError', message: "Cannot read properties of undefined (reading 'url')" } });
    expect(String((line!.err as { stack: string }).stack)).toContain('TypeError');
    expect(JSON.stringify(line)).not.toContain(KEY);
  });

  it('a caller\'s mistake is not logged as one', async () => {
    const res = await rawRequest(h.gateway.url, '/v1/chat/completions', { body: '{"model":"gpt-4o-mini","messages":[{"role":"user","content":[null]}]}', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    h.gateway.gateway.log.flush();
    expect(h.logs.filter((l) => l.msg === 'internal error' && l.request_id !== 'req-internal-1')).toEqual([]);
  });
});

describe('/ready', () => {
  it('shows no model a tenant asked for', async () => {
    const model = 'openai/project-nightingale-ft-2026';
    const res = await rawRequest(h.gateway.url, '/v1/chat/completions', { body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }] }), headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    const ready = await rawRequest(h.gateway.url, '/ready', { method: 'GET' });
    expect(ready.text).not.toContain('nightingale');
    expect(ready.json.providers.openai).toMatchObject({ healthy: true, state: 'closed', targets: { closed: expect.any(Number), 'half-open': 0, open: 0 } });
  });
});
