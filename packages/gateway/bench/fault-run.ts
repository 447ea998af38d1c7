/**
 * Fault run: steady load through the gateway while one provider fails and then recovers, to show
 * that retries, the circuit breaker and the fallback chain lose no request. Every request must end
 * in a correct answer or a well-formed OpenAI error; the run exits 1 otherwise.
 *
 *   cd packages/gateway && node --import tsx bench/fault-run.ts
 *
 * Phases (of FAULT_RUN_SECONDS, default 30): healthy; OpenAI answers 503; OpenAI resets
 * connections; OpenAI hangs (bounded by its first-byte timeout); OpenAI recovers. The route sends
 * `gpt-4o` to OpenAI and falls back to the fake Anthropic. Prints a table per phase and one JSON
 * line with the totals.
 */
import { Metrics } from '@llm-edge/semconv';
import OpenAI from 'openai';
import { expectedReply, type Fault } from '../test/fakes/index.js';
import { startHarness, type Harness } from '../test/harness.js';
import { configYaml } from '../test/resilience/helpers.js';

const SECONDS = Number(process.env.FAULT_RUN_SECONDS ?? 30);
const WORKERS = Number(process.env.FAULT_RUN_WORKERS ?? 6);
/** Pause between one worker's requests: steady load, not a saturation test. */
const PAUSE_MS = 40;

interface Phase {
  readonly name: string;
  /** Share of the run. */
  readonly share: number;
  readonly fault: Fault | null;
}
const PHASES: readonly Phase[] = [
  { name: 'healthy', share: 0.2, fault: null },
  { name: 'openai 503', share: 0.2, fault: { kind: 'status', status: 503 } },
  { name: 'openai resets', share: 0.15, fault: { kind: 'reset' } },
  { name: 'openai hangs', share: 0.15, fault: { kind: 'hang' } },
  { name: 'recovered', share: 0.3, fault: null },
];

type Outcome = 'ok' | 'fell-back' | 'error' | 'lost';
interface Result {
  readonly phase: string;
  readonly outcome: Outcome;
  readonly ms: number;
  readonly detail?: string;
}

function isOpenAIError(err: unknown): boolean {
  if (!(err instanceof OpenAI.APIError)) return false;
  const body = err.error as Record<string, unknown> | undefined;
  return typeof body?.message === 'string' && typeof body.type === 'string' && 'param' in body && 'code' in body;
}

async function oneRequest(client: OpenAI, phase: string, n: number): Promise<Result> {
  const prompt = `fault run ${n}`;
  const stream = n % 3 === 0;
  const started = performance.now();
  try {
    let text = '';
    let provider: string | null;
    if (stream) {
      const { data, response } = await client.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: prompt }] }).withResponse();
      provider = response.headers.get('x-llm-edge-provider');
      for await (const chunk of data) text += chunk.choices[0]?.delta.content ?? '';
    } else {
      const { data, response } = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: prompt }] }).withResponse();
      provider = response.headers.get('x-llm-edge-provider');
      text = data.choices[0]?.message.content ?? '';
    }
    const ms = performance.now() - started;
    if (text !== expectedReply(prompt)) return { phase, outcome: 'lost', ms, detail: `wrong answer ${JSON.stringify(text)}` };
    return { phase, outcome: provider === 'openai' ? 'ok' : 'fell-back', ms };
  } catch (err) {
    const ms = performance.now() - started;
    if (isOpenAIError(err)) return { phase, outcome: 'error', ms, detail: `${(err as InstanceType<typeof OpenAI.APIError>).status} ${(err as Error).message}` };
    return { phase, outcome: 'lost', ms, detail: String(err) };
  }
}

async function counter(h: Harness, name: string): Promise<Array<{ labels: Record<string, unknown>; value: number }>> {
  const metric = h.gateway.gateway.metrics.registry.getSingleMetric(name);
  return metric ? (await metric.get()).values.map((v) => ({ labels: v.labels as Record<string, unknown>, value: v.value })) : [];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<number> {
  const h = await startHarness({
    configYaml: configYaml({
      resilience: {
        retry: { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 100 },
        breaker: { failureThreshold: 5, errorRatio: 0.5, minRequests: 20, windowMs: 10_000, coolDownMs: 2_000 },
      },
      timeouts: { openai: { firstByteMs: 800, totalMs: 3_000 } },
      routes: [{ match: 'gpt-4o', targets: [{ provider: 'openai', model: 'gpt-4o' }], fallbacks: [{ provider: 'anthropic', model: 'claude-haiku-4-5' }] }],
    }),
  });
  const client = h.client();
  const results: Result[] = [];
  let phase = PHASES[0]!;
  let n = 0;
  let running = true;

  const workers = Array.from({ length: WORKERS }, async () => {
    while (running) {
      results.push(await oneRequest(client, phase.name, n++));
      await new Promise((r) => setTimeout(r, PAUSE_MS));
    }
  });
  for (const p of PHASES) {
    phase = p;
    h.openai.setDefault(p.fault);
    await new Promise((r) => setTimeout(r, p.share * SECONDS * 1000));
  }
  running = false;
  await Promise.all(workers);

  const transitions = h.logs.filter((l) => l.msg === 'circuit breaker state changed').map((l) => `${l.target} ${l.from}->${l.to}`);
  const transitionCounts = new Map<string, number>();
  for (const t of transitions) transitionCounts.set(t, (transitionCounts.get(t) ?? 0) + 1);
  const retries = (await counter(h, Metrics.retriesTotal.name)).reduce((s, v) => s + v.value, 0);
  const fallbacks = (await counter(h, Metrics.fallbacksTotal.name)).reduce((s, v) => s + v.value, 0);
  await h.stop();

  const rows = PHASES.map((p) => {
    const rs = results.filter((r) => r.phase === p.name);
    const ms = rs.map((r) => r.ms).sort((a, b) => a - b);
    const count = (o: Outcome) => rs.filter((r) => r.outcome === o).length;
    return { phase: p.name, requests: rs.length, succeeded: count('ok') + count('fell-back'), fellBack: count('fell-back'), failed: count('error'), lost: count('lost'), p50Ms: Math.round(percentile(ms, 50)), p99Ms: Math.round(percentile(ms, 99)) };
  });
  const total = rows.reduce(
    (t, r) => ({ requests: t.requests + r.requests, succeeded: t.succeeded + r.succeeded, fellBack: t.fellBack + r.fellBack, failed: t.failed + r.failed, lost: t.lost + r.lost }),
    { requests: 0, succeeded: 0, fellBack: 0, failed: 0, lost: 0 },
  );

  const cols = ['phase', 'requests', 'succeeded', 'fellBack', 'failed', 'lost', 'p50Ms', 'p99Ms'] as const;
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line([...cols]));
  for (const r of rows) console.log(line(cols.map((c) => String(r[c]))));
  console.log(`\nbreaker transitions: ${[...transitionCounts].map(([t, c]) => `${t} x${c}`).join(', ') || 'none'}`);
  console.log('(a request counts in the phase it started in, so a few near a phase change see the next phase)');
  console.log(`retries_total ${retries}, fallbacks_total ${fallbacks}`);
  for (const r of results.filter((r) => r.outcome !== 'ok' && r.outcome !== 'fell-back').slice(0, 5)) console.log(`  ${r.outcome}: ${r.phase}: ${r.detail}`);
  const recoveredOnOpenAI = results.filter((r) => r.phase === 'recovered').slice(-10).every((r) => r.outcome === 'ok');
  const pass = total.lost === 0;
  console.log(JSON.stringify({ seconds: SECONDS, workers: WORKERS, ...total, retries, fallbacks, breakerTransitions: transitions.length, recoveredOnOpenAI, pass, phases: rows }));
  return pass ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
