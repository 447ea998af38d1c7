/**
 * V8's helper threads (concurrent marking, parallel scavenging, sweeping) run below the thread
 * that serves requests.
 *
 * Why: on a core the gateway has to itself (a pod with a CPU limit of one, or a pinned process),
 * those threads take the core from the main thread while a mark-compact marks: the event loop
 * stops for tens of milliseconds and requests due then wait. Measured with paced misses at 1,000
 * req/s on one pinned core, every feature on (bench/README.md, "The tail"): p99 added 7 ms at
 * equal priority, 2.4-2.7 ms at nice 10, 1.5 ms at nice 19. Why 10, not 19: at saturation the helpers
 * then get almost no time, the main thread ends up doing their work, and misses fell from ~5,700
 * to ~4,000 req/s on a gateway filling its L1 (nice 10: ~5,800). They still get every idle moment
 * of the core, and all of any other core.
 *
 * Which threads: Node's platform starts them while the process starts, before any JavaScript or
 * libuv's thread pool: one delayed-task scheduler, then `--v8-pool-size` workers (4 by default).
 * Linux numbers threads in the order they start, so they are the first ids after the process's
 * own; `os.setPriority` with a thread id changes that thread alone. Anything else (no /proc, an
 * unknown pool size) leaves every thread as it is.
 */
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

const DEFAULT_POOL_SIZE = 4;

/** `LLM_EDGE_GC_THREAD_NICE`: 0 (off) to 19; 10 when unset. */
export function gcThreadNice(value: string | undefined): number {
  const v = value?.trim() || '10';
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 19) throw new Error(`LLM_EDGE_GC_THREAD_NICE: expected a whole number from 0 (off) to 19, got "${value}"`);
  return n;
}

/**
 * The platform's pool size from `--v8-pool-size` (`=N` or ` N`; NODE_OPTIONS, then the command
 * line, which wins), if knowable.
 */
export function v8PoolSize(execArgv: readonly string[], nodeOptions = ''): number | undefined {
  let size = DEFAULT_POOL_SIZE;
  const args = [...nodeOptions.split(/\s+/), ...execArgv];
  args.forEach((arg, i) => {
    const value = arg === '--v8-pool-size' ? args[i + 1] : /^--v8-pool-size=(.*)$/.exec(arg)?.[1];
    if (value !== undefined && /^\d+$/.test(value)) size = Number(value);
  });
  // 0 lets Node size the pool from the machine; which threads it made is then a guess.
  return size > 0 ? size : undefined;
}

/** The ids of the platform's threads: the first `poolSize + 1` after the process's own. */
export function platformThreads(pid: number, taskIds: readonly number[], poolSize: number): number[] {
  return taskIds
    .filter((id) => id > pid)
    .sort((a, b) => a - b)
    .slice(0, poolSize + 1);
}

/**
 * Lowers V8's helper threads to `nice`; returns how many were lowered (0 where it does not
 * apply). Never throws: a thread it cannot change stays as it is.
 */
export function lowerGcThreads(nice: number): number {
  if (nice === 0 || process.platform !== 'linux') return 0;
  const poolSize = v8PoolSize(process.execArgv, process.env.NODE_OPTIONS);
  if (poolSize === undefined) return 0;
  let ids: number[];
  try {
    ids = readdirSync('/proc/self/task').map(Number);
  } catch {
    return 0;
  }
  let lowered = 0;
  for (const id of platformThreads(process.pid, ids, poolSize)) {
    try {
      setPriority(id, nice);
      lowered++;
    } catch {
      // gone or not ours to change: leave it
    }
  }
  return lowered;
}
