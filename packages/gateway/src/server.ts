/**
 * Listeners and lifecycle: the API on `server.port`, `/metrics` on its own `server.metricsPort`
 * listener, connection counting, and a graceful drain: stop accepting, let in-flight requests
 * (streams included) finish up to a deadline, then close.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { createApp } from './app.js';
import { createMetricsListener } from './metrics-listener.js';
import type { GatewayConfig } from './config/schema.js';
import { Gateway, type GatewayOptions } from './gateway.js';

export interface RunningGateway {
  readonly gateway: Gateway;
  /** `http://host:port` of the API listener. */
  readonly url: string;
  readonly port: number;
  readonly metricsUrl: string;
  readonly metricsPort: number;
  /**
   * Drains: `/ready` answers 503 at once; the listener stays open for `drainDelayMs` (default 0:
   * tests and SIGINT stop at once, SIGTERM passes `server.drainDelayMs`), then in-flight requests
   * finish (up to the shutdown timeout) and everything closes.
   */
  stop(options?: { drainDelayMs?: number }): Promise<void>;
}

export interface StartOptions extends GatewayOptions {
  /** Run the metrics listener (default true; a worker of several leaves it to the primary). */
  readonly metricsListener?: boolean;
}

export async function startGateway(config: GatewayConfig, options: StartOptions = {}): Promise<RunningGateway> {
  const gateway = new Gateway(config, options);
  const app = createApp(gateway);
  const { headersTimeoutMs, requestTimeoutMs } = config.server;
  // Keep-alive outlives common load balancers' idle timeouts (60 s), so they close first. Node
  // checks the two read timeouts on an interval (30 s by default, which would let a slow caller
  // hold a connection that much past them): once a second keeps them within a second.
  const server = createServer(
    { keepAliveTimeout: 65_000, headersTimeout: headersTimeoutMs, requestTimeout: requestTimeoutMs, connectionsCheckingInterval: 1_000 },
    getRequestListener(app.fetch),
  );
  const connections = gateway.metrics.get('activeConnections');
  server.on('connection', (socket) => {
    connections.inc();
    socket.once('close', () => connections.dec());
  });

  const admin = { callers: () => gateway.keys.callers, teams: () => gateway.teams, governance: gateway.governance };
  // A worker of several leaves the metrics listener to the primary, which aggregates them all.
  const metricsServer = options.metricsListener === false ? undefined : createMetricsListener(config.server.adminKey, admin, gateway.metrics);

  const { host, port, metricsPort } = config.server;
  await listen(server, port, host);
  if (metricsServer) await listen(metricsServer, metricsPort, host);
  await gateway.start();
  const apiPort = (server.address() as AddressInfo).port;
  const boundMetricsPort = metricsServer ? (metricsServer.address() as AddressInfo).port : 0;
  const shownHost = host.includes(':') ? `[${host}]` : host;

  let stopping: Promise<void> | undefined;
  const stop = ({ drainDelayMs = 0 } = {}) => (stopping ??= drain(gateway, server, metricsServer, drainDelayMs, config.server.shutdownTimeoutMs));
  return {
    gateway,
    url: `http://${shownHost}:${apiPort}`,
    port: apiPort,
    metricsUrl: `http://${shownHost}:${boundMetricsPort}/metrics`,
    metricsPort: boundMetricsPort,
    stop,
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function drain(gateway: Gateway, server: Server, metricsServer: Server | undefined, delayMs: number, timeoutMs: number): Promise<void> {
  gateway.lifecycle = 'draining';
  // Still serving, but not ready: balancers that probe /ready move traffic away first.
  if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
  const inFlight = gateway.metrics.get('inFlightRequests');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && ((await inFlight.get()).values[0]?.value ?? 0) > 0) {
    await new Promise((r) => setTimeout(r, 50));
    server.closeIdleConnections();
  }
  server.closeAllConnections();
  await closed;
  if (metricsServer) {
    await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
    metricsServer.closeAllConnections();
  }
  await gateway.close();
  gateway.log.flush();
}
