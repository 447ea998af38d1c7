/**
 * The load generator: autocannon in its own process (pinned to the load core by the runner),
 * with a sub-millisecond latency histogram of its own. Bodies are fixed, unique per request
 * (`{{n}}` in the template replaced by a counter, for the miss path and the soak), or cycled
 * through `count` variants (L2 hits).
 *
 *   node --import tsx bench/load.ts '<LoadSpec as JSON>'
 * prints one JSON line: a LoadResult.
 */
import autocannon, { type AutocannonResult } from 'autocannon';
import { Pool } from 'undici';
import { LatencyHistogram, type Percentiles } from './histogram.js';

export interface LoadSpec {
  readonly url: string;
  readonly headers: Record<string, string>;
  /** The body, with `{{n}}` where the varying part goes (mode unique/cycle). */
  readonly body: string;
  readonly mode: 'fixed' | 'unique' | 'cycle';
  /** Variants for mode 'cycle'. */
  readonly count?: number;
  /** Makes unique bodies unique across runs and processes. */
  readonly prefix?: string;
  readonly connections: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  /**
   * Requests per second, sent at even intervals (open loop, timed from when each request was due,
   * so a slow server cannot hide its queueing); unset: autocannon, as fast as answers come.
   */
  readonly rate?: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly rps: number;
  readonly latencyMs: Percentiles;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly seconds: number;
  readonly bytes: number;
  /** CPU seconds the load process itself used while measuring. */
  readonly cpuSeconds: number;
}

function bodySource(spec: LoadSpec): () => string {
  const prefix = spec.prefix ?? 'x';
  let n = 0;
  if (spec.mode === 'unique') return () => spec.body.replace('{{n}}', `${prefix}-${n++}`);
  if (spec.mode === 'cycle') {
    const count = spec.count ?? 1000;
    const bodies = Array.from({ length: count }, (_, i) => spec.body.replace('{{n}}', `${prefix}-${i}`));
    return () => bodies[n++ % count]!;
  }
  return () => spec.body;
}

function run(spec: LoadSpec, seconds: number, next: () => string, histogram: LatencyHistogram | undefined): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    const varying = spec.mode !== 'fixed';
    const instance = autocannon(
      {
        url: spec.url,
        method: 'POST',
        headers: spec.headers,
        body: spec.body,
        ...(varying ? { requests: [{ setupRequest: (req) => ({ ...req, body: next() }) }] } : {}),
        connections: spec.connections,
        duration: seconds,
        ...(spec.rate ? { overallRate: spec.rate } : {}),
        timeout: 30,
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    if (histogram) {
      instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
        if (status >= 200 && status < 300) histogram.record(ms);
      });
    }
  });
}

interface PacedResult {
  ok: number;
  non2xx: number;
  errors: number;
  bytes: number;
  seconds: number;
}

/**
 * Sends `rate` requests per second at even intervals over a keep-alive pool, each timed from the
 * moment it was due. autocannon's own rate limit sends each second's requests in a burst at the
 * start of the second, which measures queueing, not latency.
 */
async function paced(spec: LoadSpec, seconds: number, next: () => string, histogram: LatencyHistogram | undefined): Promise<PacedResult> {
  const url = new URL(spec.url);
  const pool = new Pool(url.origin, { connections: Math.max(spec.connections, 1), pipelining: 1, keepAliveTimeout: 30_000 });
  const rate = spec.rate!;
  const r: PacedResult = { ok: 0, non2xx: 0, errors: 0, bytes: 0, seconds };
  const started = performance.now();
  const total = Math.floor(rate * seconds);
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  const send = (due: number) => {
    const p = pool
      .request({ path: url.pathname, method: 'POST', headers: spec.headers, body: next() })
      .then(async (res) => {
        for await (const chunk of res.body) r.bytes += (chunk as Buffer).length;
        if (res.statusCode >= 200 && res.statusCode < 300) {
          r.ok += 1;
          histogram?.record(performance.now() - due);
        } else r.non2xx += 1;
      })
      .catch(() => {
        r.errors += 1;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  while (sent < total) {
    const now = performance.now();
    const dueCount = Math.min(total, Math.floor(((now - started) / 1000) * rate) + 1);
    while (sent < dueCount) send(started + (sent++ / rate) * 1000);
    const nextDue = started + (sent / rate) * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, nextDue - performance.now())));
  }
  await Promise.all(inFlight);
  r.seconds = (performance.now() - started) / 1000;
  await pool.close();
  return r;
}

// Exported for a type-only import by the runner; the work happens when run as a script.
export async function main(spec: LoadSpec): Promise<LoadResult> {
  const next = bodySource(spec);
  if (spec.rate) {
    if (spec.warmupSeconds > 0) await paced(spec, spec.warmupSeconds, next, undefined);
    const histogram = new LatencyHistogram();
    process.stdout.write(`${JSON.stringify({ event: 'measuring' })}\n`);
    const cpu0 = process.cpuUsage();
    const r = await paced(spec, spec.seconds, next, histogram);
    const cpu = process.cpuUsage(cpu0);
    return {
      requests: r.ok,
      rps: r.ok / r.seconds,
      latencyMs: histogram.summary(),
      non2xx: r.non2xx,
      errors: r.errors,
      timeouts: 0,
      seconds: r.seconds,
      bytes: r.bytes,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
  }
  if (spec.warmupSeconds > 0) await run(spec, spec.warmupSeconds, next, undefined);
  const histogram = new LatencyHistogram();
  // The runner measures CPU between this line and the result.
  process.stdout.write(`${JSON.stringify({ event: 'measuring' })}\n`);
  const cpu0 = process.cpuUsage();
  const r = await run(spec, spec.seconds, next, histogram);
  const cpu = process.cpuUsage(cpu0);
  const ok = r['2xx'];
  return {
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    requests: ok,
    rps: ok / r.duration,
    latencyMs: histogram.summary(),
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    seconds: r.duration,
    bytes: r.throughput.total,
  };
}

if (process.argv[1]?.endsWith('load.ts') && process.argv[2]) {
  main(JSON.parse(process.argv[2]) as LoadSpec).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (err) => {
      process.stderr.write(`load: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
