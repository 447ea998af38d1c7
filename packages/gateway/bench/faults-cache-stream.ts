/**
 * Fault run for the cache and streams: steady load through a gateway with a real Redis L2 while
 * Redis is killed (SIGKILL) and restarted, and while some callers walk away mid-stream. Every
 * request must end in the right answer: an outage of the cache may only cost speed, and a
 * stream cut by its caller must never be stored and replayed as if it were complete.
 *
 *   cd packages/gateway && node --import tsx bench/faults-cache-stream.ts
 *
 * Phases (of FAULTS_SECONDS, default 30): healthy 30%; Redis down 30%; Redis back 40%. Requests
 * mix repeated prompts (L1 and L2 hits), unique prompts (misses), full streams, and streams the
 * caller aborts after the first word; each aborted prompt is asked again at once and must come
 * back whole. Prints a table per phase and one JSON line with the totals; exits 1 unless every
 * request was answered and right.
 */
import { Writable } from 'node:stream';
import OpenAI from 'openai';
import { CacheTier, Metrics } from '@llm-edge/semconv';
import { loadConfig, startGateway, type RunningGateway } from '../src/index.js';
import { expectedReply, startFakeOpenAI } from '../test/fakes/index.js';
import { startRedis } from '../test/redis.js';

const SECONDS = Number(process.env.FAULTS_SECONDS ?? 30);
const WORKERS = Number(process.env.FAULTS_WORKERS ?? 6);
const PAUSE_MS = 20;
const KEY = 'sk-faults-caller';
/** Prompts asked again and again, so the cache has something to answer. */
const REPEATED = 300;

type Kind = 'json-repeat' | 'json-unique' | 'stream' | 'stream-abort';
type Outcome = 'answered' | 'failed' | 'wrong' | 'disconnected';
interface Result {
  readonly phase: string;
  readonly kind: Kind;
  readonly outcome: Outcome;
  readonly cache: string;
  readonly detail?: string;
}

const PHASES = [
  { name: 'healthy', share: 0.3 },
  { name: 'redis killed', share: 0.3 },
  { name: 'redis restarted', share: 0.4 },
] as const;

async function json(client: OpenAI, prompt: string): Promise<{ text: string; cache: string }> {
  const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] }).withResponse();
  return { text: data.choices[0]?.message.content ?? '', cache: response.headers.get('x-llm-edge-cache') ?? '' };
}

async function stream(client: OpenAI, prompt: string, abortAfterFirstWord: boolean): Promise<{ text: string; cache: string; aborted: boolean }> {
  const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: prompt }] }).withResponse();
  let text = '';
  for await (const chunk of data) {
    text += chunk.choices[0]?.delta.content ?? '';
    // Leaving the loop aborts the request: the caller hangs up with the stream half sent.
    if (abortAfterFirstWord && text !== '') return { text, cache: response.headers.get('x-llm-edge-cache') ?? '', aborted: true };
  }
  return { text, cache: response.headers.get('x-llm-edge-cache') ?? '', aborted: false };
}

async function oneRequest(client: OpenAI, phase: string, n: number): Promise<Result[]> {
  const roll = n % 10;
  const kind: Kind = roll < 4 ? 'json-repeat' : roll < 6 ? 'json-unique' : roll < 8 ? 'stream' : 'stream-abort';
  // Aborted streams use prompts of their own, so the re-ask below can only be right if nothing
  // half-done was stored.
  const prompt =
    kind === 'json-repeat' ? `repeated prompt ${n % REPEATED} with a few more words` : kind === 'stream' && n % 20 < 10 ? `repeated prompt ${n % REPEATED} with a few more words` : `unique ${process.pid}-${n} one two three four five six seven eight`;
  try {
    if (kind === 'stream-abort') {
      const cut = await stream(client, prompt, true);
      const results: Result[] = [{ phase, kind, outcome: cut.aborted ? 'disconnected' : 'answered', cache: cut.cache }];
      const again = await json(client, prompt);
      const right = again.text === expectedReply(prompt);
      results.push({ phase, kind: 'json-repeat', outcome: right ? 'answered' : 'wrong', cache: again.cache, detail: right ? undefined : `after an aborted stream got ${JSON.stringify(again.text)}` });
      return results;
    }
    const got = kind === 'stream' ? await stream(client, prompt, false) : await json(client, prompt);
    const right = got.text === expectedReply(prompt);
    return [{ phase, kind, outcome: right ? 'answered' : 'wrong', cache: got.cache, detail: right ? undefined : `got ${JSON.stringify(got.text)}` }];
  } catch (err) {
    return [{ phase, kind, outcome: 'failed', cache: '', detail: String((err as Error).message ?? err) }];
  }
}

async function sample(gw: RunningGateway, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = gw.gateway.metrics.registry.getSingleMetric(name);
  if (!metric) return 0;
  const values = (await metric.get()).values;
  return values.filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want)).reduce((s, v) => s + v.value, 0);
}

async function main(): Promise<number> {
  const [openai, redis] = await Promise.all([startFakeOpenAI({ recordCalls: false, chunkDelayMs: 3 }), startRedis()]);
  let warnings = 0;
  const logs = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.includes('"level":"warn"')) warnings += 1;
      done();
    },
  });
  const yaml = JSON.stringify({
    auth: { keys: [{ id: 'faults', key: KEY }] },
    // A small L1 sends repeated prompts to L2 often, so the outage is felt.
    cache: { l1: { maxEntries: 150, maxBytes: 1_000_000 }, l2: { commandTimeoutMs: 50, connectTimeoutMs: 500 } },
    telemetry: { logLevel: 'warn' },
  });
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0', OPENAI_BASE_URL: `${openai.url}/v1`, OPENAI_API_KEY: 'sk-fake-openai', REDIS_URL: redis.url }, yaml);
  const gw = await startGateway(config, { logDestination: logs, defaultMetrics: false });
  const client = new OpenAI({ apiKey: KEY, baseURL: `${gw.url}/v1`, maxRetries: 0, timeout: 20_000 });

  const results: Result[] = [];
  const marks: Record<string, { l2Hits: number; l2Errors: number }> = {};
  let phase: string = PHASES[0].name;
  let n = 0;
  let running = true;
  const workers = Array.from({ length: WORKERS }, async () => {
    while (running) {
      results.push(...(await oneRequest(client, phase, n++)));
      await new Promise((r) => setTimeout(r, PAUSE_MS));
    }
  });
  const mark = async (name: string) => {
    marks[name] = {
      l2Hits: await sample(gw, Metrics.cacheHitsTotal.name, { tier: CacheTier.l2 }),
      l2Errors: await sample(gw, Metrics.cacheErrorsTotal.name, { tier: CacheTier.l2 }),
    };
  };
  for (const p of PHASES) {
    phase = p.name;
    if (p.name === 'redis killed') await redis.kill();
    if (p.name === 'redis restarted') await redis.restart();
    await mark(`${p.name} start`);
    await new Promise((r) => setTimeout(r, p.share * SECONDS * 1000));
  }
  running = false;
  await Promise.all(workers);
  await mark('end');
  // Give the last aborted streams' upstream cancellations a moment to settle, then look for leaks.
  await new Promise((r) => setTimeout(r, 500));
  const inFlightAtEnd = await sample(gw, Metrics.inFlightRequests.name);
  await gw.stop();
  await Promise.all([openai.close(), redis.stop()]);

  const rows = PHASES.map((p) => {
    const rs = results.filter((r) => r.phase === p.name);
    const count = (o: Outcome) => rs.filter((r) => r.outcome === o).length;
    const cache = (c: string) => rs.filter((r) => r.cache === c).length;
    return { phase: p.name, requests: rs.length, answered: count('answered'), failed: count('failed'), wrong: count('wrong'), disconnected: count('disconnected'), hitL1: cache('hit-l1'), hitL2: cache('hit-l2'), miss: cache('miss') };
  });
  const total = rows.reduce(
    (t, r) => ({ requests: t.requests + r.requests, answered: t.answered + r.answered, failed: t.failed + r.failed, wrong: t.wrong + r.wrong, disconnected: t.disconnected + r.disconnected }),
    { requests: 0, answered: 0, failed: 0, wrong: 0, disconnected: 0 },
  );
  const l2ErrorsWhileDown = marks['redis restarted start']!.l2Errors - marks['redis killed start']!.l2Errors;
  const l2HitsAfterRestart = marks.end!.l2Hits - marks['redis restarted start']!.l2Hits;

  const cols = ['phase', 'requests', 'answered', 'failed', 'wrong', 'disconnected', 'hitL1', 'hitL2', 'miss'] as const;
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line([...cols]));
  for (const r of rows) console.log(line(cols.map((c) => String(r[c]))));
  console.log(`\nL2 errors while Redis was down ${l2ErrorsWhileDown}, L2 hits after restart ${l2HitsAfterRestart}, in flight at end ${inFlightAtEnd}, warnings logged ${warnings}`);
  for (const r of results.filter((r) => r.outcome === 'failed' || r.outcome === 'wrong').slice(0, 5)) console.log(`  ${r.outcome}: ${r.phase} ${r.kind}: ${r.detail}`);
  const pass = total.failed === 0 && total.wrong === 0 && inFlightAtEnd === 0;
  console.log(JSON.stringify({ seconds: SECONDS, workers: WORKERS, ...total, l2ErrorsWhileDown, l2HitsAfterRestart, inFlightAtEnd, warnings, pass, phases: rows }));
  return pass ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
