/**
 * `readBody` on a real `node:http` server, both ways a body arrives: whole with the headers and
 * in pieces over time, with the size limit enforced on each.
 */
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBody } from '../src/http/body.js';

const LIMIT = 1024;
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    // Read after a microtask, as the gateway does (after authentication).
    void Promise.resolve().then(async () => {
      try {
        const body = await readBody(req, LIMIT);
        res.writeHead(200).end(`${body.length}:${body.toString('utf8')}`);
      } catch (err) {
        res.writeHead((err as { status?: number }).status ?? 500, { connection: 'close' }).end();
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends `parts` as one body (chunked when there is more than one), `gapMs` apart. */
async function send(parts: string[], gapMs = 0): Promise<{ status: number; text: string }> {
  const req = request({ port, host: '127.0.0.1', method: 'POST', path: '/', headers: parts.length === 1 ? { 'content-length': Buffer.byteLength(parts[0]!) } : {} });
  const answered = once(req, 'response');
  for (const part of parts) {
    req.write(part);
    if (gapMs) await sleep(gapMs);
  }
  req.end();
  const [res] = (await answered) as [import('node:http').IncomingMessage];
  let text = '';
  for await (const chunk of res) text += chunk;
  return { status: res.statusCode!, text };
}

describe('readBody', () => {
  it('reads a body that arrived with the headers', async () => {
    expect(await send(['{"a":1}'])).toEqual({ status: 200, text: '7:{"a":1}' });
  });

  it('gathers a body that arrives in pieces', async () => {
    expect(await send(['{"a":', '"bc"', '}'], 30)).toEqual({ status: 200, text: '10:{"a":"bc"}' });
  });

  it('answers an empty body as zero bytes', async () => {
    expect(await send([''])).toEqual({ status: 200, text: '0:' });
  });

  it('refuses an oversized body that came whole, and one that grows past the limit', async () => {
    expect((await send(['x'.repeat(LIMIT + 1)])).status).toBe(413);
    expect((await send(['x'.repeat(600), 'y'.repeat(600)], 30)).status).toBe(413);
  });
});
