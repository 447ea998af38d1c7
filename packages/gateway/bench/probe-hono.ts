import { Hono } from 'hono';
import { getRequestListener } from '@hono/node-server';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
if (process.env.OTEL) {
  const { NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
  new NodeTracerProvider().register();
}
if (process.env.PROM) {
  const prom = await import('prom-client');
  prom.collectDefaultMetrics({ register: new prom.Registry() });
}
if (process.env.GWMOD) await import(process.env.GWMOD);
const app = new Hono();
app.get('/health', (c) => c.json({ status: 'ok' }));
const opts = process.env.OPTS ? { keepAliveTimeout: 65_000, headersTimeout: 15_000, requestTimeout: 60_000, connectionsCheckingInterval: 1_000 } : {};
const server = createServer(opts, getRequestListener(app.fetch));
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
process.once('SIGTERM', () => process.exit(0));
