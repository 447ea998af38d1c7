#!/usr/bin/env node
/**
 * The `llm-edge-agent` command: load the configuration, start (one process, or with
 * `LLM_EDGE_WORKERS` a primary and its workers), and drain on SIGTERM/SIGINT. A bad
 * configuration prints what is wrong and exits 1, without a stack trace.
 */
import cluster from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import { ConfigError, loadConfig } from './config/load.js';
import { watchConfig } from './config/reload.js';
import { gcThreadNice, lowerGcThreads } from './gc-threads.js';
import { startGateway } from './server.js';
import { announceListening, runPrimary, workerCount } from './workers.js';

async function main(): Promise<void> {
  let config;
  let workers;
  let gcNice;
  try {
    config = loadConfig(process.env);
    workers = workerCount(process.env.LLM_EDGE_WORKERS);
    gcNice = gcThreadNice(process.env.LLM_EDGE_GC_THREAD_NICE);
  } catch (err) {
    process.stderr.write(`llm-edge-agent: ${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
    process.exit(1);
  }
  const gcThreadsLowered = lowerGcThreads(gcNice);
  if (workers > 1 && cluster.isPrimary) {
    try {
      await runPrimary(config, workers);
    } catch (err) {
      process.stderr.write(`llm-edge-agent: cannot start: ${(err as Error).message}\n`);
      process.exit(1);
    }
    return;
  }
  let running;
  try {
    running = await startGateway(config, { metricsListener: !cluster.isWorker });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'EADDRINUSE' ? `address already in use (${config.server.host}:${config.server.port} or metrics ${config.server.metricsPort})` : e.message;
    process.stderr.write(`llm-edge-agent: cannot start: ${why}\n`);
    process.exit(1);
  }
  const { gateway } = running;
  if (cluster.isWorker) {
    // The primary's /metrics asks every worker for this registry. prom-client starts answering
    // those requests only once an AggregatorRegistry exists in the worker.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([gateway.metrics.registry]);
    announceListening(running.url);
  }
  // One warning per gateway, not one per worker.
  if (gateway.keys.open && (!cluster.isWorker || cluster.worker?.id === 1)) {
    gateway.log.warn('NO API KEYS CONFIGURED: the gateway is open to anyone who can reach it. Set LLM_EDGE_API_KEYS or auth.keys.');
  }
  if (!cluster.isWorker) gateway.log.info({ url: running.url, metrics: running.metricsUrl, providers: [...gateway.providers.keys()], pid: process.pid, gc_threads_lowered: gcThreadsLowered }, 'llm-edge-agent listening');
  // Keys, teams, limits and budgets follow the config file; SIGHUP reloads it at once.
  const reloader = watchConfig(gateway, { env: process.env });
  process.on('SIGHUP', () => reloader.reload('signal'));

  // SIGTERM (Kubernetes, compose) gives balancers the drain delay; Ctrl-C stops at once.
  const shutdown = (signal: string) => {
    const drainDelayMs = signal === 'SIGTERM' ? config.server.drainDelayMs : 0;
    gateway.log.info({ signal, drain_delay_ms: drainDelayMs }, 'draining in-flight requests');
    running.stop({ drainDelayMs }).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => {
    reloader.close();
    shutdown('SIGTERM');
  });
  process.once('SIGINT', () => shutdown('SIGINT'));
}

void main();
