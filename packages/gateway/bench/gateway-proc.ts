/**
 * The gateway as the benchmark runs it: the built `lib/main.js` in its own process on the server
 * core, every feature on (auth with per-key limits, the cache, metrics, access logs at `info`
 * written to /dev/null, tracing at the default 10% sampling exported to a real OTLP endpoint),
 * configured through env and a YAML file as an operator would.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metrics } from '@llm-edge/semconv';
import { freePort, startNode, waitHttpOk, type Proc } from './procs.js';

export const BENCH_KEY = 'sk-bench-caller';
const GATEWAY_MAIN = new URL('../lib/main.js', import.meta.url).pathname;

export interface Upstreams {
  readonly openai: string;
  readonly anthropic: string;
  readonly slow: string;
  readonly otlp: string;
}

export interface GatewayOptions {
  readonly core: string;
  readonly upstreams: Upstreams;
  readonly redisUrl?: string;
  readonly l1MaxEntries?: number;
  readonly l1MaxBytes?: number;
  /** Extra node flags, e.g. `--cpu-prof`. */
  readonly nodeFlags?: readonly string[];
}

export interface GatewayProc {
  readonly proc: Proc;
  readonly url: string;
  readonly metricsUrl: string;
  /** Sums of the named metric's samples by `label` value (or '' for all). */
  metric(name: string, label?: string): Promise<Map<string, number>>;
  stop(): Promise<void>;
}

export function gatewayConfigYaml(o: GatewayOptions): string {
  return [
    'providers:',
    '  slow:',
    '    type: openai-compatible',
    `    baseUrl: ${o.upstreams.slow}/v1`,
    '    apiKey: sk-fake-openai',
    '    models: [bench-slow]',
    '    connections: 2048',
    'auth:',
    '  keys:',
    '    - id: bench',
    `      key: ${BENCH_KEY}`,
    '      limits: { requestsPerMinute: 1000000000, tokensPerMinute: 1000000000000 }',
    'cache:',
    `  l1: { maxEntries: ${o.l1MaxEntries ?? 100_000}, maxBytes: ${o.l1MaxBytes ?? 16 * 1024 * 1024} }`,
    '',
  ].join('\n');
}

export async function startGatewayProc(name: string, o: GatewayOptions): Promise<GatewayProc> {
  const dir = mkdtempSync(join(tmpdir(), 'llm-edge-bench-'));
  const configPath = join(dir, 'gateway.yaml');
  writeFileSync(configPath, gatewayConfigYaml(o));
  const [port, metricsPort] = [await freePort(), await freePort()];
  const proc = startNode(name, GATEWAY_MAIN, [], {
    core: o.core,
    tsx: false,
    stdout: 'null',
    nodeFlags: o.nodeFlags,
    cwd: dir,
    env: {
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      OPENAI_BASE_URL: `${o.upstreams.openai}/v1`,
      OPENAI_API_KEY: 'sk-fake-openai',
      ANTHROPIC_BASE_URL: o.upstreams.anthropic,
      ANTHROPIC_API_KEY: 'sk-ant-fake',
      OTEL_EXPORTER_OTLP_ENDPOINT: o.upstreams.otlp,
      LOG_LEVEL: 'info',
      LLM_EDGE_CONFIG: configPath,
      ...(o.redisUrl ? { REDIS_URL: o.redisUrl } : {}),
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  try {
    await waitHttpOk(`${url}/ready`, proc);
  } catch (err) {
    await proc.stop(1_000);
    throw err;
  }
  return {
    proc,
    url,
    metricsUrl,
    async metric(metricName, label = '') {
      const text = await (await fetch(metricsUrl)).text();
      return sumSeries(text, metricName, label);
    },
    stop: () => proc.stop(),
  };
}

/** Sums the samples of one metric in Prometheus text by the value of `label`. */
export function sumSeries(text: string, name: string, label: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    let key = '';
    if (label) {
      const m = new RegExp(`${label}="([^"]*)"`).exec(rest);
      key = m ? m[1]! : '';
    }
    out.set(key, (out.get(key) ?? 0) + value);
  }
  return out;
}

/** Requests answered by cache status, from `llm_edge_requests_total`. */
export async function requestsByCache(gw: GatewayProc): Promise<Map<string, number>> {
  return gw.metric(Metrics.requestsTotal.name, 'cache');
}
