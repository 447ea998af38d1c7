/**
 * Probes. `/health` (liveness): 200 while the process runs. `/ready` (readiness): 200 when the
 * gateway can serve, with degraded dependencies reported in the body, 503 while starting or
 * draining after SIGTERM so load balancers stop sending traffic first.
 */
import type { ServerResponse } from 'node:http';
import type { Gateway } from '../gateway.js';
import { sendJson } from '../http/respond.js';

export function health(res: ServerResponse): void {
  sendJson(res, 200, '{"status":"ok"}', { 'cache-control': 'no-store' });
}

export function ready(gw: Gateway, res: ServerResponse): void {
  const ready = gw.lifecycle === 'ready';
  const body = { status: ready ? 'ready' : gw.lifecycle, ...gw.readiness() };
  sendJson(res, ready ? 200 : 503, JSON.stringify(body), { 'cache-control': 'no-store' });
}
