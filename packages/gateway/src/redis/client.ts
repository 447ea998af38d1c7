/**
 * The gateway's Redis connection (ioredis 5), standalone or Cluster, tuned for an edge cache:
 * commands fail fast while Redis is unreachable instead of queueing behind a dead socket, every
 * connection attempt is bounded, and the client reconnects by itself forever with capped backoff.
 * Errors are logged at most every few seconds and never escape as an unhandled 'error' event.
 */
import { Cluster, Redis, type ClusterNode, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { CacheConfig } from '../config/schema.js';
import type { Logger } from '../telemetry/logger.js';
import { logThrottle } from './throttle.js';

export type RedisClient = Redis | Cluster;
export type RedisState = 'ok' | 'degraded';

/** Longest wait between reconnect attempts: a restarted Redis is picked up within this. */
const MAX_BACKOFF_MS = 2_000;

/** Capped exponential backoff that never gives up (ioredis stops reconnecting on a non-number). */
export function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 16), MAX_BACKOFF_MS);
}

/**
 * Creates the client for `l2`: a Cluster when `clusterNodes` is set, else a standalone client when
 * `url` is set, else undefined (no L2). Connecting starts at once, in the background.
 * @example
 * const redis = createRedisClient(config.cache.l2, log);
 * if (redis) console.log(redisState(redis));
 */
export function createRedisClient(l2: CacheConfig['l2'], log: Logger): RedisClient | undefined {
  const connectTimeout = l2.connectTimeoutMs;
  const node: RedisOptions = {
    connectTimeout,
    ...(l2.password ? { password: l2.password } : {}),
    // Fail commands at once while disconnected: the cache is an optimisation, and the request
    // path must not wait on a Redis that is not there.
    enableOfflineQueue: false,
    // A command in flight when the connection drops fails instead of being replayed later.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: reconnectDelay,
  };
  if (l2.clusterNodes && l2.clusterNodes.length > 0) {
    const seeds: ClusterNode[] = l2.clusterNodes.map(parseHostPort);
    const options: ClusterOptions = {
      enableOfflineQueue: false,
      clusterRetryStrategy: reconnectDelay,
      redisOptions: node,
      slotsRefreshTimeout: Math.max(connectTimeout, 500),
      // Periodic refresh picks up failovers and restarted nodes even without a MOVED reply.
      slotsRefreshInterval: 5_000,
      retryDelayOnFailover: 50,
      retryDelayOnClusterDown: 50,
      retryDelayOnTryAgain: 50,
      maxRedirections: 4,
    };
    const cluster = new Cluster(seeds, options);
    // ioredis connects to a node lazily, on its first command. Connecting at once makes a dead
    // node show as not ready (for /ready) instead of hiding behind a connection never tried.
    cluster.on('+node', (n: Redis) => {
      if (n.status === 'wait') n.connect().catch(() => undefined);
    });
    watch(cluster, log, `redis cluster ${l2.clusterNodes.join(',')}`);
    return cluster;
  }
  if (l2.url) {
    const client = new Redis(l2.url, node);
    watch(client, log, `redis ${redactUrl(l2.url)}`);
    return client;
  }
  return undefined;
}

/**
 * For `/ready`: 'ok' when the client is connected (for a Cluster: and connected to every node
 * that owns slots), else 'degraded'. Never a reason to fail readiness.
 */
export function redisState(client: RedisClient): RedisState {
  if (client.status !== 'ready') return 'degraded';
  if (!(client instanceof Cluster)) return 'ok';
  const usable = new Set<string>();
  for (const n of client.nodes('master')) {
    if (n.status === 'ready') usable.add(`${n.options.host}:${n.options.port}`);
  }
  let previous: string | undefined;
  for (const owners of client.slots) {
    const owner = owners?.[0];
    if (owner === undefined || owner === previous) continue;
    if (!usable.has(owner)) return 'degraded';
    previous = owner;
  }
  return 'ok';
}

/** Closes the client: QUIT when connected, bounded, then a hard disconnect. Never throws. */
export async function closeRedisClient(client: RedisClient, timeoutMs = 1_000): Promise<void> {
  if (client.status === 'end') return;
  let timer: NodeJS.Timeout | undefined;
  try {
    if (client.status === 'ready') {
      await Promise.race([client.quit(), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    }
  } catch {
    // already closing or closed: disconnect below settles it
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

function watch(client: RedisClient, log: Logger, name: string): void {
  const warn = logThrottle();
  let failing = false;
  const onError = (err: Error) => {
    failing = true;
    warn((suppressed) => log.warn({ err: { message: err.message }, suppressed }, `${name}: ${err.message}`));
  };
  client.on('error', onError);
  // A Cluster reports each node's connection errors apart from its own.
  if (client instanceof Cluster) client.on('node error', onError);
  let connected = false;
  client.on('close', () => {
    if (!connected) return;
    connected = false;
    failing = true;
    warn((suppressed) => log.warn({ suppressed }, `${name}: connection lost, reconnecting`));
  });
  client.on('ready', () => {
    if (failing) log.info(`${name}: connected again`);
    failing = false;
    connected = true;
  });
}

function parseHostPort(seed: string): ClusterNode {
  const at = seed.lastIndexOf(':');
  const port = Number(seed.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`cache.l2.clusterNodes: expected host:port, got "${seed}"`);
  }
  return { host: seed.slice(0, at), port };
}

/** The URL without its password, for logs. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = 'redacted';
    return u.toString();
  } catch {
    return 'url';
  }
}

/**
 * Waits until the client is connected (for a Cluster: to every node that owns slots), or
 * `timeoutMs` passed: a gateway starting next to its Redis serves its first requests from L2,
 * and one starting without it starts anyway.
 * @returns whether the client is ready
 */
export async function whenReady(client: RedisClient, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  // Polling, not events: a Cluster is ready only once each node's own connection is.
  while (redisState(client) !== 'ok') {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}
