/**
 * A real `prometheus` binary (Debian's 2.42 at /usr/bin/prometheus) for end-to-end tests: started on
 * a free loopback port in its own temp dir with the files it is given (prometheus.yml and the rule
 * files it names), stopped with SIGTERM (SIGKILL if it lingers) and its dir removed. A server still
 * running when the test process exits is killed, so no test leaks a Prometheus.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrometheusServer {
  /** `http://127.0.0.1:PORT`, the base of the HTTP API. */
  readonly url: string;
  readonly port: number;
  /** The temp dir holding the config, the rule files and the TSDB. */
  readonly dir: string;
  /** The tail of Prometheus's log, to explain a failure. */
  logTail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; removes the dir. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartPrometheusOptions {
  /** File name -> content, written into the temp dir. Must contain `prometheus.yml`. */
  readonly files: Readonly<Record<string, string>>;
  /** @default 'prometheus' (found on the PATH) */
  readonly binary?: string;
  /** How long to wait for `/-/ready`. @default 30_000 */
  readonly readyTimeoutMs?: number;
}

const HOST = '127.0.0.1';
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts Prometheus and waits until it reports ready.
 * @example
 * const prom = await startPrometheus({ files: { 'prometheus.yml': config, 'alerts.yml': rules } });
 * await fetch(`${prom.url}/api/v1/targets`);
 * await prom.stop();
 */
export async function startPrometheus(opts: StartPrometheusOptions): Promise<PrometheusServer> {
  if (opts.files['prometheus.yml'] === undefined) throw new Error('startPrometheus: files must contain "prometheus.yml"');
  const dir = await mkdtemp(join(tmpdir(), 'llm-edge-prometheus-'));
  for (const [name, content] of Object.entries(opts.files)) await writeFile(join(dir, name), content);
  const port = await freePort();
  const url = `http://${HOST}:${port}`;
  const proc = spawn(
    opts.binary ?? 'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--storage.tsdb.retention.time=1h',
      `--web.listen-address=${HOST}:${port}`,
      '--web.enable-lifecycle',
      '--log.level=warn',
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
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
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (spawnError) {
      await stop();
      throw new Error(`startPrometheus: could not run ${opts.binary ?? 'prometheus'} (Debian: apt-get install prometheus): ${spawnError.message}`);
    }
    if (proc.exitCode !== null || proc.signalCode !== null) {
      await stop();
      throw new Error(`startPrometheus: prometheus exited during start-up (code ${proc.exitCode}):\n${log}`);
    }
    if (await isReady(url)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`startPrometheus: ${url}/-/ready did not answer 200 within ${opts.readyTimeoutMs ?? 30_000} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, port, dir, logTail: () => log, stop };
}

async function isReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** A port the OS just handed out and released (the port 0 trick). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
