/**
 * A real server binary for end-to-end tests (Prometheus, Alertmanager, the redis exporter), started
 * on a free loopback port in its own temp dir with the files it is given, ready once an HTTP path
 * answers 200, stopped with SIGTERM (SIGKILL if it lingers) and its dir removed. A server still
 * running when the test process exits is killed, so no test leaks a process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, LOOPBACK } from '../../../packages/gateway/test/ports.js';

export const HOST = LOOPBACK;

export interface LoopbackServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** `127.0.0.1:PORT`, as scrape and alerting configs name it. */
  readonly address: string;
  /** The temp dir holding its files and data. */
  readonly dir: string;
  /** The tail of the server's log, to explain a failure. */
  logTail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; removes the dir. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartLoopbackServerOptions {
  /** The binary, found on the PATH unless absolute. */
  readonly binary: string;
  /** Where to get it when it is missing, for the error message (e.g. "Debian: apt-get install prometheus"). */
  readonly installHint: string;
  /** Its arguments, given the temp dir and the port it must listen on (on 127.0.0.1). */
  readonly args: (server: { readonly dir: string; readonly port: number; readonly host: string }) => string[];
  /** File name -> content, written into the temp dir first. @default {} */
  readonly files?: Readonly<Record<string, string>>;
  /** A path that answers 200 once the server can serve, e.g. `/-/ready`. */
  readonly readyPath: string;
  /** @default 30_000 */
  readonly readyTimeoutMs?: number;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts a server binary on a free loopback port and waits until `readyPath` answers 200.
 * @example
 * const am = await startLoopbackServer({
 *   binary: 'prometheus-alertmanager', installHint: 'Debian: apt-get install prometheus-alertmanager',
 *   args: ({ dir, host, port }) => [`--web.listen-address=${host}:${port}`, `--storage.path=${dir}`],
 *   readyPath: '/-/ready',
 * });
 * await am.stop();
 */
export async function startLoopbackServer(opts: StartLoopbackServerOptions): Promise<LoopbackServer> {
  const dir = await mkdtemp(join(tmpdir(), `llm-edge-${opts.binary.replace(/\W+/g, '-')}-`));
  for (const [name, content] of Object.entries(opts.files ?? {})) await writeFile(join(dir, name), content);
  const port = await freePort();
  const url = `http://${HOST}:${port}`;
  const proc = spawn(opts.binary, opts.args({ dir, port, host: HOST }), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(proc);
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-8000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.once('exit', () => running.delete(proc));
  let spawnError: Error | undefined;
  proc.once('error', (err) => {
    spawnError = err;
  });

  let stopped = false;
  const stop = async (graceMs = 5_000): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (proc.exitCode === null && proc.signalCode === null && spawnError === undefined) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  const readyTimeoutMs = opts.readyTimeoutMs ?? 30_000;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (spawnError) {
      await stop();
      throw new Error(`could not run ${opts.binary} (${opts.installHint}): ${spawnError.message}`);
    }
    if (proc.exitCode !== null || proc.signalCode !== null) {
      await stop();
      throw new Error(`${opts.binary} exited during start-up (code ${proc.exitCode}):\n${log}`);
    }
    if (await answers200(url + opts.readyPath)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${opts.binary}: ${url}${opts.readyPath} did not answer 200 within ${readyTimeoutMs} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, port, address: `${HOST}:${port}`, dir, logTail: () => log, stop };
}

async function answers200(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}
