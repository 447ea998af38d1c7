/**
 * Stream clients, run in their own process on the load core:
 * - `ttfb`: streamed chat completions, `concurrency` at a time for `seconds`, each timed to its
 *   first SSE event and to its end (unique prompts: every stream goes upstream);
 * - `hold`: `streams` requests opened at once to a slow provider, each checked to the last word,
 *   counting how many were open at the same time and every error.
 *
 *   node --import tsx bench/streams.ts '<StreamSpec as JSON>'
 * prints one JSON line: a TtfbResult or a HoldResult.
 */
import { Agent, request } from 'node:http';
import { expectedReply } from '../test/fakes/index.js';
import { LatencyHistogram, type Percentiles } from './histogram.js';

export interface StreamSpec {
  readonly mode: 'ttfb' | 'hold';
  /** Full URL of the chat completions endpoint. */
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly model: string;
  readonly prefix: string;
  /** ttfb: streams in flight at once; hold: streams opened at once. */
  readonly concurrency: number;
  /** ttfb: how long to run. hold: deadline for every stream to finish. */
  readonly seconds: number;
  /** hold: words in each prompt (the reply echoes them, one chunk per word). */
  readonly words?: number;
}

export interface TtfbResult {
  readonly streams: number;
  readonly errors: number;
  readonly firstEventMs: Percentiles;
  readonly totalMs: Percentiles;
}

export interface HoldResult {
  readonly streams: number;
  readonly completed: number;
  readonly errors: number;
  readonly wrong: number;
  /** Most streams open (first event received, not yet ended) at one moment. */
  readonly maxOpen: number;
  readonly firstEventMs: Percentiles;
  readonly totalMs: Percentiles;
  readonly seconds: number;
  readonly errorSamples: string[];
}

interface OneStream {
  readonly firstEventMs: number;
  readonly totalMs: number;
  readonly text: string;
}

/** One streamed request; resolves with its timings and the concatenated delta text. */
function oneStream(spec: StreamSpec, agent: Agent, prompt: string, onFirst: () => void): Promise<OneStream> {
  const body = JSON.stringify({ model: spec.model, stream: true, messages: [{ role: 'user', content: prompt }] });
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(spec.url, { method: 'POST', agent, headers: { ...spec.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      if (res.statusCode !== 200) {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`)));
        return;
      }
      let first = 0;
      let buffer = '';
      let text = '';
      let done = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (first === 0 && chunk.includes('data:')) {
          first = performance.now() - started;
          onFirst();
        }
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!event.startsWith('data: ')) continue;
          const data = event.slice(6);
          if (data === '[DONE]') {
            done = true;
            continue;
          }
          const parsed = JSON.parse(data) as { error?: { message?: string }; choices?: Array<{ delta?: { content?: string | null } }> };
          if (parsed.error) return reject(new Error(`stream error event: ${parsed.error.message}`));
          text += parsed.choices?.[0]?.delta?.content ?? '';
        }
      });
      res.on('end', () => {
        if (!done) return reject(new Error('stream ended without [DONE]'));
        resolve({ firstEventMs: first, totalMs: performance.now() - started, text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function ttfb(spec: StreamSpec): Promise<TtfbResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency });
  const first = new LatencyHistogram();
  const total = new LatencyHistogram();
  const deadline = performance.now() + spec.seconds * 1000;
  let n = 0;
  let errors = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      try {
        const s = await oneStream(spec, agent, `stream ${spec.prefix}-${n++} tell me about the weather in Paris`, () => undefined);
        first.record(s.firstEventMs);
        total.record(s.totalMs);
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  agent.destroy();
  return { streams: total.count, errors, firstEventMs: first.summary(), totalMs: total.summary() };
}

async function hold(spec: StreamSpec): Promise<HoldResult> {
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const first = new LatencyHistogram();
  const total = new LatencyHistogram();
  const words = spec.words ?? 40;
  let open = 0;
  let maxOpen = 0;
  let errors = 0;
  let wrong = 0;
  let completed = 0;
  const samples: string[] = [];
  const started = performance.now();
  const one = async (i: number) => {
    const prompt = `hold ${spec.prefix}-${i} ${Array.from({ length: words - 2 }, (_, w) => `w${w}`).join(' ')}`;
    let counted = false;
    try {
      const s = await oneStream(spec, agent, prompt, () => {
        counted = true;
        open += 1;
        if (open > maxOpen) maxOpen = open;
      });
      first.record(s.firstEventMs);
      total.record(s.totalMs);
      if (s.text === expectedReply(prompt)) completed += 1;
      else {
        wrong += 1;
        if (samples.length < 5) samples.push(`wrong text: ${s.text.slice(0, 80)}`);
      }
    } catch (err) {
      errors += 1;
      if (samples.length < 5) samples.push(String((err as Error).message ?? err));
    } finally {
      if (counted) open -= 1;
    }
  };
  const all = Promise.all(Array.from({ length: spec.concurrency }, (_, i) => one(i)));
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), spec.seconds * 1000).unref());
  if ((await Promise.race([all, timeout])) === 'timeout') {
    samples.push(`deadline of ${spec.seconds} s passed with ${open} streams still open`);
    agent.destroy();
  }
  return {
    streams: spec.concurrency,
    completed,
    errors: errors + (spec.concurrency - completed - wrong - errors),
    wrong,
    maxOpen,
    firstEventMs: first.summary(),
    totalMs: total.summary(),
    seconds: (performance.now() - started) / 1000,
    errorSamples: samples,
  };
}

if (process.argv[1]?.endsWith('streams.ts') && process.argv[2]) {
  const spec = JSON.parse(process.argv[2]) as StreamSpec;
  // The runner measures CPU between this line and the result.
  process.stdout.write(`${JSON.stringify({ event: 'measuring' })}\n`);
  const cpu0 = process.cpuUsage();
  (spec.mode === 'ttfb' ? ttfb(spec) : hold(spec)).then(
    (result) => {
      const cpu = process.cpuUsage(cpu0);
      process.stdout.write(`${JSON.stringify({ ...result, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
      process.exit(0);
    },
    (err) => {
      process.stderr.write(`streams: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
