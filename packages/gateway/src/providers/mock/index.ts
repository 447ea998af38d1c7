/**
 * The built-in `mock` provider: answers in-process, with no socket and no key, so a fresh
 * gateway serves `mock/echo` and operators have a synthetic probe target (`mock/fail-500`, ...).
 * JSON answers and streams are OpenAI's shapes, with usage, as any provider's answers.
 */
import { ProviderErrorReason } from '@llm-edge/semconv';
import type { ChatChunk, ChatCompletion, ChatRequest, EmbeddingsRequest } from '../../api/types.js';
import type { ProviderConfig } from '../../config/schema.js';
import type { CallOptions, ChatAnswer, JsonAnswer, ProviderAdapter, StreamEvent } from '../types.js';
import { providerClientError, UpstreamError } from '../upstream-error.js';
import { countWords, echoAnswer, type EchoAnswer } from './echo-model.js';
import { behaviourOf, MOCK_MODELS } from './probes.js';

/** `created` of every answer: fixed, so equal requests give equal bytes. */
const CREATED = 1_700_000_000;

export class MockAdapter implements ProviderAdapter {
  readonly type = 'mock' as const;
  readonly models: readonly string[];
  readonly host = 'in-process';
  private answers = 0;

  constructor(
    readonly name: string,
    config: ProviderConfig,
  ) {
    this.models = config.models.length > 0 ? config.models : MOCK_MODELS;
  }

  chat(request: ChatRequest, stream: boolean, options: CallOptions): Promise<ChatAnswer> {
    this.check(request.model, options);
    const id = `chatcmpl-mock-${++this.answers}`;
    const answer = echoAnswer(request);
    if (!stream) {
      const value = completion(id, request.model, answer, `call_mock_${this.answers}`);
      return Promise.resolve({ kind: 'json', bytes: Buffer.from(JSON.stringify(value)), value, usage: answer.usage });
    }
    const events = streamEvents(id, request.model, answer, `call_mock_${this.answers}`);
    let sent = false;
    const iterator: AsyncIterator<StreamEvent[]> = {
      next: () => {
        if (sent) return Promise.resolve({ done: true, value: undefined });
        sent = true;
        return Promise.resolve({ done: false, value: events });
      },
    };
    return Promise.resolve({ kind: 'stream', events: iterator, cancel: () => void (sent = true) });
  }

  /** Deterministic 8-dimension vectors (from the text's hash), so embeddings can be probed too. */
  embeddings(request: EmbeddingsRequest, options: CallOptions): Promise<JsonAnswer> {
    this.check(request.model, options);
    const inputs = Array.isArray(request.input) ? request.input : [request.input];
    const texts = inputs.map((i) => (typeof i === 'string' ? i : JSON.stringify(i)));
    const tokens = texts.reduce((n, t) => n + countWords(t), 0);
    const data = texts.map((text, index) => ({ object: 'embedding', index, embedding: vectorOf(text) }));
    const value = { object: 'list', data, model: request.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
    return Promise.resolve({ kind: 'json', bytes: Buffer.from(JSON.stringify(value)), value, usage: { ...value.usage, completion_tokens: 0 } });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Fails as the model name asks (or as an unknown model); an aborted attempt fails like a cut connection. */
  private check(model: string, options: CallOptions): void {
    if (options.signal.aborted) throw new UpstreamError(this.name, ProviderErrorReason.connection, 'the attempt was aborted');
    const behaviour = behaviourOf(model);
    if (behaviour.kind === 'echo') return;
    if (behaviour.kind === 'unknown') {
      const body = JSON.stringify({ error: { message: `The mock has no model '${model}' (try mock/echo).`, type: 'invalid_request_error', param: 'model', code: 'model_not_found' } });
      throw new UpstreamError(this.name, ProviderErrorReason.client, 'HTTP 404', 404, undefined, providerClientError(this.name, 404, Buffer.from(body)));
    }
    const { status } = behaviour;
    if (status === 429) throw new UpstreamError(this.name, ProviderErrorReason.rateLimited, 'rate limited', 429, 1);
    if (status >= 500 || status === 408) throw new UpstreamError(this.name, ProviderErrorReason.server, `HTTP ${status}`, status);
    const body = JSON.stringify({ error: { message: `mock/fail-${status} failed as asked.`, type: 'invalid_request_error', param: null, code: null } });
    throw new UpstreamError(this.name, ProviderErrorReason.client, `HTTP ${status}`, status, undefined, providerClientError(this.name, status, Buffer.from(body)));
  }
}

function completion(id: string, model: string, answer: EchoAnswer, callId: string): ChatCompletion {
  const message: ChatCompletion['choices'][number]['message'] =
    answer.kind === 'text'
      ? { role: 'assistant', content: answer.words.join(''), refusal: null }
      : { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: callId, type: 'function', function: { name: answer.name, arguments: answer.arguments } }] };
  const finish = answer.kind === 'text' ? answer.finish : 'tool_calls';
  return { id, object: 'chat.completion', created: CREATED, model, choices: [{ index: 0, message, logprobs: null, finish_reason: finish }], usage: answer.usage };
}

/** A role chunk, one chunk per word (or the call, its arguments in one delta), the finish chunk, the usage-only chunk. */
function streamEvents(id: string, model: string, answer: EchoAnswer, callId: string): StreamEvent[] {
  const chunk = (delta: ChatChunk['choices'][number]['delta'], finish: ChatChunk['choices'][number]['finish_reason'] = null): StreamEvent => {
    const value: ChatChunk = { id, object: 'chat.completion.chunk', created: CREATED, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
    return { payload: JSON.stringify(value), chunk: value };
  };
  const events: StreamEvent[] = [];
  if (answer.kind === 'text') {
    events.push(chunk({ role: 'assistant', content: '' }));
    for (const word of answer.words) events.push(chunk({ content: word }));
    events.push(chunk({}, answer.finish));
  } else {
    events.push(chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: callId, type: 'function', function: { name: answer.name, arguments: '' } }] }));
    events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: answer.arguments } }] }));
    events.push(chunk({}, 'tool_calls'));
  }
  const last: ChatChunk = { id, object: 'chat.completion.chunk', created: CREATED, model, choices: [], usage: answer.usage };
  events.push({ payload: JSON.stringify(last), chunk: last, usage: answer.usage, usageOnly: true });
  return events;
}

/** A unit vector from the text's FNV-1a hash, spread by xorshift: same text, same vector. */
function vectorOf(text: string): number[] {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  const raw = Array.from({ length: 8 }, () => {
    h ^= h << 13;
    h ^= h >>> 17;
    h ^= h << 5;
    h >>>= 0;
    return h / 0xffffffff - 0.5;
  });
  const norm = Math.sqrt(raw.reduce((n, v) => n + v * v, 0)) || 1;
  return raw.map((v) => v / norm);
}
