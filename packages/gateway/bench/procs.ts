/**
 * The benchmark's processes: each server and load generator runs as its own Node process, pinned
 * to a core with `taskset` where the machine has two or more, and is measured from outside
 * through /proc (CPU ticks, resident memory). Every process started here is stopped when the
 * run ends, fails or is interrupted.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';

const BENCH_DIR = new URL('.', import.meta.url).pathname;
const TSX = ['--import', 'tsx'];

/** Cores by role: the system under test alone on one core, everything else on the other. */
export interface Placement {
  readonly pinned: boolean;
  readonly server: string;
  readonly load: string;
  readonly why: string;
}

export function placement(): Placement {
  const cores = cpus().length;
  let taskset = false;
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    taskset = true;
  } catch {
    taskset = false;
  }
  if (taskset && cores >= 2) {
    return {
      pinned: true,
      server: '0',
      load: String(cores - 1),
      why: `server under test (gateway, floor or ceiling) pinned to core 0; load generator, fake providers, OTLP sink, Redis and the bench runner on core ${cores - 1}`,
    };
  }
  return { pinned: false, server: '', load: '', why: taskset ? 'one core: nothing pinned' : 'taskset not found: nothing pinned' };
}

const live = new Set<ChildProcess>();
function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}: stopping every process it started\n`);
    killAll();
    process.exit(130);
  });
}

export interface Proc {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** The last lines it wrote to stderr, to explain a failure. */
  stderr(): string;
  /** Resolves with the first stdout line that parses as a JSON object. */
  firstJson<T = Record<string, unknown>>(timeoutMs?: number): Promise<T>;
  /** Waits for the process to exit; resolves with the last JSON line it printed. */
  lastJson<T = Record<string, unknown>>(): Promise<T>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  /** Core list for taskset ('' = not pinned). */
  readonly core: string;
  readonly env?: Record<string, string>;
  /** 'json': stdout is read for JSON lines; 'null': stdout goes to /dev/null (the gateway's logs). */
  readonly stdout?: 'json' | 'null';
  /** Extra node flags (`--cpu-prof`, ...). */
  readonly nodeFlags?: readonly string[];
  /** Run under tsx (bench scripts) rather than plain node (the built gateway). */
  readonly tsx?: boolean;
  readonly cwd?: string;
}

/** Starts `node [flags] script args...`, pinned to `core` where it can be. */
export function startNode(name: string, script: string, args: readonly string[], options: StartOptions): Proc {
  const nodeArgs = [...(options.tsx === false ? [] : TSX), ...(options.nodeFlags ?? []), script, ...args];
  const [cmd, argv] = options.core ? ['taskset', ['-c', options.core, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const stdout = options.stdout === 'null' ? openSync('/dev/null', 'w') : 'pipe';
  const child = spawn(cmd, argv, {
    cwd: options.cwd ?? BENCH_DIR,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', stdout, 'pipe'],
  });
  live.add(child);
  let errTail = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    errTail = (errTail + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  const jsonLines: Record<string, unknown>[] = [];
  const waiters: Array<(v: Record<string, unknown>) => void> = [];
  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      try {
        const value = JSON.parse(line) as Record<string, unknown>;
        jsonLines.push(value);
        waiters.splice(0).forEach((w) => w(value));
      } catch {
        // not one of ours
      }
    });
  }
  return {
    name,
    pid: child.pid!,
    child,
    exited,
    stderr: () => errTail,
    async lastJson<T>(): Promise<T> {
      const { code, signal } = await exited;
      const last = jsonLines.at(-1);
      if (last === undefined) throw new Error(`${name} exited (${code ?? signal}) without a JSON result\n${errTail}`);
      return last as T;
    },
    firstJson<T>(timeoutMs = 30_000): Promise<T> {
      if (jsonLines.length > 0) return Promise.resolve(jsonLines[0] as T);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no JSON line on stdout within ${timeoutMs} ms\n${errTail}`)), timeoutMs);
        waiters.push((v) => {
          clearTimeout(timer);
          resolve(v as T);
        });
        void exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited (${code ?? signal}) before printing its result\n${errTail}`));
        });
      });
    },
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs a bench script to completion (killed after `timeoutMs`) and returns the last JSON line it printed. */
export async function runToJson<T>(name: string, script: string, args: readonly string[], options: StartOptions & { timeoutMs: number }): Promise<T> {
  const proc = startNode(name, script, args, options);
  const timer = setTimeout(() => void proc.stop(2_000), options.timeoutMs);
  try {
    return await proc.lastJson<T>();
  } finally {
    clearTimeout(timer);
  }
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU seconds a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
}

/** Resident memory in MB right now. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : 0;
}

export interface Usage {
  readonly cpuSeconds: number;
  /** CPU time over wall time, in percent of one core. */
  readonly cpuPercent: number;
  readonly peakRssMb: number;
  readonly endRssMb: number;
}

/** Measures CPU and peak RSS of `pids` while `fn` runs (RSS polled every 100 ms). */
export async function measure<T>(pids: Record<string, number>, fn: () => Promise<T>): Promise<{ value: T; usage: Record<string, Usage>; wallSeconds: number }> {
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const peaks: Record<string, number> = Object.fromEntries(Object.keys(pids).map((k) => [k, 0]));
  const poll = () => {
    for (const [k, pid] of Object.entries(pids)) {
      try {
        peaks[k] = Math.max(peaks[k]!, rssMb(pid));
      } catch {
        // exited
      }
    }
  };
  poll();
  const timer = setInterval(poll, 100);
  const started = performance.now();
  try {
    const value = await fn();
    const wallSeconds = (performance.now() - started) / 1000;
    poll();
    const usage: Record<string, Usage> = {};
    for (const [k, pid] of Object.entries(pids)) {
      let cpu = 0;
      let end = 0;
      try {
        cpu = cpuSeconds(pid) - before[k]!;
        end = rssMb(pid);
      } catch {
        // exited
      }
      usage[k] = { cpuSeconds: cpu, cpuPercent: (cpu / wallSeconds) * 100, peakRssMb: peaks[k]!, endRssMb: end };
    }
    return { value, usage, wallSeconds };
  } finally {
    clearInterval(timer);
  }
}

/** Polls `url` until it answers 200, or fails with the process's stderr. */
export async function waitHttpOk(url: string, proc: Proc, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited during start-up (${proc.child.exitCode})\n${proc.stderr()}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${proc.name}: ${url} did not answer 200 within ${timeoutMs} ms\n${proc.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
