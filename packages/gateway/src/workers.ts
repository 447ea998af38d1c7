/**
 * `LLM_EDGE_WORKERS`: the gateway on every core of a pod. The primary forks the workers (Node's
 * `cluster`: they share the API port, the kernel spreads connections), runs the one metrics
 * listener (every worker's series aggregated by prom-client) and the admin API, forwards
 * SIGTERM/SIGINT/SIGHUP so every worker drains or reloads, and replaces a worker that dies.
 * Limits, budgets and L2 are in Redis, so they stay exact across workers; L1 is per worker.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { AddressInfo } from 'node:net';
import { AggregatorRegistry } from 'prom-client';
import { ApiKeyRegistry } from './auth/api-keys.js';
import type { GatewayConfig } from './config/schema.js';
import { Governance } from './governance/governor.js';
import { createMetricsListener } from './metrics-listener.js';
import { closeRedisClient, createRedisClient } from './redis/client.js';
import { createLogger } from './telemetry/logger.js';

/** Most workers one gateway runs: past the cores of any pod we size for. */
const MAX_WORKERS = 64;

/**
 * Workers to run: `1` (default) runs the gateway in this process alone, `auto` one per core.
 * @throws Error naming the variable for anything else
 */
export function workerCount(value: string | undefined): number {
  const v = value?.trim() || '1';
  if (v === 'auto') return Math.min(MAX_WORKERS, availableParallelism());
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) throw new Error(`LLM_EDGE_WORKERS: expected auto or a whole number from 1 to ${MAX_WORKERS}, got "${value}"`);
  return n;
}

/** A worker's word to the primary once its API listener is up. */
interface Listening {
  readonly type: 'llm-edge:listening';
  readonly url: string;
}

export function isListening(message: unknown): message is Listening {
  return typeof message === 'object' && message !== null && (message as Listening).type === 'llm-edge:listening';
}

/** Tells the primary this worker listens (no-op outside a cluster). */
export function announceListening(url: string): void {
  if (cluster.isWorker && process.send) process.send({ type: 'llm-edge:listening', url } satisfies Listening);
}

/** Runs the primary: forks `count` workers and serves the aggregated metrics and the admin API. */
export async function runPrimary(config: GatewayConfig, count: number): Promise<void> {
  const log = createLogger(config.telemetry.logLevel);
  const aggregated = new AggregatorRegistry();
  // The admin API reads the shared counters (Redis), so the primary answers for every worker.
  const redis = createRedisClient(config.cache.l2, log);
  const keys = new ApiKeyRegistry(config.auth.keys);
  const governance = new Governance(config.governance, config.auth.teams, redis, log);
  const admin = { callers: () => keys.callers, teams: () => config.auth.teams, governance };
  const metrics = createMetricsListener(config.server.adminKey, admin, { scrape: () => aggregated.clusterMetrics(), contentType: aggregated.contentType });
  await new Promise<void>((resolve, reject) => {
    metrics.once('error', reject);
    metrics.listen(config.server.metricsPort, config.server.host, () => resolve());
  });
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  const metricsUrl = `http://${host}:${(metrics.address() as AddressInfo).port}/metrics`;

  let stopping = false;
  const listening = new Set<Worker>();
  const fork = () => {
    const worker = cluster.fork();
    worker.on('message', (message: unknown) => {
      if (!isListening(message)) return;
      listening.add(worker);
      if (listening.size === count) log.info({ url: message.url, metrics: metricsUrl, workers: count, pid: process.pid }, 'llm-edge-agent listening');
    });
  };
  cluster.on('exit', (worker, code, signal) => {
    listening.delete(worker);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) void finish();
      return;
    }
    log.error({ msg: 'a worker exited: starting another', pid: worker.process.pid, code, signal });
    fork();
  });
  for (let i = 0; i < count; i++) fork();

  const finish = async () => {
    await new Promise<void>((resolve) => metrics.close(() => resolve()));
    metrics.closeAllConnections();
    if (redis) await closeRedisClient(redis);
    log.flush();
    process.exit(0);
  };
  const forward = (signal: NodeJS.Signals) => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  const stop = (signal: 'SIGTERM' | 'SIGINT') => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, workers: count }, 'draining in-flight requests');
    forward(signal);
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => forward('SIGHUP'));
}
