// The native Responses path against the fake OpenAI over loopback: the caller's body goes
// upstream as it is, answers stay OpenAI's bytes and events, usage is read from them, and a
// failed response (JSON or streamed) is a provider failure.
import { ProviderErrorReason } from '@llm-edge/semconv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROMPT_OVERHEAD_TOKENS, startFakeOpenAI, type FakeProvider } from '../../../test/fakes/index.js';
import { ProviderSchema } from '../../config/schema.js';
import { OpenAICompatibleAdapter } from '../openai-compatible/index.js';
import type { CallOptions, NativeCall } from '../types.js';
import { OpenAIAdapter } from './index.js';
import { drain, failure } from '../../../test/providers/native-calls.js';

let fake: FakeProvider;
let adapter: OpenAIAdapter;
const options = (): CallOptions => ({ signal: new AbortController().signal, headers: { 'x-request-id': 'req-1' } });
const call = (body: unknown, over: Partial<NativeCall> = {}): NativeCall => ({
  dialect: 'responses',
  path: '/v1/responses',
  body: JSON.stringify(body),
  stream: false,
  headers: {},
  ...over,
});


const sse = (events: object[]) => events.map((e) => `event: ${(e as { type: string }).type}\ndata: ${JSON.stringify(e)}\n\n`).join('');

beforeAll(async () => {
  fake = await startFakeOpenAI();
  adapter = new OpenAIAdapter('openai', ProviderSchema.parse({ type: 'openai', baseUrl: `${fake.url}/v1`, apiKey: 'sk-fake-openai' }));
});
afterEach(() => fake.reset());
afterAll(async () => {
  await adapter.close();
  await fake.close();
});

describe('OpenAIAdapter.native (responses)', () => {
  it('speaks the responses dialect natively; OpenAI-compatible servers do not', async () => {
    expect(adapter.nativeDialects).toEqual(['responses']);
    const local = new OpenAICompatibleAdapter('local', ProviderSchema.parse({ type: 'openai-compatible', baseUrl: `${fake.url}/v1`, models: ['m'] }));
    expect(local.nativeDialects).toEqual([]);
    await local.close();
  });

  it('posts the caller body with the bearer key and returns the Response bytes with canonical usage', async () => {
    const body = { model: 'gpt-4o', instructions: 'be brief', input: [{ type: 'reasoning', id: 'rs_1', summary: [] }, { role: 'user', content: 'hello world' }] };
    const answer = await adapter.native(call(body), options());
    expect(answer.kind).toBe('json');
    if (answer.kind !== 'json') return;
    const sent = fake.calls.at(-1);
    expect(sent?.path).toBe('/v1/responses');
    expect(sent?.headers.authorization).toBe('Bearer sk-fake-openai');
    expect(sent?.headers['x-request-id']).toBe('req-1');
    expect(sent?.raw).toBe(JSON.stringify(body)); // reasoning items reach OpenAI unchanged
    expect(JSON.parse(answer.bytes.toString()).output[0].content[0].text).toBe('Echo: hello world');
    const input = 4 + PROMPT_OVERHEAD_TOKENS;
    expect(answer.usage).toEqual({ prompt_tokens: input, completion_tokens: 3, total_tokens: input + 3, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } });
  });

  it('streams OpenAI events in batches, usage on response.completed, ending after it', async () => {
    const answer = await adapter.native(call({ model: 'gpt-4o', input: 'hello world', stream: true }, { stream: true }), options());
    expect(answer.kind).toBe('stream');
    if (answer.kind !== 'stream') return;
    const events = (await drain(answer)).flat();
    const types = events.map((e) => JSON.parse(e.payload).type);
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(events.filter((e) => e.usage !== undefined)).toHaveLength(1);
    expect(events.at(-1)?.usage).toMatchObject({ prompt_tokens: 2 + PROMPT_OVERHEAD_TOKENS, completion_tokens: 3 });
  });

  it('ends a stream on response.incomplete too', async () => {
    const long = Array.from({ length: 20 }, (_, i) => `w${i}`).join(' ');
    const answer = await adapter.native(call({ model: 'gpt-4o', input: long, max_output_tokens: 16, stream: true }, { stream: true }), options());
    if (answer.kind !== 'stream') throw new Error('expected a stream');
    const events = (await drain(answer)).flat();
    expect(JSON.parse(events.at(-1)?.payload ?? '{}').type).toBe('response.incomplete');
    expect(events.at(-1)?.usage?.completion_tokens).toBe(16);
  });

  it('makes an error event mid-stream an UpstreamError', async () => {
    fake.script({ kind: 'stream-error', afterChunks: 1 });
    const answer = await adapter.native(call({ model: 'gpt-4o', input: 'hello world', stream: true }, { stream: true }), options());
    if (answer.kind !== 'stream') throw new Error('expected a stream');
    const err = await failure(drain(answer));
    expect(err.reason).toBe(ProviderErrorReason.streamBroken);
    expect(err.message).toContain('server_error');
  });

  it('makes response.failed an UpstreamError, and a stream cut before its terminal event', async () => {
    const created = { type: 'response.created', sequence_number: 0, response: { id: 'resp_1', object: 'response', status: 'in_progress', output: [] } };
    const failed = { type: 'response.failed', sequence_number: 1, response: { id: 'resp_1', object: 'response', status: 'failed', output: [], error: { code: 'server_error', message: 'boom' } } };
    fake.script({ kind: 'raw', status: 200, contentType: 'text/event-stream', body: sse([created, failed]) });
    const answer = await adapter.native(call({ model: 'gpt-4o', input: 'x', stream: true }, { stream: true }), options());
    if (answer.kind !== 'stream') throw new Error('expected a stream');
    expect((await failure(drain(answer))).message).toContain('response.failed: server_error: boom');
    fake.script({ kind: 'raw', status: 200, contentType: 'text/event-stream', body: sse([created]) });
    const cut = await adapter.native(call({ model: 'gpt-4o', input: 'x', stream: true }, { stream: true }), options());
    if (cut.kind !== 'stream') throw new Error('expected a stream');
    expect((await failure(drain(cut))).message).toContain('without response.completed');
  });

  it('treats a 200 that is a failed response, an error object or cut JSON as a provider failure', async () => {
    for (const body of [
      JSON.stringify({ id: 'resp_1', object: 'response', status: 'failed', output: [], error: { code: 'server_error', message: 'boom' } }),
      JSON.stringify({ error: { message: 'boom', type: 'server_error' } }),
      '{"id":"resp_1","object":"resp',
    ]) {
      fake.script({ kind: 'raw', status: 200, body });
      const err = await failure(adapter.native(call({ model: 'gpt-4o', input: 'x' }), options()));
      expect(err.reason).toBe(ProviderErrorReason.server);
    }
  });

  it("passes OpenAI's 400 on to the caller with its param and code", async () => {
    const err = await failure(adapter.native(call({ model: 'gpt-4o', input: 'x', previous_response_id: 'resp_nope' }), options()));
    expect(err.toGatewayError()).toMatchObject({ status: 400, param: 'previous_response_id', code: 'previous_response_not_found' });
  });
});
