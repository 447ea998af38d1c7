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

export type Lifecycle = 'starting' | 'ready' | 'draining';

export interface GatewayOptions {
  /** Where logs go (default: stdout). */
  readonly logDestination?: NodeJS.WritableStream;
  /** Collect prom-client's process metrics (default true; tests with many gateways turn it off). */
  readonly defaultMetrics?: boolean;
}

export class Gateway implements PipelineDeps {
  readonly keys: ApiKeyRegistry;
  readonly providers: Map<string, ProviderAdapter>;
  readonly router: Router;
  readonly resilience: Resilience;
  readonly limits: RateLimiter;
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
    this.metrics = new GatewayMetrics({ defaultMetrics: options.defaultMetrics ?? true });
    this.telemetry = {
      metrics: this.metrics,
      log: this.log,
      tracing: new Tracing(config.telemetry),
      prices: new PriceTable(config.pricing),
      logBodies: config.telemetry.logBodies,
    };
    this.keys = new ApiKeyRegistry(config.auth.keys);
    this.redis = createRedisClient(config.cache.l2, this.log);
    this.cache = new ResponseCache(config.cache, this.metrics, this.log, this.redis);
    this.responses = new ResponseStore(this.cache, config.cache.ttlSeconds);
    this.providers = createProviders(config);
    this.router = new Router(config, this.providers);
    this.resilience = new Resilience(config, this.metrics, this.log);
    this.limits = new RateLimiter(config.resilience.limits, this.redis, this.metrics, this.log);
  }

  /** Waits (bounded) for the dependencies worth waiting for; then the gateway is ready. */
  async start(): Promise<void> {
    if (this.redis && !(await whenReady(this.redis, this.config.cache.l2.connectTimeoutMs))) {
      this.log.warn('redis is not reachable yet: serving from L1 and upstream until it is');
    }
    this.lifecycle = 'ready';
  }

  /** Dependency states for `/ready`: reported, never a reason to fail readiness. */
  readiness(): Record<string, unknown> {
    return { providers: this.resilience.health(), cache: this.cache.readiness(), limits: this.limits.state };
  }

  async close(): Promise<void> {
    await Promise.allSettled([...[...this.providers.values()].map((p) => p.close()), this.limits.close(), this.cache.close()]);
    this.resilience.close();
    if (this.redis) await closeRedisClient(this.redis);
    await this.telemetry.tracing.shutdown();
  }
}

