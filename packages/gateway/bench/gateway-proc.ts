/**
 * The gateway as the benchmark runs it: the built `lib/main.js` in its own process on the server
 * core as the image runs it (`node lib/main.js`), with the heap its pod gives it, every feature on (auth with per-key limits, the cache,
 * metrics, access logs at `info` written to /dev/null, tracing at the default 10% sampling
 * exported to a real OTLP endpoint), configured through env and a YAML file as an operator would.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_GATEWAY_MEMORY_MIB, ExternalMetrics, Metrics, workerHeapMiB } from '@llm-edge/semconv';
import { freePort } from '../test/ports.js';
import { startNode, waitHttpOk, type Proc } from './procs.js';

export const BENCH_KEY = 'sk-bench-caller';
/** The built gateway; BENCH_GATEWAY_MAIN measures another build (a patched copy, say) the same way. */
const GATEWAY_MAIN = process.env.BENCH_GATEWAY_MAIN || new URL('../lib/main.js', import.meta.url).pathname;
/** BENCH_GATEWAY_FLAGS: node flags for every gateway, for A/B runs (`--single-threaded-gc`, say). */
const GATEWAY_FLAGS = (process.env.BENCH_GATEWAY_FLAGS ?? '').split(' ').filter(Boolean);
/**
 * BENCH_POD_MEMORY_MIB: the memory of the pod the gateway runs in, the charts' default. The
 * gateway gets the heap the charts give a worker there (`workerHeapMiB`, in NODE_OPTIONS); on
 * this host Node would size the heap for all of its RAM (4 GB, with up to 4x growth between
 * collections), a heap no deployment of the gateway has.
 */
const POD_MEMORY_MIB = Number(process.env.BENCH_POD_MEMORY_MIB ?? DEFAULT_GATEWAY_MEMORY_MIB);

/** NODE_OPTIONS as the charts set it for `workers` workers in a pod of POD_MEMORY_MIB. */
export function deployedNodeOptions(workers: number): string {
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`the bench sizes the heap for a whole number of workers, got ${workers}`);
  return `--max-old-space-size=${workerHeapMiB(POD_MEMORY_MIB, workers)}`;
}

/** BENCH_GATEWAY_ENV: JSON of extra environment for the gateway, e.g. {"LOG_LEVEL":"silent"}. */
const EXTRA_ENV = parseExtraEnv(process.env.BENCH_GATEWAY_ENV);

function parseExtraEnv(text: string | undefined): Record<string, string> {
  if (!text) return {};
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new Error(`BENCH_GATEWAY_ENV must be a JSON object of strings, got ${text}`);
  }
  return value as Record<string, string>;
}

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
  /** Extra environment for this gateway (over BENCH_GATEWAY_ENV). */
  readonly env?: Readonly<Record<string, string>>;
  /** No API keys: the gateway is open, so neither auth nor per-key limits run. */
  readonly openAuth?: boolean;
}

export interface GatewayProc {
  readonly proc: Proc;
  readonly url: string;
  readonly metricsUrl: string;
  /** Sums of the named metric's samples by `label` value (or '' for all), of series whose labels contain `where`. */
  metric(name: string, label?: string, where?: string): Promise<Map<string, number>>;
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
    ...(o.openAuth
      ? []
      : [
          'auth:',
          '  keys:',
          '    - id: bench',
          `      key: ${BENCH_KEY}`,
          '      limits: { requestsPerMinute: 1000000000, tokensPerMinute: 1000000000000 }',
        ]),
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
    nodeFlags: [...GATEWAY_FLAGS, ...(o.nodeFlags ?? [])],
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
      NODE_OPTIONS: deployedNodeOptions(Number(o.env?.LLM_EDGE_WORKERS ?? 1)),
      ...(o.redisUrl ? { REDIS_URL: o.redisUrl } : {}),
      ...EXTRA_ENV,
      ...o.env,
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
    async metric(metricName, label = '', where = '') {
      const text = await (await fetch(metricsUrl)).text();
      return sumSeries(text, metricName, label, where);
    },
    stop: () => proc.stop(),
  };
}

/** Sums the samples of one metric in Prometheus text by the value of `label`, keeping series whose labels contain `where`. */
export function sumSeries(text: string, name: string, label: string, where = ''): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (where && !rest.includes(where)) continue;
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

export interface GcTotals {
  /** GC pauses by kind (major, minor, incremental, weakcb): count and seconds. */
  readonly byKind: Record<string, { count: number; seconds: number }>;
  /** Pauses longer than 100 ms, any kind. */
  readonly over100ms: number;
}

/** prom-client's `nodejs_gc_duration_seconds`, summed by kind. */
export async function gcTotals(gw: GatewayProc): Promise<GcTotals> {
  const name = ExternalMetrics.nodejsGcDurationSeconds;
  const text = await (await fetch(gw.metricsUrl)).text();
  const counts = sumSeries(text, `${name}_count`, 'kind');
  const sums = sumSeries(text, `${name}_sum`, 'kind');
  const buckets = sumSeries(text, `${name}_bucket`, 'le');
  const byKind: Record<string, { count: number; seconds: number }> = {};
  for (const [kind, count] of counts) byKind[kind] = { count, seconds: sums.get(kind) ?? 0 };
  return { byKind, over100ms: (buckets.get('+Inf') ?? 0) - (buckets.get('0.1') ?? 0) };
}

export function gcDelta(after: GcTotals, before: GcTotals): GcTotals {
  const byKind: Record<string, { count: number; seconds: number }> = {};
  for (const [kind, a] of Object.entries(after.byKind)) {
    const b = before.byKind[kind] ?? { count: 0, seconds: 0 };
    byKind[kind] = { count: a.count - b.count, seconds: Math.round((a.seconds - b.seconds) * 1000) / 1000 };
  }
  return { byKind, over100ms: after.over100ms - before.over100ms };
}

/** Cumulative bucket counts of a label-free histogram, by upper bound (Infinity for +Inf). */
export async function histogramBuckets(gw: GatewayProc, name: string): Promise<Map<number, number>> {
  const byLe = await gw.metric(`${name}_bucket`, 'le');
  return new Map([...byLe].map(([le, n]) => [le === '+Inf' ? Infinity : Number(le), n]));
}

/**
 * The q-quantile of what a histogram recorded between two readings, interpolated within its
 * bucket as Prometheus' histogram_quantile does (NaN without samples).
 */
export function quantileBetween(q: number, before: Map<number, number>, after: Map<number, number>): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (!(total > 0)) return NaN;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const le of bounds) {
    const count = (after.get(le) ?? 0) - (before.get(le) ?? 0);
    if (count >= rank) return le === Infinity ? lower : lower + ((le - lower) * (rank - below)) / Math.max(count - below, 1e-9);
    [lower, below] = [le, count];
  }
  return lower;
}

/** Requests answered by cache status, from `llm_edge_requests_total`. */
export async function requestsByCache(gw: GatewayProc): Promise<Map<string, number>> {
  // Answered requests only: those the load generator cut at the end of a run count as 499.
  return gw.metric(Metrics.requestsTotal.name, 'cache', 'status="200"');
}
