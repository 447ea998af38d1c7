/**
 * The pass-through floor of DESIGN.md's Performance section: a plain `node:http` server that
 * reads the request body, forwards it with an undici `Pool` (keep-alive) and pipes the answer
 * back. No routing, auth, cache, metrics or logs: what any Node proxy costs at least.
 *
 *   node --import tsx bench/servers/floor.ts <upstream origin> <upstream path prefix> <bearer key>
 * prints {"url":"http://127.0.0.1:P"} and runs until SIGTERM.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const [origin, prefix = '', key = ''] = process.argv.slice(2);
if (!origin) throw new Error('floor: usage: floor.ts <upstream origin> [path prefix] [bearer key]');
const pool = new Pool(origin, { connections: 128, keepAliveTimeout: 30_000 });
const auth = `Bearer ${key}`;

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    pool
      .request({
        path: prefix + (req.url ?? '/'),
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth },
        body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
      })
      .then(
        (up) => {
          res.writeHead(up.statusCode, { 'content-type': String(up.headers['content-type'] ?? 'application/json') });
          up.body.pipe(res);
        },
        () => res.writeHead(502).end(),
      );
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  void pool.close().then(() => process.exit(0));
});
