// Real redis-server processes for the gateway's tests: standalone servers and small clusters on
// free loopback ports, each in its own temp dir, persisting nothing by default. A server can be
// SIGKILLed and restarted on the same port, which is how tests prove the gateway survives a Redis
// outage and reconnects by itself.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, LOOPBACK, portIsFree } from './ports.js';

const run = promisify(execFile);

export interface RedisServer {
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  /** SIGKILL, as a crash would; the port and dir are kept for `restart()`. */
  kill(): Promise<void>;
  /** Starts the server again on the same port, in the same dir, and waits until it answers. */
  restart(): Promise<void>;
  /** Stops the server and removes its dir. Safe to call twice. */
  stop(): Promise<void>;
}

export interface RedisClusterHandle {
  readonly nodes: RedisServer[];
  /** `127.0.0.1:PORT` of every node: the seeds for an ioredis Cluster. */
  readonly seeds: string[];
  stop(): Promise<void>;
}

export interface StartRedisOptions {
  /** Extra redis-server arguments (`['--maxmemory', '1mb']`), after the defaults. */
  readonly args?: string[];
}

const HOST = LOOPBACK;
const READY_TIMEOUT_MS = 10_000;
/** Servers still running when the test process exits are killed, so no test leaks a redis-server. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts a standalone redis-server on a free loopback port.
 * @example
 * const redis = await startRedis();
 * const client = new Redis(redis.url);
 * await redis.stop();
 */
export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisServer> {
  return startServer(await freePort(), opts.args ?? []);
}

/**
 * Starts `size` cluster-enabled nodes (masters only, no replicas), forms the cluster with
 * `redis-cli --cluster create` and waits until every node reports `cluster_state:ok`.
 * Nodes run with `cluster-require-full-coverage no`, as a cache cluster should: with a node down,
 * the slots of the other nodes keep serving.
 */
export async function startRedisCluster(size = 3, opts: StartRedisOptions = {}): Promise<RedisClusterHandle> {
  if (!Number.isInteger(size) || size < 3) throw new Error(`startRedisCluster: size must be an integer >= 3 (redis-cli needs 3 masters), got ${size}`);
  const args = [
    '--cluster-enabled', 'yes',
    '--cluster-config-file', 'nodes.conf',
    '--cluster-node-timeout', '2000',
    '--cluster-require-full-coverage', 'no',
    ...(opts.args ?? []),
  ];
  const nodes: RedisServer[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < size; i++) ports.push(await freeClusterPort(ports));
    nodes.push(...(await Promise.all(ports.map((p) => startServer(p, args)))));
    const seeds = nodes.map((n) => `${HOST}:${n.port}`);
    await run('redis-cli', ['--cluster', 'create', ...seeds, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    await Promise.all(nodes.map((n) => waitFor(() => clusterOk(n.port), `cluster_state:ok on ${HOST}:${n.port}`, 20_000)));
    return {
      nodes,
      seeds,
      async stop() {
        await Promise.all(nodes.map((n) => n.stop()));
      },
    };
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw err;
  }
}

async function startServer(port: number, extraArgs: string[]): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'llm-edge-redis-'));
  const args = [
    '--port', String(port),
    '--bind', HOST,
    '--dir', dir,
    '--save', '',
    '--appendonly', 'no',
    '--daemonize', 'no',
    '--loglevel', 'warning',
    ...extraArgs,
  ];
  let child: ChildProcess | undefined;
  let output = '';
  let stopped = false;

  const launch = async () => {
    output = '';
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    running.add(proc);
    // Keep only the tail: enough to explain a failed start.
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.once('exit', () => running.delete(proc));
    proc.once('error', (err) => {
      output += `\n${err.message}`;
    });
    const ready = waitFor(() => ping(port), `redis-server on ${HOST}:${port} to answer PING`, READY_TIMEOUT_MS);
    const died = exited.then(() => {
      throw new Error(`redis-server on port ${port} exited during start-up:\n${output}`);
    });
    // Once ready, the later exit (kill, stop) must not surface as an unhandled rejection.
    died.catch(() => undefined);
    await Promise.race([ready, died]);
  };

  const halt = async (signal: NodeJS.Signals) => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  await launch().catch(async (err) => {
    await halt('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw err;
  });

  return {
    host: HOST,
    port,
    url: `redis://${HOST}:${port}`,
    kill: () => halt('SIGKILL'),
    async restart() {
      if (stopped) throw new Error(`redis-server on port ${port} was stopped; start a new one`);
      await halt('SIGKILL');
      await launch();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A free port whose cluster bus port (port + 10000) is free too. */
async function freeClusterPort(taken: readonly number[]): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = await freePort();
    if (port >= 55_000 || taken.includes(port) || taken.includes(port + 10_000)) continue;
    if (await portIsFree(port + 10_000)) return port;
  }
  throw new Error('startRedisCluster: found no free port below 55000 whose bus port (+10000) is free');
}

async function ping(port: number): Promise<boolean> {
  try {
    const { stdout } = await run('redis-cli', ['-h', HOST, '-p', String(port), 'ping'], { timeout: 2_000 });
    // A server with requirepass answers NOAUTH: it is up all the same.
    return /PONG|NOAUTH/.test(stdout);
  } catch {
    return false;
  }
}

async function clusterOk(port: number): Promise<boolean> {
  try {
    const { stdout } = await run('redis-cli', ['-h', HOST, '-p', String(port), 'cluster', 'info'], { timeout: 2_000 });
    return /cluster_state:ok/.test(stdout);
  } catch {
    return false;
  }
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
