/**
 * Real traffic for the monitoring end-to-end test: the gateway's configuration (keys, a small L1,
 * a route with a fallback, quick breakers) and the requests that make every dashboard series move
 * (hits in both tiers, misses, evictions, streams, coalescing, a retry, a fallback, a 5xx, a 401,
 * a 429, a budget refusal, spend on a key and a team with budgets, and a cache error while Redis is busy),
 * each one checked, so traffic that stopped doing what it should fails the test instead of quietly
 * leaving a panel empty.
 */
import { connect } from 'node:net';
import { Metrics } from '@llm-edge/semconv';
import type { Harness } from '../../../packages/gateway/test/harness.js';

export const TEAM_KEY = 'sk-e2e-team-a';
export const LIMITED_KEY = 'sk-e2e-limited';
/** A key with a daily budget, in a team with a monthly one; read from a file, as EdgeAgent mounts it. */
export const BUDGETED_KEY = 'sk-e2e-budgeted';
/** A key whose budget cannot afford any request's worst case: every request is a budget refusal. */
export const BROKE_KEY = 'sk-e2e-broke';
export const BUDGET_TEAM = 'e2e-team';
/** A route whose target can be made to fail while its fallback (Anthropic) answers. */
export const RESILIENT_MODEL = 'resilient';
export const OPENAI_MODEL = 'gpt-4o-mini';
export const ANTHROPIC_MODEL = 'claude-haiku-4-5';

/**
 * Gateway config (JSON is YAML). Breakers open after 3 consecutive failures and stay open for 10
 * minutes (longer than the test), each target gets 2 attempts, so one request with two scripted
 * failures retries and then falls back without opening a breaker. L1 holds 20 entries, so older
 * answers are evicted to L2 and come back as `hit-l2`.
 */
export function gatewayConfigYaml({ budgetedKeyFile }: { readonly budgetedKeyFile: string }): string {
  return JSON.stringify({
    telemetry: { logLevel: 'warn' },
    auth: {
      keys: [
        { id: 'team-a', key: TEAM_KEY },
        { id: 'limited', key: LIMITED_KEY, limits: { requestsPerMinute: 1 } },
        { id: 'budgeted', keyFile: budgetedKeyFile, team: BUDGET_TEAM, budget: { usd: 100, period: 'day' } },
        { id: 'broke', key: BROKE_KEY, budget: { usd: 0.000001, period: 'total' } },
      ],
      teams: [{ id: BUDGET_TEAM, budget: { usd: 1000, period: 'month' } }],
    },
    cache: { l1: { maxEntries: 20, maxBytes: 16 * 1024 * 1024 } },
    resilience: {
      retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
      breaker: { failureThreshold: 3, coolDownMs: 600_000 },
    },
    routes: [
      {
        match: RESILIENT_MODEL,
        targets: [{ provider: 'openai', model: 'gpt-4o' }],
        fallbacks: [{ provider: 'anthropic', model: ANTHROPIC_MODEL }],
      },
    ],
  });
}

export interface Answer {
  readonly status: number;
  readonly cache: string | null;
  readonly provider: string | null;
  readonly text: string;
}

/** One chat completion through the gateway (streams are read to their end). */
export async function chat(
  h: Harness,
  { model, content, key = TEAM_KEY, stream = false, headers = {} }: { model: string; content: string; key?: string; stream?: boolean; headers?: Record<string, string> },
): Promise<Answer> {
  const res = await fetch(`${h.gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
    body: JSON.stringify({ model, stream, messages: [{ role: 'user', content }] }),
  });
  const text = await res.text();
  return { status: res.status, cache: res.headers.get('x-llm-edge-cache'), provider: res.headers.get('x-llm-edge-provider'), text };
}

function expectAnswer(what: string, a: Answer, want: { status?: number | ((s: number) => boolean); cache?: string; provider?: string }): void {
  const statusOk = typeof want.status === 'function' ? want.status(a.status) : a.status === (want.status ?? 200);
  if (!statusOk || (want.cache !== undefined && a.cache !== want.cache) || (want.provider !== undefined && a.provider !== want.provider)) {
    throw new Error(`${what}: got status ${a.status}, cache ${a.cache}, provider ${a.provider} (wanted ${JSON.stringify({ ...want, status: typeof want.status === 'function' ? 'see test' : want.status ?? 200 })}): ${a.text.slice(0, 300)}`);
  }
}

/**
 * One round of mixed traffic; round `i` also varies which fault it injects (a retry, a fallback or
 * a 5xx), so three rounds cover all of them. Faults are scripted on the fake providers and cleared
 * right after, so rounds must not overlap (run them one at a time).
 */
export async function mixedRound(h: Harness, i: number, redisPort: number): Promise<void> {
  const tag = `round ${i}`;
  expectAnswer('unique openai', await chat(h, { model: OPENAI_MODEL, content: `unique openai ${tag}` }), { cache: 'miss', provider: 'openai' });
  // Asked every round: stays at the front of L1.
  const repeat = await chat(h, { model: OPENAI_MODEL, content: 'the same question every round' });
  expectAnswer('repeat', repeat, i === 0 ? { cache: 'miss' } : { cache: 'hit-l1' });
  // Asked four rounds ago: pushed out of the 20-entry L1 since, still in Redis.
  if (i >= 4) expectAnswer('old answer', await chat(h, { model: OPENAI_MODEL, content: `unique openai round ${i - 4}` }), { cache: 'hit-l2' });
  expectAnswer('unique anthropic', await chat(h, { model: ANTHROPIC_MODEL, content: `unique anthropic ${tag}` }), { provider: 'anthropic' });
  expectAnswer('openai stream', await chat(h, { model: OPENAI_MODEL, content: `stream openai ${tag}`, stream: true }), { provider: 'openai' });
  expectAnswer('anthropic stream', await chat(h, { model: ANTHROPIC_MODEL, content: `stream anthropic ${tag}`, stream: true }), { provider: 'anthropic' });
  expectAnswer('bad key', await chat(h, { model: OPENAI_MODEL, content: tag, key: 'sk-not-a-key' }), { status: 401 });
  // One request a minute for this key: the second round's is refused for sure (later rounds may
  // fall into the next minute).
  const limited = await chat(h, { model: OPENAI_MODEL, content: `limited ${tag}`, key: LIMITED_KEY });
  expectAnswer('limited key', limited, { status: i === 1 ? 429 : (s) => s === 200 || s === 429 });
  // Spend on a key and its team, both budgeted; and a key whose budget refuses every request.
  const budgeted = await chat(h, { model: OPENAI_MODEL, content: `budgeted ${tag}`, key: BUDGETED_KEY });
  expectAnswer('budgeted key', budgeted, { cache: 'miss', provider: 'openai' });
  const broke = await chat(h, { model: OPENAI_MODEL, content: `broke ${tag}`, key: BROKE_KEY });
  expectAnswer('broke key', broke, { status: 429 });
  if (!broke.text.includes('budget_exceeded')) throw new Error(`broke key: a 429 that is not a budget refusal: ${broke.text.slice(0, 300)}`);

  // Successes on the route's target keep its breaker's error ratio well under one half.
  for (const n of [1, 2, 3]) {
    expectAnswer('route', await chat(h, { model: RESILIENT_MODEL, content: `route ${tag} ${n}` }), { provider: 'openai' });
  }
  try {
    switch (i % 3) {
      case 0: {
        // One failed attempt, then the retry answers; meanwhile three identical callers share one call.
        h.openai.script({ kind: 'status', status: 503 });
        expectAnswer('retried', await chat(h, { model: RESILIENT_MODEL, content: `retry ${tag}` }), { provider: 'openai' });
        h.openai.script({ kind: 'delay', ms: 150 });
        const same = await Promise.all([1, 2, 3].map(() => chat(h, { model: OPENAI_MODEL, content: `coalesce ${tag}` })));
        for (const a of same) expectAnswer('coalesced', a, {});
        break;
      }
      case 1: {
        // Both attempts on OpenAI fail: the route falls back to Anthropic.
        h.openai.script({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
        expectAnswer('fallback', await chat(h, { model: RESILIENT_MODEL, content: `fallback ${tag}` }), { provider: 'anthropic' });
        // Redis busy for longer than the L2 command timeout: the lookup fails, the caller does not.
        const { awake } = await redisBusy(redisPort, 300);
        expectAnswer('redis busy', await chat(h, { model: OPENAI_MODEL, content: `redis busy ${tag}` }), { cache: 'miss', provider: 'openai' });
        await awake;
        break;
      }
      default:
        // Every attempt on every target fails: the caller gets a 5xx.
        h.openai.script({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
        h.anthropic.script({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
        expectAnswer('all failed', await chat(h, { model: RESILIENT_MODEL, content: `fail ${tag}` }), { status: (s) => s >= 500 && s <= 599 });
    }
  } finally {
    // A fault the gateway did not consume (a retry the budget refused) must not leak into the next request.
    h.openai.reset();
    h.anthropic.reset();
  }
  expectAnswer('route after fault', await chat(h, { model: RESILIENT_MODEL, content: `route ${tag} after` }), { provider: 'openai' });
}

/**
 * Sends `DEBUG SLEEP` to a Redis started with `--enable-debug-command`; resolves once the server
 * is inside the sleep, with a promise of its answer (the end of the sleep).
 */
export async function redisBusy(port: number, ms: number): Promise<{ awake: Promise<void> }> {
  const socket = connect({ host: '127.0.0.1', port });
  const seconds = String(ms / 1000);
  const command = `*3\r\n$5\r\nDEBUG\r\n$5\r\nSLEEP\r\n$${seconds.length}\r\n${seconds}\r\n`;
  const answered = new Promise<void>((resolve, reject) => {
    let reply = '';
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (!reply.endsWith('\r\n')) return;
      socket.end();
      if (reply.startsWith('+OK')) resolve();
      else reject(new Error(`redis DEBUG SLEEP answered ${JSON.stringify(reply)} (start redis-server with --enable-debug-command)`));
    });
    socket.once('error', reject);
  });
  answered.catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', () => socket.write(command, () => resolve()));
  });
  // Written is not yet read: give the server a moment to be inside the sleep.
  await new Promise((r) => setTimeout(r, Math.min(50, ms / 4)));
  return { awake: answered };
}

/** Requests that reach every breaker target the rounds above use (so all of them can open). */
export async function touchEveryTarget(h: Harness, tag: string): Promise<Answer[]> {
  const noCache = { 'cache-control': 'no-cache, no-store' };
  return Promise.all([
    chat(h, { model: OPENAI_MODEL, content: `down ${tag}`, headers: noCache }),
    chat(h, { model: ANTHROPIC_MODEL, content: `down ${tag}`, headers: noCache }),
    chat(h, { model: RESILIENT_MODEL, content: `down ${tag}`, headers: noCache }),
  ]);
}

/** `llm_edge_provider_health` per provider, read from the gateway's own /metrics. */
export async function providerHealth(h: Harness): Promise<Record<string, number>> {
  const text = await (await fetch(h.gateway.metricsUrl)).text();
  const out: Record<string, number> = {};
  const name = Metrics.providerHealth.name;
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}\\{[^}]*provider="([^"]+)"[^}]*\\} (\\S+)$`).exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

export interface Loop {
  /** Rounds completed so far. */
  readonly rounds: () => number;
  /** Rejects with the error of the round that failed (never resolves otherwise). */
  readonly failed: Promise<never>;
  /** Stops after the current round; rethrows the first error a round threw. */
  stop(): Promise<void>;
}

/**
 * Runs `round(i)` again and again, one at a time, pausing `pauseMs` between rounds, until stopped.
 * A round that throws ends the loop; `stop()` reports the error.
 */
export function loop(round: (i: number) => Promise<void>, pauseMs: number): Loop {
  let running = true;
  let done = 0;
  let failure: unknown;
  let wake: (() => void) | undefined;
  let reject: (err: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, r) => {
    reject = r;
  });
  // Read through stop() or a race; never an unhandled rejection.
  failed.catch(() => undefined);
  const finished = (async () => {
    for (let i = 0; running; i++) {
      try {
        await round(i);
      } catch (err) {
        failure = err;
        reject(err);
        return;
      }
      done++;
      if (running) {
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, pauseMs);
        });
      }
    }
  })();
  return {
    rounds: () => done,
    failed,
    async stop() {
      running = false;
      wake?.();
      await finished;
      if (failure !== undefined) throw failure;
    },
  };
}

/**
 * Runs `round` in a loop while `waitFor` runs; returns what `waitFor` returns. The loop always
 * stops before this returns or throws, a round's error fails the wait at once, and the signal
 * given to `waitFor` is aborted when the wait is over so no poll outlives it.
 * @example
 * await duringTraffic((i) => mixedRound(h, i, port), 200, (signal) => eventually('data', check, { signal }));
 */
export async function duringTraffic<T>(round: (i: number) => Promise<void>, pauseMs: number, waitFor: (signal: AbortSignal, traffic: Loop) => Promise<T>): Promise<T> {
  const traffic = loop(round, pauseMs);
  const done = new AbortController();
  try {
    return await Promise.race([waitFor(done.signal, traffic), traffic.failed]);
  } finally {
    done.abort();
    await traffic.stop();
  }
}
