/**
 * Starts what a gateway test needs on loopback: the fake providers, a gateway configured to
 * call them, and an official OpenAI SDK client pointed at the gateway. Tests share one harness
 * per file and reset the fakes between tests.
 */
import { Writable } from 'node:stream';
import OpenAI from 'openai';
import { loadConfig, startGateway, type RunningGateway } from '../src/index.js';
import { startFakeAnthropic, startFakeOpenAI, type FakeProvider } from './fakes/index.js';

export interface Harness {
  readonly openai: FakeProvider;
  readonly anthropic: FakeProvider;
  readonly gateway: RunningGateway;
  /** An OpenAI SDK client for the gateway, with `apiKey` as the caller's key. */
  client(apiKey?: string): OpenAI;
  /** Log lines the gateway wrote, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  /** Extra environment variables for the gateway's config (over the fake providers' ones). */
  readonly env?: Record<string, string>;
  /** YAML config text for the gateway (as if from `LLM_EDGE_CONFIG`). */
  readonly configYaml?: string;
  /** Collect prom-client's process metrics (off by default: many gateways share one test process). */
  readonly defaultMetrics?: boolean;
}

export const OPENAI_KEY = 'sk-fake-openai';
export const ANTHROPIC_KEY = 'sk-ant-fake';

/**
 * Config for tests that expect L2 hits: a Redis command timeout that a loaded two-core machine
 * running other test files cannot trip (the 50 ms default can, and a timed-out SET or GET reads
 * as a miss). Tests of the timeout itself set their own.
 */
export const PATIENT_L2 = 'cache:\n  l2: { commandTimeoutMs: 2000 }\n';

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const openai = await startFakeOpenAI({ apiKey: OPENAI_KEY });
  const anthropic = await startFakeAnthropic({ apiKey: ANTHROPIC_KEY });
  const env = {
    HOST: '127.0.0.1',
    PORT: '0',
    METRICS_PORT: '0',
    OPENAI_API_KEY: OPENAI_KEY,
    OPENAI_BASE_URL: `${openai.url}/v1`,
    ANTHROPIC_API_KEY: ANTHROPIC_KEY,
    ANTHROPIC_BASE_URL: anthropic.url,
    ...options.env,
  };
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const config = loadConfig(env, options.configYaml);
  const gateway = await startGateway(config, { logDestination: sink, defaultMetrics: options.defaultMetrics ?? false });
  return {
    openai,
    anthropic,
    gateway,
    logs,
    client: (apiKey = 'unused') => new OpenAI({ apiKey, baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 20_000 }),
    async stop() {
      await gateway.stop();
      await Promise.all([openai.close(), anthropic.close()]);
    },
  };
}

/** Sends raw bytes to the gateway and returns status, headers and parsed JSON body. */
export async function rawRequest(
  baseUrl: string,
  path: string,
  init: { method?: string; body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; json: any; text: string }> {
  const res = await fetch(baseUrl + path, { method: init.method ?? 'POST', body: init.body, headers: init.headers });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}
