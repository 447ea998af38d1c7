/**
 * The metrics listener: `GET /metrics` (Prometheus exposition) and the admin API, on their own
 * port so neither is reachable on the public one. With several workers the primary runs it and
 * the scrape aggregates every worker's registry.
 */
import { createServer, type Server } from 'node:http';
import { serveAdmin, type AdminSources } from './admin/index.js';

export interface MetricsSource {
  scrape(): Promise<string>;
  readonly contentType: string;
}

export function createMetricsListener(adminKey: string | undefined, admin: AdminSources, metrics: MetricsSource): Server {
  return createServer((req, res) => {
    if (serveAdmin(adminKey, admin, req, res)) return;
    if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') {
      metrics.scrape().then(
        (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: metrics are at /metrics\n');
    }
  });
}
