// The native Messages path against the fake Anthropic over loopback: the caller's body goes
// upstream as it is (cache_control included), answers stay Anthropic's bytes and events, and
// usage is read from them.
import { ProviderErrorReason } from '@llm-edge/semconv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROMPT_OVERHEAD_TOKENS, startFakeAnthropic, type FakeProvider } from '../../../test/fakes/index.js';
import { ProviderSchema } from '../../config/schema.js';
import type { CallOptions, NativeCall } from '../types.js';
import { AnthropicAdapter } from './index.js';
import { drain, failure } from '../../../test/providers/native-calls.js';

let fake: FakeProvider;
let adapter: AnthropicAdapter;
const options = (): CallOptions => ({ signal: new AbortController().signal, headers: { 'x-request-id': 'req-1' } });
const policy = 'policy '.repeat(40).trim(); // 40 words
const cachedBody = (question: string, extra: Record<string, unknown> = {}) => ({
  model: 'claude-sonnet-4-5',
  max_tokens: 100,
  system: [{ type: 'text', text: policy, cache_control: { type: 'ephemeral' } }],
  messages: [{ role: 'user', content: question }],
  ...extra,
});
const call = (body: unknown, over: Partial<NativeCall> = {}): NativeCall => ({
  dialect: 'messages',
  path: '/v1/messages',
  body: JSON.stringify(body),
  stream: false,
  headers: {},
  ...over,
});


beforeAll(async () => {
  fake = await startFakeAnthropic();
  adapter = new AnthropicAdapter('anthropic', ProviderSchema.parse({ type: 'anthropic', baseUrl: fake.url, apiKey: 'sk-ant-fake' }));
});
afterEach(() => fake.reset());
afterAll(async () => {
  await adapter.close();
  await fake.close();
});

describe('AnthropicAdapter.native', () => {
  it('speaks the messages dialect natively', () => {
    expect(adapter.nativeDialects).toEqual(['messages']);
  });

  it('sends the caller bytes with its key, the caller anthropic-version and anthropic-beta; answers the provider bytes with cached usage counted', async () => {
    const body = JSON.stringify(cachedBody('first question'));
    const first = await adapter.native(call(undefined, { body, headers: { 'anthropic-version': '2023-01-01', 'anthropic-beta': 'prompt-caching-2024-07-31' } }), options());
    if (first.kind !== 'json') throw new Error('expected JSON');
    const sent = fake.calls[0]!;
    expect(sent.raw).toBe(body);
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers).toMatchObject({ 'x-api-key': 'sk-ant-fake', 'anthropic-version': '2023-01-01', 'anthropic-beta': 'prompt-caching-2024-07-31', 'x-request-id': 'req-1' });
    expect(JSON.parse(first.bytes.toString())).toEqual(first.value);
    expect(first.value).toMatchObject({ type: 'message', usage: { cache_creation_input_tokens: 40, cache_read_input_tokens: 0, input_tokens: 2 + PROMPT_OVERHEAD_TOKENS } });
    // cache writes count as prompt tokens; nothing was read yet
    expect(first.usage).toEqual({ prompt_tokens: 42 + PROMPT_OVERHEAD_TOKENS, completion_tokens: 3, total_tokens: 45 + PROMPT_OVERHEAD_TOKENS });

    const again = await adapter.native(call(cachedBody('second question')), options());
    if (again.kind !== 'json') throw new Error('expected JSON');
    expect(fake.calls[1]!.headers['anthropic-version']).toBe('2023-06-01'); // the configured version when the caller sent none
    expect(fake.calls[1]!.headers['anthropic-beta']).toBeUndefined();
    expect(again.usage).toEqual({ prompt_tokens: 42 + PROMPT_OVERHEAD_TOKENS, completion_tokens: 3, total_tokens: 45 + PROMPT_OVERHEAD_TOKENS, prompt_tokens_details: { cached_tokens: 40 } });
  });

  it('count_tokens answers {input_tokens} with no usage', async () => {
    const answer = await adapter.native(call({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'one two' }] }, { path: '/v1/messages/count_tokens' }), options());
    expect(answer).toMatchObject({ kind: 'json', value: { input_tokens: 2 + PROMPT_OVERHEAD_TOKENS }, usage: undefined });
    expect(fake.calls[0]!.path).toBe('/v1/messages/count_tokens');
  });

  it('streams Anthropic event payloads in batches, usage on message_start and the merged final usage on message_delta, ending after message_stop', async () => {
    await adapter.native(call(cachedBody('warm up')), options());
    const answer = await adapter.native(call(cachedBody('alpha beta', { stream: true }), { stream: true }), options());
    if (answer.kind !== 'stream') throw new Error('expected a stream');
    const batches = await drain(answer);
    expect(batches.every((b) => b.length > 0)).toBe(true);
    const events = batches.flat();
    const types = events.map((e) => (JSON.parse(e.payload) as { type: string }).type);
    expect(types[0]).toBe('message_start');
    expect(types.at(-2)).toBe('message_delta');
    expect(types.at(-1)).toBe('message_stop');
    expect(types).toContain('ping');
    expect(events.filter((e) => e.usage).map((e) => JSON.parse(e.payload).type)).toEqual(['message_start', 'message_delta']);
    expect(events[0]!.chunk).toBeUndefined();
    const delta = events.at(-2)!;
    expect(delta.usage).toEqual({ prompt_tokens: 42 + PROMPT_OVERHEAD_TOKENS, completion_tokens: 3, total_tokens: 45 + PROMPT_OVERHEAD_TOKENS, prompt_tokens_details: { cached_tokens: 40 } });
    expect(JSON.parse(events[0]!.payload).message.usage.cache_read_input_tokens).toBe(40);
  });

  it('an `error` event mid-stream is an UpstreamError after the events before it', async () => {
    fake.script({ kind: 'stream-error', afterChunks: 1 });
    const answer = await adapter.native(call({ ...cachedBody('a b c'), stream: true }, { stream: true }), options());
    if (answer.kind !== 'stream') throw new Error('expected a stream');
    const seen: string[] = [];
    const err = await failure(
      (async () => {
        for (;;) {
          const next = await answer.events.next();
          if (next.done) return;
          for (const e of next.value) seen.push(JSON.parse(e.payload).type);
        }
      })(),
    );
    expect(err.reason).toBe(ProviderErrorReason.streamBroken);
    expect(err.message).toContain('overloaded_error');
    expect(seen).toContain('message_start');
    expect(seen).not.toContain('message_stop');
  });

  it('a stream cut before message_stop is an UpstreamError, never a clean end', async () => {
    fake.script({ kind: 'break-stream', afterChunks: 1 });
    const answer = await adapter.native(call({ ...cachedBody('a b c'), stream: true }, { stream: true }), options());
    if (answer.kind !== 'stream') throw new Error('expected a stream');
    const err = await failure(drain(answer));
    expect([ProviderErrorReason.streamBroken, ProviderErrorReason.connection]).toContain(err.reason);
  });

  it("passes the provider's 400 to the caller and treats a 200 that is not a message as a server failure", async () => {
    const bad = await failure(adapter.native(call({ ...cachedBody('x'), temperature: 2 }), options()));
    expect(bad.reason).toBe(ProviderErrorReason.client);
    expect(bad.toGatewayError()).toMatchObject({ status: 400, message: 'temperature: Input should be less than or equal to 1' });

    fake.script({ kind: 'raw', status: 200, body: '{"type":"error","error":{"type":"api_error","message":"x"}}' });
    const odd = await failure(adapter.native(call(cachedBody('x')), options()));
    expect(odd.reason).toBe(ProviderErrorReason.server);

    fake.script({ kind: 'raw', status: 200, body: '{"input_tokens":"many"}' });
    const count = await failure(adapter.native(call(cachedBody('x'), { path: '/v1/messages/count_tokens' }), options()));
    expect(count.reason).toBe(ProviderErrorReason.server);
  });

  it('refuses a dialect or path it does not serve natively, without calling upstream', async () => {
    const err = await failure(adapter.native(call(cachedBody('x'), { dialect: 'responses', path: '/v1/responses' }), options()));
    expect(err.toGatewayError().status).toBe(404);
    expect(fake.calls).toHaveLength(0);
  });
});
