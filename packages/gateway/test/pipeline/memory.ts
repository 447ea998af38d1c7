/**
 * In-memory parts for the pipeline's unit tests: a provider adapter that answers from code (no
 * socket), and the gateway's own parts built from a config, so a step or the whole pipeline runs
 * with plain values and a MemoryResponder.
 */
import { Writable } from 'node:stream';
import type { ChatCompletion, ChatRequest, Usage } from '../../src/api/types.js';
import { Gateway } from '../../src/gateway.js';
import { loadConfig } from '../../src/config/load.js';
import type { ChatAnswer, JsonAnswer, ProviderAdapter, StreamEvent } from '../../src/providers/types.js';
import { UpstreamError } from '../../src/providers/upstream-error.js';
import { ProviderErrorReason } from '@llm-edge/semconv';
import { RequestTrace } from '../../src/pipeline/request.js';

/** What the in-memory provider does with the next call. */
export type Script = 'answer' | 'fail' | { stream: StreamEvent[][]; thenFail?: boolean };

/** A provider that answers in-process: "Echo: <last user text>", JSON or streamed. */
export class MemoryProvider implements ProviderAdapter {
  readonly type = 'openai' as const;
  readonly models: readonly string[] = ['mem-model'];
  readonly host = 'memory';
  readonly calls: ChatRequest[] = [];
  readonly script: Script[] = [];

  constructor(readonly name = 'openai') {}

  async chat(request: ChatRequest, stream: boolean): Promise<ChatAnswer> {
    this.calls.push(request);
    const next = this.script.shift() ?? 'answer';
    if (next === 'fail') throw new UpstreamError(this.name, ProviderErrorReason.server, 'HTTP 503', 503);
    const text = `Echo: ${String(request.messages.at(-1)?.content ?? '')}`;
    const usage: Usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };
    if (!stream) return completionAnswer(request.model, text, usage);
    const batches = typeof next === 'object' ? next.stream : [[chunk(request.model, text)], [usageChunk(request.model, usage)]];
    const fail = typeof next === 'object' && next.thenFail;
    async function* events(): AsyncGenerator<StreamEvent[]> {
      for (const b of batches) yield b;
      if (fail) throw new UpstreamError('openai', ProviderErrorReason.streamBroken, 'cut');
    }
    return { kind: 'stream', events: events(), cancel: () => undefined };
  }

  embeddings(): Promise<JsonAnswer> {
    return Promise.reject(new Error('not used'));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export function completionAnswer(model: string, text: string, usage: Usage): JsonAnswer<ChatCompletion> {
  const value: ChatCompletion = {
    id: 'chatcmpl-mem', object: 'chat.completion', created: 1, model,
    choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: 'stop' }],
    usage,
  };
  return { kind: 'json', bytes: Buffer.from(JSON.stringify(value)), value, usage };
}

export function chunk(model: string, content: string, finish: 'stop' | null = 'stop'): StreamEvent {
  const c = { id: 'chatcmpl-mem', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta: { content }, finish_reason: finish }] };
  return { payload: JSON.stringify(c) };
}

export function usageChunk(model: string, usage: Usage): StreamEvent {
  const c = { id: 'chatcmpl-mem', object: 'chat.completion.chunk', created: 1, model, choices: [], usage };
  return { payload: JSON.stringify(c), usage, usageOnly: true };
}

/**
 * A gateway built from `configYaml` (no listener), its `openai` provider replaced by an
 * in-memory one, and the log lines it writes.
 */
export function memoryGateway(configYaml = ''): { gateway: Gateway; provider: MemoryProvider; logs: Array<Record<string, unknown>> } {
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(c: Buffer, _e, done) {
      for (const line of c.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const config = loadConfig({ OPENAI_API_KEY: 'sk-memory', ANTHROPIC_API_KEY: 'sk-memory' }, configYaml);
  const gateway = new Gateway(config, { logDestination: sink, defaultMetrics: false });
  const provider = new MemoryProvider('openai');
  gateway.providers.set('openai', provider);
  return { gateway, provider, logs };
}

/** A request's identity and trace, as the transport would make it. */
export function requestOf(gateway: Gateway, route: string, headers: Record<string, string> = {}): RequestTrace {
  return new RequestTrace(route, { 'content-type': 'application/json', ...headers }, 'POST', gateway.telemetry.tracing);
}
