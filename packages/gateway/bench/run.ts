/**
 * `pnpm bench`: the gateway measured against the two references of DESIGN.md's Performance
 * section, in one run, on this machine. Prints a table, writes `results/latest.json` and the
 * README's Performance section. Targets are reported (met, or missed by how much), never asserted:
 * the run fails only when it cannot measure.
 *
 * Environment (all optional):
 *   BENCH_ONLY=miss,l1          runs to do (default all): direct floor ceiling miss anthropic l1 l2
 *                               stream latency costs hold soak faults profile
 *   BENCH_SECONDS=10            length of each throughput run (after BENCH_WARMUP_SECONDS=2)
 *   BENCH_CONNECTIONS=50        concurrent connections of the load generator
 *   BENCH_SOAK_SECONDS=600      the soak; BENCH_SOAK_RATE=1000 requests/s of unique prompts
 *   BENCH_STREAMS=1000          streams held open at once
 *   BENCH_FAULT_SECONDS=30      each fault run
 *   BENCH_PROFILE=0             skip the --cpu-prof runs
 *   BENCH_WRITE=1               write latest.json and the README even for a partial run
 *   BENCH_L1_MAX_BYTES=16777216 the L1 bound of every gateway here
 *   BENCH_GATEWAY_MAIN=path     measure another build of the gateway (a patched copy of lib/)
 *   BENCH_GATEWAY_ENV='{"LOG_LEVEL":"silent"}'   extra environment for the gateway
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { CacheStatus, CacheTier, ExternalMetrics, Metrics } from '@llm-edge/semconv';
import { startRedis, type RedisServer } from '../test/redis.js';
import { BENCH_KEY, gcDelta, gcTotals, histogramBuckets, quantileBetween, requestsByCache, startGatewayProc, type GcTotals, type GatewayProc, type Upstreams } from './gateway-proc.js';
import type { LoadResult, LoadSpec } from './load.js';
import { cpuSeconds, measure, placement, rssMb, runToJson, startNode, type Proc, type Usage } from './procs.js';
import { summariseFile, type ProfileSummary } from './profile.js';
import { featureCosts, type FeatureCost } from './costs.js';
import { atLeast, atMost, toMarkdown, toText, writeReadmeSection, type Report, type RunRow, type TailRow, type Target } from './report.js';
import type { HoldResult, StreamSpec, TtfbResult } from './streams.js';

const env = process.env;
const num = (name: string, dflt: number) => {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${v}"`);
  return n;
};
const SECONDS = num('BENCH_SECONDS', 10);
const WARMUP = num('BENCH_WARMUP_SECONDS', 2);
const CONNECTIONS = num('BENCH_CONNECTIONS', 50);
const SOAK_SECONDS = num('BENCH_SOAK_SECONDS', 600);
const SOAK_RATE = num('BENCH_SOAK_RATE', 1000);
const HOLD_STREAMS = num('BENCH_STREAMS', 1000);
const FAULT_SECONDS = num('BENCH_FAULT_SECONDS', 30);
/** Warm-up of the paced tail runs: a fresh process runs unoptimised code for its first seconds under load. */
const TAIL_WARMUP = num('BENCH_TAIL_WARMUP_SECONDS', 10);
/** Paced rates of the tail run: req/s, or `half` (of the miss path's saturation). */
const TAIL_RATES = (env.BENCH_TAIL_RATES ?? '1000,half').split(',').map((r) => r.trim());
for (const r of TAIL_RATES) if (r !== 'half' && !(Number(r) > 0)) throw new Error(`BENCH_TAIL_RATES: "${r}" is neither a rate nor half`);
const PROFILE = env.BENCH_PROFILE !== '0';
const ALL = ['direct', 'floor', 'ceiling', 'miss', 'anthropic', 'l1', 'l2', 'stream', 'latency', 'costs', 'hold', 'workers', 'soak', 'faults', 'profile'] as const;
type RunName = (typeof ALL)[number];
const ONLY = env.BENCH_ONLY ? env.BENCH_ONLY.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
for (const name of ONLY ?? []) if (!(ALL as readonly string[]).includes(name)) throw new Error(`BENCH_ONLY: unknown run "${name}"; known: ${ALL.join(', ')}`);
const selected = (name: RunName) => (ONLY ? ONLY.includes(name) : name !== 'profile' || PROFILE);
const WRITE = env.BENCH_WRITE === '1' || (ONLY === undefined && !env.BENCH_GATEWAY_MAIN && !env.BENCH_GATEWAY_ENV);
/** L1 bound of every gateway here: small, so the soak proves it holds. */
const L1_MAX_BYTES = num('BENCH_L1_MAX_BYTES', 16 * 1024 * 1024);
const L2_KEYS = 1000;
/** The whole run is bounded: everything is stopped past this. */
const DEADLINE_MS = (20 * 60 + SOAK_SECONDS + 4 * FAULT_SECONDS) * 1000;

const HERE = new URL('.', import.meta.url).pathname;
const RESULTS = join(HERE, 'results');
const README = join(HERE, '../../../README.md');

const place = placement();
if (place.pinned) {
  // The runner (and Redis, which it starts) share the load core; the server core stays quiet.
  execFileSync('taskset', ['-a', '-pc', place.load, String(process.pid)], { stdio: 'ignore' });
}
const runId = Date.now().toString(36);
const notes: string[] = [];
const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

const JSON_HEADERS = { 'content-type': 'application/json' };
const GATEWAY_HEADERS = { ...JSON_HEADERS, authorization: `Bearer ${BENCH_KEY}` };
const FAKE_HEADERS = { ...JSON_HEADERS, authorization: 'Bearer sk-fake-openai' };
/** A short chat prompt; `{{n}}` makes it unique per request. */
const chatBody = (model: string, stream = false) =>
  JSON.stringify({ model, ...(stream ? { stream: true } : {}), messages: [{ role: 'system', content: 'You are a concise assistant.' }, { role: 'user', content: 'bench {{n}} what is the capital of France and why is it famous' }] });

interface Shared {
  readonly fake: Proc;
  readonly sink: Proc;
  readonly upstreams: Upstreams;
}

/** One throughput run: the load process on the load core, CPU and RSS of the server under test. */
async function loadRun(label: string, name: string, server: Proc, fake: Proc, spec: Omit<LoadSpec, 'connections' | 'seconds' | 'warmupSeconds'> & Partial<LoadSpec>, gw?: GatewayProc, onMeasuring?: () => Promise<unknown>): Promise<RunRow & { load: LoadResult; usage: Record<string, Usage> }> {
  const full: LoadSpec = { connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP, prefix: `${runId}-${name}`, ...spec };
  log(`${label}: ${full.seconds} s${full.rate ? ` at ${Math.round(full.rate)} req/s` : ''}, ${full.connections} connections`);
  const before = gw ? await requestsByCache(gw) : undefined;
  const gcBefore = gw ? await gcTotals(gw) : undefined;
  const proc = startNode(`load ${name}`, 'load.ts', [JSON.stringify(full)], { core: place.load });
  const timer = setTimeout(() => void proc.stop(2_000), (full.seconds + full.warmupSeconds) * 1000 + 60_000);
  try {
    await proc.firstJson();
    await onMeasuring?.();
    const pids: Record<string, number> = { server: server.pid, load: proc.pid };
    if (fake.pid !== server.pid) pids.fake = fake.pid;
    const { value: load, usage } = await measure(pids, () => proc.lastJson<LoadResult>());
    let cache: Record<string, number> | undefined;
    let gc: GcTotals | undefined;
    if (gw && gcBefore) gc = gcDelta(await gcTotals(gw), gcBefore);
    if (gw && before) {
      const after = await requestsByCache(gw);
      cache = Object.fromEntries([...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)]).filter(([, v]) => (v as number) > 0));
    }
    const failures = load.errors + load.non2xx + load.timeouts;
    const row = {
      name,
      label,
      rps: load.rps,
      latencyMs: load.latencyMs,
      requests: load.requests,
      failures,
      cpuMsPer1k: load.requests > 0 ? (usage.server!.cpuSeconds * 1e6) / load.requests : NaN,
      cpuPercent: usage.server!.cpuPercent,
      peakRssMb: usage.server!.peakRssMb,
      // The load process has exited when its result arrives: it reports its own CPU.
      loadCpuPercent: (load.cpuSeconds / load.seconds) * 100,
      fakeCpuPercent: usage.fake?.cpuPercent ?? usage.server!.cpuPercent,
      ...(cache ? { cache } : {}),
      ...(gc ? { gc } : {}),
    };
    log(`  ${Math.round(row.rps)} req/s, p99 ${row.latencyMs.p99.toFixed(2)} ms, server CPU ${row.cpuPercent.toFixed(0)}%, load CPU ${row.loadCpuPercent.toFixed(0)}%, failed ${failures}${cache ? `, cache ${JSON.stringify(cache)}` : ''}${gc ? `, GC ${Object.entries(gc.byKind).map(([k, v]) => `${k} ${v.count}x/${v.seconds}s`).join(' ')}, pauses > 100 ms: ${gc.over100ms}` : ''}`);
    if (row.loadCpuPercent > 90) notes.push(`${label}: the load generator used ${row.loadCpuPercent.toFixed(0)}% of its core, so this figure may be bound by the client, not the server.`);
    return { ...row, load, usage };
  } finally {
    clearTimeout(timer);
  }
}

async function startHelper(name: string, script: string, args: string[], core: string): Promise<{ proc: Proc; url: string }> {
  const proc = startNode(name, script, args, { core });
  const { url } = await proc.firstJson<{ url: string }>();
  return { proc, url };
}

async function streamClient<T>(name: string, spec: StreamSpec, pids: Record<string, number>): Promise<{ value: T; usage: Record<string, Usage> }> {
  const proc = startNode(name, 'streams.ts', [JSON.stringify(spec)], { core: place.load });
  const timer = setTimeout(() => void proc.stop(2_000), spec.seconds * 1000 + 60_000);
  try {
    await proc.firstJson();
    return await measure({ ...pids, client: proc.pid }, () => proc.lastJson<T>());
  } finally {
    clearTimeout(timer);
  }
}

async function machine(): Promise<Record<string, string | number>> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  return {
    cpu: model,
    cores: cpus().length,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    node: process.versions.node,
    kernel: release(),
    loadBefore: loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const watchdog = setTimeout(() => {
    log(`the run passed its ${DEADLINE_MS / 60000} minute bound: stopping everything`);
    process.exit(2);
  }, DEADLINE_MS);
  watchdog.unref();
  const mach = await machine();
  log(`${mach.cpu}, ${mach.cores} cores, Node ${mach.node}, load average ${mach.loadBefore}; ${place.why}`);
  if (!place.pinned) notes.push(`Nothing was pinned (${place.why}): figures mix the server and the load on the same cores.`);
  const fdLimit = Number(execFileSync('sh', ['-c', 'ulimit -n']).toString().trim());
  if (fdLimit < HOLD_STREAMS * 3) notes.push(`The open-files limit (${fdLimit}) is below ${HOLD_STREAMS * 3}: the held-streams run may hit EMFILE.`);

  const fake = startNode('fake providers', 'servers/fake-providers.ts', ['100'], { core: place.load });
  const fakeUrls = await fake.firstJson<{ openai: string; anthropic: string; slow: string }>();
  const sink = await startHelper('otlp sink', 'servers/otlp-sink.ts', [], place.load);
  const upstreams: Upstreams = { ...fakeUrls, otlp: sink.url };
  const shared: Shared = { fake, sink: sink.proc, upstreams };
  const runs: RunRow[] = [];
  const results: Partial<Report> & { streaming?: Record<string, unknown>; tail?: TailRun[]; workers?: WorkerScaling[]; featureCosts?: FeatureCost[]; hold?: HoldResult & Record<string, unknown>; soak?: Record<string, unknown>; faults?: Record<string, unknown> } = {};
  const profiles: Record<string, ProfileSummary> = {};
  const openaiPath = `${fakeUrls.openai}/v1/chat/completions`;
  const row = (name: string) => runs.find((r) => r.name === name);

  try {
    // (a) the fake provider alone: what every other figure sits on.
    if (selected('direct') || selected('latency')) {
      runs.push(await loadRun('direct to fake provider', 'direct', fake, fake, { url: openaiPath, headers: FAKE_HEADERS, body: chatBody('gpt-4o-mini'), mode: 'unique' }));
    }

    // (b) the pass-through floor, JSON and SSE.
    if (selected('floor') || selected('stream')) {
      const floor = await startHelper('floor', 'servers/floor.ts', [fakeUrls.openai, '', 'sk-fake-openai'], place.server);
      try {
        runs.push(await loadRun('floor: node:http + undici Pool pass-through', 'floor', floor.proc, fake, { url: `${floor.url}/v1/chat/completions`, headers: JSON_HEADERS, body: chatBody('gpt-4o-mini'), mode: 'unique' }));
        if (selected('stream')) {
          runs.push(await loadRun('floor, streamed (SSE)', 'floor-stream', floor.proc, fake, { url: `${floor.url}/v1/chat/completions`, headers: JSON_HEADERS, body: chatBody('gpt-4o-mini', true), mode: 'unique' }));
        }
      } finally {
        await floor.proc.stop();
      }
    }

    // (b) the fixed-body ceiling, answering the bytes an L1 hit answers.
    if (selected('ceiling') || selected('l1')) {
      const sample = await fetch(openaiPath, { method: 'POST', headers: FAKE_HEADERS, body: chatBody('gpt-4o-mini').replace('{{n}}', 'fixed') });
      const bytes = Buffer.from(await sample.arrayBuffer());
      const ceiling = await startHelper('ceiling', 'servers/ceiling.ts', [bytes.toString('base64')], place.server);
      try {
        runs.push(await loadRun(`ceiling: fixed ${bytes.length}-byte body`, 'ceiling', ceiling.proc, fake, { url: `${ceiling.url}/v1/chat/completions`, headers: JSON_HEADERS, body: chatBody('gpt-4o-mini').replace('{{n}}', 'fixed'), mode: 'fixed' }));
      } finally {
        await ceiling.proc.stop();
      }
    }

    // (c, d, f, g) the gateway without Redis.
    if (['miss', 'anthropic', 'l1', 'stream', 'latency', 'hold'].some((n) => selected(n as RunName))) {
      const gw = await startGatewayProc('gateway', { core: place.server, upstreams, l1MaxBytes: L1_MAX_BYTES });
      try {
        await gatewayRuns(gw, shared, runs, results);
      } finally {
        await gw.stop();
      }
    }

    // (d) L1 hits again on a fresh gateway whose L1 holds the one entry: what a full L1 costs a hit.
    if (selected('l1')) {
      const gw = await startGatewayProc('gateway (fresh)', { core: place.server, upstreams, l1MaxBytes: L1_MAX_BYTES });
      try {
        const url = `${gw.url}/v1/chat/completions`;
        const body = chatBody('gpt-4o-mini').replace('{{n}}', 'fixed');
        await (await fetch(url, { method: 'POST', headers: GATEWAY_HEADERS, body })).arrayBuffer();
        runs.push(await loadRun('gateway, L1 hit, fresh gateway (L1 holds 1 entry)', 'l1-fresh', gw.proc, fake, { url, headers: GATEWAY_HEADERS, body, mode: 'fixed' }, gw));
      } finally {
        await gw.stop();
      }
    }

    // What each feature costs an L1 hit: fresh gateways with one feature off at a time.
    if (selected('costs')) {
      results.featureCosts = await featureCosts(async (label, name, options) => {
        const gw = await startGatewayProc(`gateway (${name})`, { core: place.server, upstreams, l1MaxBytes: L1_MAX_BYTES, ...options });
        try {
          const url = `${gw.url}/v1/chat/completions`;
          const body = chatBody('gpt-4o-mini').replace('{{n}}', 'fixed');
          await (await fetch(url, { method: 'POST', headers: GATEWAY_HEADERS, body })).arrayBuffer();
          return await loadRun(label, name, gw.proc, fake, { url, headers: GATEWAY_HEADERS, body, mode: 'fixed' }, gw);
        } finally {
          await gw.stop();
        }
      });
    }

    // Throughput per worker count: LLM_EDGE_WORKERS=1 on the server core, then one worker per core.
    if (selected('workers')) results.workers = await workerRuns(shared);

    // (e) L2 hits on a real Redis: L1 holds one entry, so nearly every lookup goes to Redis.
    if (selected('l2')) await l2Runs(shared, runs);

    // (h) memory over the soak.
    if (selected('soak')) results.soak = await soak(shared);

    if (selected('faults')) results.faults = await faults();

    if (selected('profile')) {
      for (const kind of ['miss', 'l1'] as const) {
        const p = await profileRun(shared, kind);
        if (p) profiles[kind === 'miss' ? 'gateway cache miss' : 'gateway L1 hit'] = p;
      }
    }
  } finally {
    await Promise.all([fake.stop(), sink.proc.stop()]);
  }

  // Ratios and targets, from figures of this run only.
  const r = (name: string) => row(name);
  const ratio = (a?: RunRow, b?: RunRow, f: (x: RunRow) => number = (x) => x.rps) => (a && b ? f(a) / f(b) : NaN);
  const ratios: Record<string, number> = {
    missVsFloorRps: ratio(r('miss'), r('floor')),
    missVsFloorCpuPerRequest: ratio(r('miss'), r('floor'), (x) => x.cpuMsPer1k),
    translatedVsNativeCpuPerRequest: ratio(r('anthropic'), r('miss'), (x) => x.cpuMsPer1k),
    l1VsCeilingRps: ratio(r('l1'), r('ceiling')),
    l1VsFloorRps: ratio(r('l1'), r('floor')),
    l1FreshVsCeilingRps: ratio(r('l1-fresh'), r('ceiling')),
    l2VsCeilingRps: ratio(r('l2'), r('ceiling')),
    streamVsFloorStreamRps: ratio(r('stream'), r('floor-stream')),
  };
  const s = results.streaming as { addedFirstEventP50Ms?: number; addedFirstEventP99Ms?: number } | undefined;
  const streamPeak = Math.max(row('stream')?.peakRssMb ?? NaN, (results.hold as { gatewayPeakRssMb?: number } | undefined)?.gatewayPeakRssMb ?? NaN);
  const hold = results.hold;
  const soakR = results.soak as { endRssMb?: number; lastHalfGrowthMb?: number; maxL1Bytes?: number; l1MaxBytes?: number; quarters?: Array<{ rssMinMb: number; rssMedianMb: number; rssMaxMb: number; heapFloorMb: number }> } | undefined;
  const lastQ = soakR?.quarters?.[3];
  const firstQ = soakR?.quarters?.[0];
  const fr = (results.faults as { reported: number; failed?: number; wrong?: number } | undefined)?.reported ? (results.faults as { failed?: number; wrong?: number }) : undefined;
  const x = (n: number) => `${n.toFixed(2)}x`;
  const ms = (n: number | undefined) => `${(n ?? NaN).toFixed(3)} ms`;
  const targets: Target[] = [
    atLeast('miss path throughput', '>= 0.6x floor req/s', ratios.missVsFloorRps!, 0.6, x(ratios.missVsFloorRps!)),
    atMost('miss path CPU per request', '<= 2x floor', ratios.missVsFloorCpuPerRequest!, 2, x(ratios.missVsFloorCpuPerRequest!)),
    atMost('translated miss (Anthropic) CPU per request', '<= 1.25x native (OpenAI)', ratios.translatedVsNativeCpuPerRequest!, 1.25, x(ratios.translatedVsNativeCpuPerRequest!)),
    atLeast('L1 hit throughput (L1 full)', '>= 0.4x ceiling req/s', ratios.l1VsCeilingRps!, 0.4, x(ratios.l1VsCeilingRps!)),
    atLeast('L1 hit throughput (fresh gateway)', '>= 0.4x ceiling req/s', ratios.l1FreshVsCeilingRps!, 0.4, x(ratios.l1FreshVsCeilingRps!)),
    atMost('streaming first byte added (p50)', '< 1 ms', s?.addedFirstEventP50Ms ?? NaN, 1, ms(s?.addedFirstEventP50Ms), true),
    atLeast('streaming throughput', '>= 0.6x floor on streams', ratios.streamVsFloorStreamRps!, 0.6, x(ratios.streamVsFloorStreamRps!)),
    ...tailTargets(results.tail),
    atMost('peak RSS while streaming', '< 200 MB', streamPeak, 200, `${streamPeak.toFixed(0)} MB (streamed misses, then ${HOLD_STREAMS.toLocaleString('en-US')} held streams)`, true),
    workersTarget(results.workers),
    atMost('RSS after the soak', '< 150 MB', soakR?.endRssMb ?? NaN, 150, `${(soakR?.endRssMb ?? NaN).toFixed(0)} MB${lastQ ? ` (last quarter ${lastQ.rssMinMb.toFixed(0)}-${lastQ.rssMaxMb.toFixed(0)}, median ${lastQ.rssMedianMb.toFixed(0)})` : ''}`, true),
    atMost('RSS levels off (trend over the soak\'s second half)', '<= 10 MB', soakR?.lastHalfGrowthMb ?? NaN, 10, `${(soakR?.lastHalfGrowthMb ?? NaN).toFixed(1)} MB${firstQ && lastQ ? `; heap floor ${firstQ.heapFloorMb.toFixed(0)} -> ${lastQ.heapFloorMb.toFixed(0)} MB` : ''}`),
    atMost('L1 bound holds in the soak', `<= ${L1_MAX_BYTES / 2 ** 20} MiB`, soakR?.maxL1Bytes ?? NaN, L1_MAX_BYTES, `${((soakR?.maxL1Bytes ?? NaN) / 2 ** 20).toFixed(1)} MiB`),
    atMost(`${HOLD_STREAMS.toLocaleString('en-US')} concurrent streams`, '0 errors', hold ? hold.errors + hold.wrong : NaN, 0, hold ? `${hold.errors + hold.wrong} errors, ${hold.maxOpen} open at once` : 'not measured'),
    atMost('fault runs', '0 failed, 0 wrong', fr ? (fr.failed ?? 0) + (fr.wrong ?? 0) : NaN, 0, fr ? `${fr.failed} failed, ${fr.wrong} wrong` : 'not measured'),
  ].map((t) => (t.met !== null && t.goal.startsWith('0 ') ? { ...t, margin: t.met ? 'met' : `missed by ${t.measured}` } : t));

  const report: Report = {
    generatedAt: new Date().toISOString(),
    command: ONLY ? `BENCH_ONLY=${ONLY.join(',')} pnpm bench` : SOAK_SECONDS === 600 ? 'pnpm bench' : `BENCH_SOAK_SECONDS=${SOAK_SECONDS} pnpm bench`,
    machine: { ...mach, loadAfter: loadavg().map((l) => l.toFixed(2)).join(' '), minutes: Math.round((Date.now() - started) / 6000) / 10 },
    placement: place.pinned ? `Server under test (gateway, floor or ceiling) pinned to core ${place.server}; load generator, fake providers, OTLP sink and Redis on core ${place.load}` : place.why,
    settings: { seconds: SECONDS, warmupSeconds: WARMUP, connections: CONNECTIONS, soakSeconds: SOAK_SECONDS, soakRate: SOAK_RATE, holdStreams: HOLD_STREAMS, faultSeconds: FAULT_SECONDS, l1MaxBytes: L1_MAX_BYTES, samplerRatio: 0.1, logLevel: 'info' },
    runs,
    ratios,
    ...(results.streaming ? { streaming: results.streaming } : {}),
    ...(results.tail ? { tail: results.tail } : {}),
    ...(results.workers ? { workers: results.workers } : {}),
    ...(results.featureCosts ? { featureCosts: results.featureCosts } : {}),
    ...(results.hold ? { hold: results.hold } : {}),
    ...(results.soak ? { soak: results.soak } : {}),
    ...(results.faults ? { faults: results.faults } : {}),
    ...(Object.keys(profiles).length ? { profiles } : {}),
    targets,
    notes,
  };
  process.stdout.write(`\n${toText(report)}\n`);
  mkdirSync(RESULTS, { recursive: true });
  if (WRITE) {
    writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeReadmeSection(README, toMarkdown(report));
    log(`wrote ${join(RESULTS, 'latest.json')} and the README's Performance section`);
  } else {
    writeFileSync(join(RESULTS, 'partial.tmp'), `${JSON.stringify(report, null, 2)}\n`);
    log(`partial run (BENCH_ONLY): wrote ${join(RESULTS, 'partial.tmp')}; set BENCH_WRITE=1 to update latest.json and the README`);
  }
}

interface WorkerScaling {
  readonly workers: number;
  readonly cores: string;
  readonly l1Rps: number;
  readonly missRps: number;
}

/**
 * The gateway with 1 worker pinned to the server core, then with one worker per core on every
 * core. On a two-core machine the second worker shares its core with the load generator and the
 * fake providers, so the figure shows that throughput rises, not by how much a free core gives.
 */
async function workerRuns({ fake, upstreams }: Shared): Promise<WorkerScaling[]> {
  const all = cpus().length;
  const out: WorkerScaling[] = [];
  for (const workers of [1, all]) {
    const core = workers === 1 ? place.server : place.pinned ? `0-${all - 1}` : '';
    const gw = await startGatewayProc(`gateway (${workers} workers)`, { core, upstreams, l1MaxBytes: L1_MAX_BYTES, env: { LLM_EDGE_WORKERS: String(workers) } });
    try {
      const url = `${gw.url}/v1/chat/completions`;
      const body = chatBody('gpt-4o-mini').replace('{{n}}', 'fixed');
      // Every worker has its own L1: enough primes that each one has answered it once.
      for (let i = 0; i < workers * 8; i++) await (await fetch(url, { method: 'POST', headers: GATEWAY_HEADERS, body })).arrayBuffer();
      const l1 = await loadRun(`gateway, L1 hit, ${workers} worker(s)`, `workers-${workers}-l1`, gw.proc, fake, { url, headers: GATEWAY_HEADERS, body, mode: 'fixed' });
      const miss = await loadRun(`gateway, cache miss, ${workers} worker(s)`, `workers-${workers}-miss`, gw.proc, fake, { url, headers: GATEWAY_HEADERS, body: chatBody('gpt-4o-mini'), mode: 'unique' });
      // Not in the runs table: CPU and RSS there are one process's, and these are several.
      out.push({ workers, cores: core || 'all', l1Rps: l1.rps, missRps: miss.rps });
    } finally {
      await gw.stop();
    }
  }
  return out;
}

interface TailRun extends TailRow {
  readonly name: string;
  readonly gc?: GcTotals;
  readonly cpuPercent: number;
}

/** One paced rate: the fake alone, then the gateway, the same rate and warm-up. */
async function tailRun(name: string, rate: number, gw: GatewayProc, fake: Proc, openaiUrl: string): Promise<TailRun> {
  const common = { body: chatBody('gpt-4o-mini'), mode: 'unique' as const, rate, warmupSeconds: TAIL_WARMUP };
  const direct = await loadRun(`direct to fake at ${rate} req/s (paced)`, `tail-${name}-direct`, fake, fake, { url: `${openaiUrl}/v1/chat/completions`, headers: FAKE_HEADERS, ...common });
  // The gateway's event-loop delay histogram, read when the measured part starts and after it.
  const loop = () => histogramBuckets(gw, Metrics.eventLoopDelaySeconds.name);
  let atStart = new Map<number, number>();
  const viaGw = await loadRun(`gateway miss at ${rate} req/s (paced)`, `tail-${name}-gateway`, gw.proc, fake, { url: `${gw.url}/v1/chat/completions`, headers: GATEWAY_HEADERS, ...common }, gw, async () => {
    atStart = await loop();
  });
  const eventLoopP99Ms = quantileBetween(0.99, atStart, await loop()) * 1000;
  const addedMs = { p50: viaGw.latencyMs.p50 - direct.latencyMs.p50, p99: viaGw.latencyMs.p99 - direct.latencyMs.p99, p999: viaGw.latencyMs.p999 - direct.latencyMs.p999 };
  log(`  added p50 ${addedMs.p50.toFixed(2)} ms, p99 ${addedMs.p99.toFixed(2)} ms, p99.9 ${addedMs.p999.toFixed(2)} ms; event-loop delay p99 ${eventLoopP99Ms.toFixed(2)} ms`);
  return { name, rate, warmupSeconds: TAIL_WARMUP, direct: direct.latencyMs, gateway: viaGw.latencyMs, addedMs, eventLoopP99Ms, ...(viaGw.gc ? { gc: viaGw.gc } : {}), cpuPercent: viaGw.cpuPercent };
}

/** The paced tail targets of DESIGN.md: p99 added at 1,000 req/s and at half saturation, event-loop delay p99 at both. */
function tailTargets(tail: readonly TailRun[] | undefined): Target[] {
  const at = (n: string) => tail?.find((t) => t.name === n);
  const ms = (n: number | undefined) => `${(n ?? NaN).toFixed(2)} ms`;
  const detail = (t: TailRun | undefined) => (t ? `${ms(t.addedMs.p99)} (p50 ${ms(t.addedMs.p50)}, p99.9 ${ms(t.addedMs.p999)})` : 'not measured');
  const loop = Math.max(at('1000')?.eventLoopP99Ms ?? NaN, at('half')?.eventLoopP99Ms ?? NaN);
  return [
    atMost('p99 added at 1,000 req/s (paced)', '< 2 ms', at('1000')?.addedMs.p99 ?? NaN, 2, detail(at('1000')), true),
    atMost(`p99 added at half saturation${at('half') ? ` (${at('half')!.rate} req/s, paced)` : ''}`, '< 5 ms', at('half')?.addedMs.p99 ?? NaN, 5, detail(at('half')), true),
    atMost('event-loop delay p99 (both paced rates)', '< 5 ms', loop, 5, `${ms(at('1000')?.eventLoopP99Ms)} at 1,000 req/s, ${ms(at('half')?.eventLoopP99Ms)} at half`, true),
  ];
}

/** Throughput rises with LLM_EDGE_WORKERS (L1 hits, the CPU-bound path). */
function workersTarget(w: readonly WorkerScaling[] | undefined): Target {
  const one = w?.find((x) => x.workers === 1);
  const most = w?.at(-1);
  const gain = one && most && most.workers > 1 ? most.l1Rps / one.l1Rps : NaN;
  const shown = w?.map((x) => `${x.workers}: ${Math.round(x.l1Rps)} hits/s, ${Math.round(x.missRps)} misses/s`).join('; ') ?? 'not measured';
  return atLeast('throughput rises with LLM_EDGE_WORKERS', '>= 1.05x', gain, 1.05, `${Number.isFinite(gain) ? `${gain.toFixed(2)}x` : 'n/a'} (${shown})`);
}

/** Miss, Anthropic translation, L1 hits, streams, latency at half saturation, held streams. */
async function gatewayRuns(gw: GatewayProc, { fake, upstreams }: Shared, runs: RunRow[], results: Record<string, unknown>): Promise<void> {
  const url = `${gw.url}/v1/chat/completions`;
  const row = (name: string) => runs.find((r) => r.name === name);
  if (selected('miss') || selected('latency')) {
    runs.push(await loadRun('gateway, cache miss (OpenAI)', 'miss', gw.proc, fake, { url, headers: GATEWAY_HEADERS, body: chatBody('gpt-4o-mini'), mode: 'unique' }, gw));
  }
  if (selected('anthropic')) {
    runs.push(await loadRun('gateway, cache miss (Anthropic, translated)', 'anthropic', gw.proc, fake, { url, headers: GATEWAY_HEADERS, body: chatBody('claude-haiku-4-5'), mode: 'unique' }, gw));
  }
  if (selected('l1')) {
    const body = chatBody('gpt-4o-mini').replace('{{n}}', 'fixed');
    const prime = await fetch(url, { method: 'POST', headers: GATEWAY_HEADERS, body });
    await prime.arrayBuffer();
    // After the miss runs, as in production: L1 is full (16 MiB of entries) when these hits run.
    const label = row('miss') ? 'gateway, L1 hit (L1 full after the miss runs)' : 'gateway, L1 hit';
    runs.push(await loadRun(label, 'l1', gw.proc, fake, { url, headers: GATEWAY_HEADERS, body, mode: 'fixed' }, gw));
  }
  if (selected('stream')) {
    runs.push(await loadRun('gateway, streamed miss (SSE)', 'stream', gw.proc, fake, { url, headers: GATEWAY_HEADERS, body: chatBody('gpt-4o-mini', true), mode: 'unique' }, gw));
    // Time to first event and to the end, one stream at a time, direct and through the gateway.
    const spec = (u: string, headers: Record<string, string>, who: string): StreamSpec => ({ mode: 'ttfb', url: u, headers, model: 'gpt-4o-mini', prefix: `${runId}-ttfb-${who}`, concurrency: 1, seconds: Math.max(3, SECONDS / 2) });
    log('streaming time to first event: direct, then through the gateway (one stream at a time)');
    const direct = await streamClient<TtfbResult>('ttfb direct', spec(`${upstreams.openai}/v1/chat/completions`, { authorization: 'Bearer sk-fake-openai' }, 'direct'), { fake: fake.pid });
    const viaGw = await streamClient<TtfbResult>('ttfb gateway', spec(url, { authorization: `Bearer ${BENCH_KEY}` }, 'gw'), { fake: fake.pid, server: gw.proc.pid });
    results.streaming = {
      direct: direct.value,
      gateway: viaGw.value,
      addedFirstEventP50Ms: viaGw.value.firstEventMs.p50 - direct.value.firstEventMs.p50,
      addedFirstEventP99Ms: viaGw.value.firstEventMs.p99 - direct.value.firstEventMs.p99,
      addedTotalP50Ms: viaGw.value.totalMs.p50 - direct.value.totalMs.p50,
    };
    log(`  first event p50 direct ${direct.value.firstEventMs.p50.toFixed(3)} ms, gateway ${viaGw.value.firstEventMs.p50.toFixed(3)} ms`);
  }
  if (selected('latency')) {
    // Paced open loop at 1,000 req/s and at half of the miss path's saturation, direct and through
    // the gateway at the same rate, after a warm-up long enough for the JIT to settle.
    const half = Math.max(100, Math.round((row('miss')?.rps ?? 2000) / 2));
    const tails: TailRun[] = [];
    for (const [name, rate] of TAIL_RATES.map((r) => [r, r === 'half' ? half : Number(r)] as const)) {
      tails.push(await tailRun(name, rate, gw, fake, upstreams.openai));
    }
    results.tail = tails;
  }
  if (selected('hold')) {
    log(`${HOLD_STREAMS} streams held open at once (slow provider, 100 ms between chunks)`);
    const spec: StreamSpec = { mode: 'hold', url, headers: { authorization: `Bearer ${BENCH_KEY}` }, model: 'bench-slow', prefix: `${runId}-hold`, concurrency: HOLD_STREAMS, seconds: 90, words: 40 };
    const inFlight = { peak: 0 };
    const poll = setInterval(() => {
      void gw.metric(Metrics.inFlightRequests.name).then((m) => {
        inFlight.peak = Math.max(inFlight.peak, m.get('') ?? 0);
      }, () => undefined);
    }, 250);
    try {
      const { value, usage } = await streamClient<HoldResult>('hold', spec, { server: gw.proc.pid, fake: fake.pid });
      results.hold = { ...value, gatewayPeakInFlight: inFlight.peak, gatewayPeakRssMb: usage.server!.peakRssMb, gatewayCpuPercent: usage.server!.cpuPercent };
      log(`  ${value.completed}/${value.streams} complete, ${value.errors} errors, ${value.wrong} wrong, ${value.maxOpen} open at once, gateway peak RSS ${usage.server!.peakRssMb.toFixed(0)} MB`);
    } finally {
      clearInterval(poll);
    }
  }
}

async function l2Runs({ fake, upstreams }: Shared, runs: RunRow[]): Promise<void> {
  let redis: RedisServer | undefined;
  let gw: GatewayProc | undefined;
  try {
    redis = await startRedis();
    gw = await startGatewayProc('gateway (Redis L2)', { core: place.server, upstreams, redisUrl: redis.url, l1MaxEntries: 1, l1MaxBytes: L1_MAX_BYTES });
    const url = `${gw.url}/v1/chat/completions`;
    runs.push(await loadRun('gateway + Redis L2, cache miss', 'miss-l2', gw.proc, fake, { url, headers: GATEWAY_HEADERS, body: chatBody('gpt-4o-mini'), mode: 'unique' }, gw));
    // Fill Redis with L2_KEYS answers, then cycle through them: L1 (one entry) misses, L2 hits.
    const prefix = `${runId}-l2`;
    const template = chatBody('gpt-4o-mini');
    for (let i = 0; i < L2_KEYS; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, L2_KEYS - i) }, async (_, j) => {
          const res = await fetch(url, { method: 'POST', headers: GATEWAY_HEADERS, body: template.replace('{{n}}', `${prefix}-${i + j}`) });
          await res.arrayBuffer();
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 500)); // L2 writes are in the background
    runs.push(await loadRun('gateway, L2 hit (Redis)', 'l2', gw.proc, fake, { url, headers: GATEWAY_HEADERS, body: template, mode: 'cycle', count: L2_KEYS, prefix }, gw));
    const l2 = runs.at(-1)!;
    const hits = l2.cache?.[CacheStatus.hitL2] ?? 0;
    if (hits < l2.requests * 0.9) notes.push(`L2 run: only ${hits} of ${l2.requests} answers were L2 hits (${JSON.stringify(l2.cache)}).`);
    notes.push(`The Redis runs use a gateway whose L1 holds one entry, so lookups reach Redis; Redis runs on core ${place.load || 'any'}.`);
  } finally {
    await gw?.stop();
    await redis?.stop();
  }
}

async function soak({ fake, upstreams }: Shared): Promise<Record<string, unknown>> {
  const gw = await startGatewayProc('gateway (soak)', { core: place.server, upstreams, l1MaxBytes: L1_MAX_BYTES });
  try {
    const spec: LoadSpec = { url: `${gw.url}/v1/chat/completions`, headers: GATEWAY_HEADERS, body: chatBody('gpt-4o-mini'), mode: 'unique', prefix: `${runId}-soak`, connections: 20, seconds: SOAK_SECONDS, warmupSeconds: 0, rate: SOAK_RATE };
    log(`soak: ${SOAK_SECONDS} s of unique requests at ${SOAK_RATE} req/s, RSS and L1 sampled every ${SOAK_SECONDS >= 120 ? 10 : 2} s`);
    const startRss = rssMb(gw.proc.pid);
    const proc = startNode('load soak', 'load.ts', [JSON.stringify(spec)], { core: place.load });
    const timer = setTimeout(() => void proc.stop(2_000), SOAK_SECONDS * 1000 + 120_000);
    const samples: Array<{ s: number; rssMb: number; heapUsedMb: number; heapTotalMb: number; externalMb: number; l1Bytes: number; l1Entries: number }> = [];
    let sampler: NodeJS.Timeout | undefined;
    try {
      await proc.firstJson();
      const t0 = performance.now();
      const take = async () => {
        try {
          const text = await (await fetch(gw.metricsUrl)).text();
          const { sumSeries } = await import('./gateway-proc.js');
          samples.push({
            s: Math.round((performance.now() - t0) / 1000),
            rssMb: rssMb(gw.proc.pid),
            heapUsedMb: (sumSeries(text, ExternalMetrics.nodejsHeapSizeUsedBytes, '').get('') ?? 0) / 2 ** 20,
            // prom-client default metrics that semconv's ExternalMetrics does not list.
            heapTotalMb: (sumSeries(text, 'nodejs_heap_size_total_bytes', '').get('') ?? 0) / 2 ** 20,
            externalMb: (sumSeries(text, 'nodejs_external_memory_bytes', '').get('') ?? 0) / 2 ** 20,
            l1Bytes: sumSeries(text, Metrics.cacheSizeBytes.name, 'tier').get(CacheTier.l1) ?? 0,
            l1Entries: sumSeries(text, Metrics.cacheEntries.name, 'tier').get(CacheTier.l1) ?? 0,
          });
        } catch {
          // a missed sample is not a failure
        }
      };
      sampler = setInterval(() => void take(), (SOAK_SECONDS >= 120 ? 10 : 2) * 1000);
      const cpu0 = cpuSeconds(gw.proc.pid);
      const load = await proc.lastJson<LoadResult>();
      await take();
      const cpu = cpuSeconds(gw.proc.pid) - cpu0;
      const end = samples.at(-1)!;
      const half = samples.find((x) => x.s >= SOAK_SECONDS / 2) ?? samples[0]!;
      const maxL1 = Math.max(...samples.map((x) => x.l1Bytes));
      // RSS swings with V8's heap sizing from one GC cycle to the next, so the trend is a
      // least-squares line through the second half, not the difference of two samples.
      const secondHalf = samples.filter((x) => x.s >= SOAK_SECONDS / 2);
      const trendMbPerMin = slope(secondHalf.map((x) => [x.s, x.rssMb])) * 60;
      const quarters = [0, 1, 2, 3].map((q) => {
        const qs = samples.filter((x) => x.s > (q * SOAK_SECONDS) / 4 && x.s <= ((q + 1) * SOAK_SECONDS) / 4);
        const rss = qs.map((x) => x.rssMb).sort((a, b) => a - b);
        return {
          quarter: q + 1,
          rssMinMb: rss[0] ?? NaN,
          rssMedianMb: rss[rss.length >> 1] ?? NaN,
          rssMaxMb: rss.at(-1) ?? NaN,
          // The lowest heap-used sample is the nearest to the live set after a GC: a leak raises it.
          heapFloorMb: Math.min(...qs.map((x) => x.heapUsedMb)),
        };
      });
      const result = {
        seconds: SOAK_SECONDS,
        rate: SOAK_RATE,
        requests: load.requests,
        failures: load.errors + load.non2xx + load.timeouts,
        latencyMs: load.latencyMs,
        cpuPercent: (cpu / load.seconds) * 100,
        startRssMb: startRss,
        midRssMb: half.rssMb,
        endRssMb: end.rssMb,
        peakRssMb: Math.max(...samples.map((x) => x.rssMb)),
        secondHalfTrendMbPerMin: trendMbPerMin,
        lastHalfGrowthMb: trendMbPerMin * (SOAK_SECONDS / 2 / 60),
        quarters,
        maxL1Bytes: maxL1,
        l1MaxBytes: L1_MAX_BYTES,
        endL1Entries: end.l1Entries,
        samples,
      };
      log(`  ${load.requests} requests, RSS ${startRss.toFixed(0)} -> ${half.rssMb.toFixed(0)} (half) -> ${end.rssMb.toFixed(0)} MB, L1 max ${(maxL1 / 2 ** 20).toFixed(1)} MiB`);
      return result;
    } finally {
      if (sampler) clearInterval(sampler);
      clearTimeout(timer);
    }
  } finally {
    await gw.stop();
  }
}

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

/** Both fault runs, each in its own process; counts merged. */
async function faults(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  let answered = 0;
  let failed = 0;
  let wrong = 0;
  let reported = 0;
  log(`fault run 1: providers failing and recovering (bench/fault-run.ts, ${FAULT_SECONDS} s)`);
  try {
    const r = await runToJson<{ requests: number; succeeded: number; failed: number; lost: number; fellBack: number; retries: number; pass: boolean }>('fault-run', join(HERE, 'fault-run.ts'), [], { core: '', cwd: join(HERE, '..'), env: { FAULT_RUN_SECONDS: String(FAULT_SECONDS) }, timeoutMs: FAULT_SECONDS * 1000 + 60_000 });
    out.providers = r;
    reported += 1;
    answered += r.succeeded;
    failed += r.failed;
    wrong += r.lost; // fault-run counts a wrong answer or a malformed failure as lost
    log(`  ${r.requests} requests: ${r.succeeded} answered (${r.fellBack} by the fallback), ${r.failed} failed, ${r.lost} lost`);
  } catch (err) {
    notes.push(`fault-run.ts did not report: ${(err as Error).message.split('\n')[0]}`);
  }
  log(`fault run 2: Redis killed and restarted, callers leaving mid-stream (bench/faults-cache-stream.ts, ${FAULT_SECONDS} s)`);
  try {
    const r = await runToJson<{ requests: number; answered: number; failed: number; wrong: number; disconnected: number; pass: boolean }>('faults-cache-stream', join(HERE, 'faults-cache-stream.ts'), [], { core: '', cwd: join(HERE, '..'), env: { FAULTS_SECONDS: String(FAULT_SECONDS) }, timeoutMs: FAULT_SECONDS * 1000 + 60_000 });
    out.cacheAndStreams = r;
    reported += 1;
    answered += r.answered;
    failed += r.failed;
    wrong += r.wrong;
    log(`  ${r.requests} requests: ${r.answered} answered, ${r.failed} failed, ${r.wrong} wrong, ${r.disconnected} left mid-stream on purpose`);
  } catch (err) {
    notes.push(`faults-cache-stream.ts did not report: ${(err as Error).message.split('\n')[0]}`);
  }
  return { reported, answered, failed, wrong, ...out };
}

/**
 * The gateway under `--cpu-prof` on the miss or L1 path; the profile is written when it exits.
 * The L1 profile first fills L1 with unique prompts, as the measured L1 run finds it, and only
 * the last BENCH_SECONDS (the hits) are summarised.
 */
async function profileRun({ fake, upstreams }: Shared, kind: 'miss' | 'l1'): Promise<ProfileSummary | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'llm-edge-prof-'));
  const gw = await startGatewayProc(`gateway (profile ${kind})`, { core: place.server, upstreams, l1MaxBytes: L1_MAX_BYTES, nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  const url = `${gw.url}/v1/chat/completions`;
  const body = chatBody('gpt-4o-mini');
  const fixed = body.replace('{{n}}', 'fixed');
  try {
    if (kind === 'l1') {
      await loadRun('profile: filling L1', 'profile-fill', gw.proc, fake, { url, headers: GATEWAY_HEADERS, body, mode: 'unique', seconds: Math.max(5, SECONDS) }, gw);
      await (await fetch(url, { method: 'POST', headers: GATEWAY_HEADERS, body: fixed })).arrayBuffer();
    }
    await loadRun(`profile: gateway ${kind}`, `profile-${kind}`, gw.proc, fake, { url, headers: GATEWAY_HEADERS, body: kind === 'l1' ? fixed : body, mode: kind === 'l1' ? 'fixed' : 'unique' }, gw);
  } finally {
    await gw.stop();
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) {
    notes.push(`profile ${kind}: no .cpuprofile was written in ${dir}`);
    return undefined;
  }
  log(`  profile written to ${join(dir, file)}`);
  return summariseFile(join(dir, file), 25, SECONDS);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench: failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
