/**
 * A real `prometheus` binary (Debian's 2.42 at /usr/bin/prometheus) for end-to-end tests: started on
 * a free loopback port in its own temp dir with the files it is given (prometheus.yml and the rule
 * files it names), stopped with SIGTERM (SIGKILL if it lingers) and its dir removed.
 */
import { join } from 'node:path';
import { startLoopbackServer, type LoopbackServer } from './loopback-server.js';

export type PrometheusServer = LoopbackServer;

export interface StartPrometheusOptions {
  /** File name -> content, written into the temp dir. Must contain `prometheus.yml`. */
  readonly files: Readonly<Record<string, string>>;
  /** @default 'prometheus' (found on the PATH) */
  readonly binary?: string;
  /** How long to wait for `/-/ready`. @default 30_000 */
  readonly readyTimeoutMs?: number;
}

/**
 * Starts Prometheus and waits until it reports ready.
 * @example
 * const prom = await startPrometheus({ files: { 'prometheus.yml': config, 'alerts.yml': rules } });
 * await fetch(`${prom.url}/api/v1/targets`);
 * await prom.stop();
 */
export async function startPrometheus(opts: StartPrometheusOptions): Promise<PrometheusServer> {
  if (opts.files['prometheus.yml'] === undefined) throw new Error('startPrometheus: files must contain "prometheus.yml"');
  return startLoopbackServer({
    binary: opts.binary ?? 'prometheus',
    installHint: 'Debian: apt-get install prometheus',
    files: opts.files,
    args: ({ dir, host, port }) => [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--storage.tsdb.retention.time=1h',
      `--web.listen-address=${host}:${port}`,
      '--web.enable-lifecycle',
      '--log.level=warn',
    ],
    readyPath: '/-/ready',
    readyTimeoutMs: opts.readyTimeoutMs,
  });
}
