/**
 * An OTLP/HTTP sink: answers 200 to every export so the gateway's tracing runs for real (sampled
 * spans batched, encoded and sent) without a collector. Counts exports and bytes.
 *
 *   node --import tsx bench/servers/otlp-sink.ts
 * prints {"url":"http://127.0.0.1:P"}; GET /stats answers {"exports":N,"bytes":N}.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

let exports = 0;
let bytes = 0;
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ exports, bytes }));
    return;
  }
  req.on('data', (c: Buffer) => {
    bytes += c.length;
  });
  req.on('end', () => {
    exports += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
