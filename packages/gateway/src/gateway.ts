/**
 * The composition root: builds every part of the request path from the configuration once, at
 * start-up; the pipeline's steps each take the parts they need.
 */
import { ApiKeyRegistry } from './auth/api-keys.js';
import type { GatewayConfig } from './config/schema.js';
import type { PipelineDeps } from './pipeline/run.js';
import { createProviders } from './providers/registry.js';
import type { ProviderAdapter } from './providers/types.js';
import { Resilience } from './resilience/index.js';
import { Governance } from './governance/governor.js';
import { RateLimiter } from './limits/rate-limiter.js';
import { Router } from './routing/router.js';
import { Flights, ResponseCache } from './cache/index.js';
import { ResponseStore } from './cache/response-store.js';
import { closeRedisClient, createRedisClient, whenReady, type RedisClient } from './redis/client.js';
import { createLogger, type Logger } from './telemetry/logger.js';
import { GatewayMetrics } from './telemetry/metrics.js';
import type { Telemetry } from './telemetry/index.js';
import { PriceTable } from './telemetry/prices.js';
import { Tracing } from './telemetry/tracing.js';
import { watchEventLoop } from './telemetry/event-loop.js';

export type Lifecycle = 'starting' | 'ready' | 'draining';

/** How often the budget gauges are read from the shared counters (ms). */
const BUDGET_REFRESH_MS = 30_000;

export interface GatewayOptions {
  /** Where logs go (default: stdout). */
  readonly logDestination?: NodeJS.WritableStream;
  /** Collect prom-client's process metrics (default true; tests with many gateways turn it off). */
  readonly defaultMetrics?: boolean;
}

export class Gateway implements PipelineDeps {
  /** The callers' keys: replaced as a whole when the config file is reloaded. */
  keys: ApiKeyRegistry;
  /** The teams of the config in force. */
  teams: GatewayConfig['auth']['teams'];
  readonly providers: Map<string, ProviderAdapter>;
  readonly router: Router;
  readonly resilience: Resilience;
  readonly limits: RateLimiter;
  readonly governance: Governance;
  readonly cache: ResponseCache;
  readonly responses: ResponseStore;
  /** Identical requests in flight, joined instead of sent upstream again. */
  readonly flights = new Flights();
  /** The shared Redis of the L2 cache and the limits, when configured. */
  readonly redis: RedisClient | undefined;
  readonly metrics: GatewayMetrics;
  readonly log: Logger;
  readonly telemetry: Telemetry;
  lifecycle: Lifecycle = 'starting';

  constructor(
    readonly config: GatewayConfig,
    options: GatewayOptions = {},
  ) {
    this.log = createLogger(config.telemetry.logLevel, options.logDestination);
    const defaultMetrics = options.defaultMetrics ?? true;
    this.metrics = new GatewayMetrics({ defaultMetrics });
    // Sampled with the process metrics: tests that turn those off need no timer either.
    this.stopLoopWatch = defaultMetrics ? watchEventLoop(this.metrics.get('eventLoopDelaySeconds')) : () => undefined;
    this.telemetry = {
      metrics: this.metrics,
      log: this.log,
      tracing: new Tracing(config.telemetry),
      prices: new PriceTable(config.pricing),
      logBodies: config.telemetry.logBodies,
    };
    this.keys = new ApiKeyRegistry(config.auth.keys);
    this.teams = config.auth.teams;
    this.redis = createRedisClient(config.cache.l2, this.log);
    this.cache = new ResponseCache(config.cache, this.metrics, this.log, this.redis);
    this.responses = new ResponseStore(this.cache, config.cache.ttlSeconds);
    this.providers = createProviders(config);
    this.router = new Router(config, this.providers);
    this.resilience = new Resilience(config, this.metrics, this.log);
    this.limits = new RateLimiter(config.resilience.limits, this.redis, this.metrics, this.log);
    const m = this.metrics;
    this.governance = new Governance(config.governance, config.auth.teams, this.redis, this.log, {
      onState: (b) => {
        m.child('budgetUsd', b.scope, b.id).set(b.budget.usd);
        m.child('budgetSpendUsd', b.scope, b.id).set(b.spendUsd);
        m.child('budgetRemainingUsd', b.scope, b.id).set(b.remainingUsd);
      },
      onRefusal: (scope, id) => m.child('budgetRefusalsTotal', scope, id).inc(),
    });
  }

  /**
   * Reads every budget's counters now and then, so the budget gauges follow period resets and
   * other replicas' spend even for keys that send nothing.
   */
  /** Stops the event-loop delay sampling (nothing to stop without default metrics). */
  private readonly stopLoopWatch: () => void;

  private readonly budgetRefresh = setInterval(() => void this.governance.states(this.keys.callers).catch(() => undefined), BUDGET_REFRESH_MS).unref();

  /** Waits (bounded) for the dependencies worth waiting for; then the gateway is ready. */
  async start(): Promise<void> {
    if (this.redis && !(await whenReady(this.redis, this.config.cache.l2.connectTimeoutMs))) {
      this.log.warn('redis is not reachable yet: serving from L1 and upstream until it is');
    }
    this.lifecycle = 'ready';
  }

  /**
   * Applies a reloaded config's keys and teams (limits, budgets, allow-lists) to new requests.
   * Spend already counted stays: it lives in the counters, not in the config.
   * @returns the sections that changed but need a restart to apply
   */
  applyAuth(next: GatewayConfig): string[] {
    // A budget that is gone keeps no gauge (an alert on it would fire on for nothing).
    const kept = new Set([...next.auth.keys.filter((k) => k.budget).map((k) => `key\u0000${k.id}`), ...next.auth.teams.filter((t) => t.budget).map((t) => `team\u0000${t.id}`)]);
    const before = [...this.keys.callers.filter((c) => c.budget).map((c) => ['key', c.keyId]), ...this.teams.filter((t) => t.budget).map((t) => ['team', t.id])];
    for (const [scope, id] of before) {
      if (kept.has(`${scope}\u0000${id}`)) continue;
      for (const gauge of ['budgetUsd', 'budgetSpendUsd', 'budgetRemainingUsd'] as const) this.metrics.get(gauge).remove(scope!, id!);
    }
    this.keys = new ApiKeyRegistry(next.auth.keys);
    this.teams = next.auth.teams;
    this.governance.setTeams(next.auth.teams);
    const restartOnly = ['server', 'providers', 'routes', 'cache', 'resilience', 'pricing', 'telemetry', 'governance'] as const;
    return restartOnly.filter((section) => JSON.stringify(next[section]) !== JSON.stringify(this.config[section]));
  }

  /** Dependency states for `/ready`: reported, never a reason to fail readiness. */
  readiness(): Record<string, unknown> {
    return { providers: this.resilience.health(), cache: this.cache.readiness(), limits: this.limits.state, budgets: this.governance.state };
  }

  async close(): Promise<void> {
    await Promise.allSettled([...[...this.providers.values()].map((p) => p.close()), this.limits.close(), this.cache.close()]);
    this.resilience.close();
    clearInterval(this.budgetRefresh);
    this.stopLoopWatch();
    if (this.redis) await closeRedisClient(this.redis);
    await this.telemetry.tracing.shutdown();
  }
}

