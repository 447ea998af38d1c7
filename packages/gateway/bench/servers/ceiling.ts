/**
 * The cache-hit ceiling of DESIGN.md's Performance section: a plain `node:http` server that
 * reads the request body and answers every request with the same bytes (those of a cached
 * completion). Nothing a cache hit does can be cheaper.
 *
 *   node --import tsx bench/servers/ceiling.ts <body as base64>
 * prints {"url":"http://127.0.0.1:P"} and runs until SIGTERM.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const body = Buffer.from(process.argv[2] ?? '', 'base64');
if (body.length === 0) throw new Error('ceiling: usage: ceiling.ts <response body as base64>');
const headers = { 'content-type': 'application/json', 'content-length': body.length };

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => res.writeHead(200, headers).end(body));
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
