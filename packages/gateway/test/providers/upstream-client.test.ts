/**
 * UpstreamClient.postWhole against a real HTTP server: the answer read whole (status, headers,
 * bytes in a buffer of their own), 1xx skipped, and every way it can fail (a cut body, a stall,
 * the caller's signal) an UpstreamError that leaves no listener behind on the signal.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderSchema } from '../../src/config/schema.js';
import { Cancellation, type Signal } from '../../src/http/cancel.js';
import { UpstreamClient } from '../../src/providers/upstream-client.js';
import { UpstreamError } from '../../src/providers/upstream-error.js';

const routes: Record<string, (res: ServerResponse, body: string) => void> = {
  '/v1/chunked': (res, body) => {
    res.writeHead(200, { 'content-type': 'application/json', 'retry-after': '3', 'x-echo-length': String(body.length) });
    res.write('{"parts":[');
    setTimeout(() => res.end('"a","b"]}'), 5);
  },
  '/v1/hints': (res) => {
    res.writeEarlyHints({ link: '</x>; rel=preload' });
    res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
  },
  '/v1/cut': (res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('{"half":');
    setTimeout(() => res.socket?.destroy(), 5);
  },
  '/v1/limited': (res) => {
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' }).end('{"error":{"message":"slow down"}}');
  },
  '/v1/stall': (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{');
  },
};

/** Requests the server received, by path. */
const received: Record<string, number> = {};
let server: Server;
let client: UpstreamClient;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    received[req.url ?? ''] = (received[req.url ?? ''] ?? 0) + 1;
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const route = routes[req.url ?? ''];
      if (route) route(res, body);
      else res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const config = ProviderSchema.parse({ type: 'openai-compatible', baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: 'k', timeouts: { idleMs: 300 } });
  client = new UpstreamClient('fake', config);
});

afterAll(async () => {
  await client.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A signal that counts its listeners, to see that none is left once the call settled. */
function countingSignal(): Signal & { listeners: number; cancel(reason: unknown): void } {
  const inner = new Cancellation();
  return {
    listeners: 0,
    get aborted() {
      return inner.aborted;
    },
    get reason() {
      return inner.reason;
    },
    addEventListener(type, listener) {
      this.listeners++;
      inner.addEventListener(type, listener);
    },
    removeEventListener(type, listener) {
      this.listeners--;
      inner.removeEventListener(type, listener);
    },
    cancel(reason) {
      inner.abort(reason);
    },
  };
}

describe('UpstreamClient.postWhole', () => {
  it('reads a body sent in parts whole, with its status and headers, into a buffer of its own', async () => {
    const signal = countingSignal();
    const res = await client.postWhole('/chunked', '{"q":1}', { 'x-test': '1' }, signal);
    expect(res.status).toBe(200);
    expect(res.headers['retry-after']).toBe('3');
    expect(res.headers['x-echo-length']).toBe('7');
    expect(res.bytes.toString()).toBe('{"parts":["a","b"]}');
    expect(res.bytes.byteOffset).toBe(0);
    expect(res.bytes.buffer.byteLength).toBe(res.bytes.length);
    expect(signal.listeners).toBe(0);
  });

  it('skips informational answers (103) and returns the final one', async () => {
    const res = await client.postWhole('/hints', '{}', {}, countingSignal());
    expect(res.status).toBe(201);
    expect(JSON.parse(res.bytes.toString())).toEqual({ ok: true });
  });

  it('turns an answer that is not 2xx into the UpstreamError of its status, Retry-After kept', async () => {
    const signal = countingSignal();
    const err = await client.postWhole('/limited', '{}', {}, signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).reason).toBe('rate_limited');
    expect((err as UpstreamError).status).toBe(429);
    expect((err as UpstreamError).retryAfter).toBe(7);
    expect(signal.listeners).toBe(0);
  });

  it('turns a body cut short into a connection failure', async () => {
    const signal = countingSignal();
    const err = await client.postWhole('/cut', '{}', {}, signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).reason).toBe('connection');
    expect(signal.listeners).toBe(0);
  });

  it('turns a body that stalls past the idle timeout into a timeout', async () => {
    const err = await client.postWhole('/stall', '{}', {}, countingSignal()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).reason).toBe('timeout');
  });

  it('stops when the caller\'s signal aborts mid-body, with the signal\'s reason, and leaves no listener', async () => {
    const signal = countingSignal();
    const call = client.postWhole('/stall', '{}', {}, signal).catch((e: unknown) => e);
    setTimeout(() => signal.cancel(Object.assign(new Error('deadline'), { code: 'UND_ERR_TOTAL_TIMEOUT' })), 30);
    const err = await call;
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).reason).toBe('timeout');
    expect(signal.listeners).toBe(0);
  });

  it('does not send a request whose signal is already aborted', async () => {
    const signal = countingSignal();
    signal.cancel(new Error('caller left'));
    const before = received['/v1/chunked'] ?? 0;
    const err = await client.postWhole('/chunked', '{}', {}, signal).catch((e: unknown) => e);
    expect(received['/v1/chunked'] ?? 0).toBe(before);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).reason).toBe('connection');
    expect(signal.listeners).toBe(0);
  });
});
