/**
 * The two new dialects end to end with the official SDKs as callers, against both fake
 * providers: Anthropic Messages (native to Claude, translated to OpenAI models) and OpenAI
 * Responses (native to OpenAI where it speaks it, translated to Claude), JSON and streamed,
 * with tools, and each dialect's errors in its own shape.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedReply, toolResultReply } from './fakes/index.js';
import { PATIENT_L2, rawRequest, startHarness, type Harness } from './harness.js';
import { startRedis, type RedisServer } from './redis.js';

const KEY = 'sk-dialects';
const OTHER = 'sk-dialects-other';
let redis: RedisServer;
let h: Harness;
let replica: Harness;
beforeAll(async () => {
  redis = await startRedis();
  const env = { LLM_EDGE_API_KEYS: `${KEY},${OTHER}`, REDIS_URL: redis.url };
  // `flaky-claude`: Anthropic natively, falling back to OpenAI translated.
  const routes = 'routes:\n  - match: flaky-claude\n    targets: [{ provider: anthropic, model: claude-haiku-4-5 }]\n    fallbacks: [{ provider: openai, model: gpt-4o-mini }]\n';
  h = await startHarness({ env, configYaml: PATIENT_L2 + routes });
  // A second replica of the same deployment: the same Redis and the same providers.
  replica = await startHarness({ env: { ...env, OPENAI_BASE_URL: `${h.openai.url}/v1`, ANTHROPIC_BASE_URL: h.anthropic.url }, configYaml: PATIENT_L2 });
});
afterAll(async () => {
  await Promise.all([h.stop(), replica.stop()]);
  await redis.stop();
});

const anthropic = (key = KEY, gw = h) => new Anthropic({ apiKey: key, baseURL: gw.gateway.url, maxRetries: 0 });
const openai = (key = KEY, gw = h) => new OpenAI({ apiKey: key, baseURL: `${gw.gateway.url}/v1`, maxRetries: 0 });
const weather = { name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object' as const, properties: { query: { type: 'string' } } } };

describe.each(['claude-haiku-4-5', 'gpt-4o-mini'])('Messages with %s', (model) => {
  const native = model.startsWith('claude');
  it('messages.create answers, with usage, and the provider named', async () => {
    const prompt = `hello messages ${model}`;
    const { data, response } = await anthropic().messages.create({ model, max_tokens: 64, messages: [{ role: 'user', content: prompt }] }).withResponse();
    expect(data.type).toBe('message');
    expect(data.content).toEqual([expect.objectContaining({ type: 'text', text: expectedReply(prompt) })]);
    expect(data.stop_reason).toBe('end_turn');
    expect(data.usage.output_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-llm-edge-provider')).toBe(native ? 'anthropic' : 'openai');
    const sent = native ? h.anthropic.calls.at(-1) : h.openai.calls.at(-1);
    expect(sent?.path).toBe(native ? '/v1/messages' : '/v1/chat/completions');
  });

  it('messages.stream accumulates the whole message', async () => {
    const prompt = `stream messages ${model} one two three`;
    const final = await anthropic().messages.stream({ model, max_tokens: 64, messages: [{ role: 'user', content: prompt }] }, { headers: { 'cache-control': 'no-store' } }).finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'text', text: expectedReply(prompt) });
    expect(final.stop_reason).toBe('end_turn');
  });

  it('a tool_use round trip', async () => {
    const question = `weather in Oslo ${model}`;
    const first = await anthropic().messages.create({ model, max_tokens: 64, tools: [weather], messages: [{ role: 'user', content: question }] });
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((b) => b.type === 'tool_use')!;
    expect(use).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { query: question } });
    const second = await anthropic().messages.create({
      model, max_tokens: 64, tools: [weather],
      messages: [
        { role: 'user', content: question },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'sunny' }] },
      ],
    });
    expect(second.content[0]).toMatchObject({ type: 'text', text: toolResultReply('sunny') });
  });

  it('countTokens', async () => {
    const counted = await anthropic().messages.countTokens({ model, messages: [{ role: 'user', content: 'count these four words' }] });
    expect(counted.input_tokens).toBeGreaterThan(0);
  });
});

describe('Messages specifics', () => {
  it('takes the key as x-api-key, as Claude Code sends it', async () => {
    const res = await rawRequest(h.gateway.url, '/v1/messages', {
      body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'x-api-key' }] }),
      headers: { 'content-type': 'application/json', 'x-api-key': KEY, 'anthropic-version': '2023-06-01' },
    });
    expect(res.status).toBe(200);
  });

  it('keeps cache_control and anthropic-beta on the native path, and counts the cache tokens', async () => {
    const system = [{ type: 'text' as const, text: 'a long system prompt worth caching '.repeat(20), cache_control: { type: 'ephemeral' as const } }];
    const ask = () => anthropic().messages.create({ model: 'claude-haiku-4-5', max_tokens: 16, system, messages: [{ role: 'user', content: `cached prefix ${Math.random()}` }] }, { headers: { 'anthropic-beta': 'prompt-caching-2024-07-31', 'cache-control': 'no-store' } });
    const first = await ask();
    const call = h.anthropic.calls.at(-1)!;
    expect(call.body.system[0].cache_control).toEqual({ type: 'ephemeral' });
    expect(call.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31');
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(0);
    const second = await ask();
    expect(second.usage.cache_read_input_tokens).toBeGreaterThan(0);
  });

  it.each([
    ['malformed JSON', '{"model":', 400, 'invalid_request_error'],
    ['no max_tokens', JSON.stringify({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'x' }] }), 400, 'invalid_request_error'],
    ['a bad role', JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 5, messages: [{ role: 'robot', content: 'x' }] }), 400, 'invalid_request_error'],
    ['an unknown model', JSON.stringify({ model: 'nope', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }), 404, 'not_found_error'],
  ])('%s: the status and the Messages error shape', async (_name, body, status, type) => {
    const res = await rawRequest(h.gateway.url, '/v1/messages', { body, headers: { 'content-type': 'application/json', 'x-api-key': KEY } });
    expect(res.status).toBe(status);
    expect(res.json).toEqual({ type: 'error', error: { type, message: expect.any(String) } });
  });

  it('a bad key is an authentication_error the SDK raises', async () => {
    await expect(anthropic('sk-wrong').messages.create({ model: 'claude-haiku-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
  });
});

describe.each(['gpt-4o-mini', 'claude-haiku-4-5'])('Responses with %s', (model) => {
  it('responses.create answers with output_text and usage', async () => {
    const prompt = `hello responses ${model}`;
    const response = await openai().responses.create({ model, input: prompt });
    expect(response.object).toBe('response');
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe(expectedReply(prompt));
    expect(response.usage?.output_tokens).toBeGreaterThan(0);
  });

  it('streams the Responses event sequence', async () => {
    const prompt = `stream responses ${model} a b c`;
    const stream = await openai().responses.create({ model, input: prompt, stream: true }, { headers: { 'cache-control': 'no-store' } });
    const types: string[] = [];
    let text = '';
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = event.response;
    }
    expect(text).toBe(expectedReply(prompt));
    expect(types[0]).toBe('response.created');
    expect(types).toContain('response.output_item.added');
    expect(types.at(-1)).toBe('response.completed');
    expect(completed?.output_text ?? completed?.output).toBeTruthy();
  });

  it('a function-tool round trip', async () => {
    const question = `weather in Bergen ${model}`;
    const tools = [{ type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: { query: { type: 'string' } } }, strict: false }];
    const first = await openai().responses.create({ model, input: question, tools });
    const call = first.output.find((o) => o.type === 'function_call') as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call).toMatchObject({ name: 'get_weather' });
    expect(JSON.parse(call.arguments)).toEqual({ query: question });
    const second = await openai().responses.create({
      model, tools,
      input: [{ role: 'user', content: question }, call, { type: 'function_call_output', call_id: call.call_id, output: 'rainy' }],
    });
    expect(second.output_text).toBe(toolResultReply('rainy'));
  });

  it('previous_response_id continues on another replica sharing Redis, and retrieve/delete work', async () => {
    const first = await openai().responses.create({ model, input: `remember ${model} ${Date.now()}` });
    await h.gateway.gateway.cache.drain();
    const followUp = await openai(KEY, replica).responses.create({ model, input: 'and now?', previous_response_id: first.id });
    expect(followUp.output_text).toBe(expectedReply('and now?'));
    const sent = model.startsWith('claude') ? h.anthropic.calls.at(-1)! : h.openai.calls.at(-1)!;
    // The follow-up carried the earlier turns (natively through the provider's own store, or translated).
    expect(JSON.stringify(sent.body)).toMatch(/remember|previous_response_id/);
    expect((await openai(KEY, replica).responses.retrieve(first.id)).id).toBe(first.id);
    await openai(KEY, replica).responses.delete(first.id);
    await expect(openai(KEY, replica).responses.retrieve(first.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe('Responses specifics', () => {
  it('an unknown previous_response_id and another tenant\'s are 404 in the OpenAI shape', async () => {
    const mine = await openai().responses.create({ model: 'claude-haiku-4-5', input: 'private' });
    await expect(openai(OTHER).responses.create({ model: 'claude-haiku-4-5', input: 'x', previous_response_id: mine.id })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(openai().responses.create({ model: 'claude-haiku-4-5', input: 'x', previous_response_id: 'resp_nope' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(openai(OTHER).responses.retrieve(mine.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it.each([
    ['malformed JSON', '{"model"', 400, null],
    ['input of the wrong type', JSON.stringify({ model: 'gpt-4o-mini', input: 5 }), 400, 'input'],
    ['an item with a bad role', JSON.stringify({ model: 'gpt-4o-mini', input: [{ role: 'robot', content: 'x' }] }), 400, 'input[0].role'],
  ])('%s: the status and the OpenAI error shape', async (_name, body, status, param) => {
    const res = await rawRequest(h.gateway.url, '/v1/responses', { body, headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(status);
    expect(res.json.error).toMatchObject({ type: 'invalid_request_error', param });
  });
});

describe('resilience in every dialect', () => {
  it('fails over from a native target to a translated one before the first byte', async () => {
    h.anthropic.script({ kind: 'status', status: 500 }, { kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    const prompt = 'fail over please';
    const { data, response } = await anthropic().messages.create({ model: 'flaky-claude', max_tokens: 32, messages: [{ role: 'user', content: prompt }] }, { headers: { 'cache-control': 'no-store' } }).withResponse();
    expect(response.headers.get('x-llm-edge-provider')).toBe('openai');
    expect(data.content[0]).toMatchObject({ type: 'text', text: expectedReply(prompt) });
    h.anthropic.reset();
  });

  it.each(['claude-haiku-4-5', 'gpt-4o-mini'])('a Messages stream to %s that breaks after the first byte ends with an error event the SDK raises', async (model) => {
    const fake = model.startsWith('claude') ? h.anthropic : h.openai;
    fake.script({ kind: 'break-stream', afterChunks: 2 });
    const stream = anthropic().messages.stream({ model, max_tokens: 64, messages: [{ role: 'user', content: 'one two three four five six' }] }, { headers: { 'cache-control': 'no-store' } });
    await expect(stream.finalMessage()).rejects.toThrow();
    fake.reset();
  });

  it.each(['gpt-4o-mini', 'claude-haiku-4-5'])('a Responses stream to %s that breaks after the first byte raises in the SDK', async (model) => {
    const fake = model.startsWith('claude') ? h.anthropic : h.openai;
    fake.script({ kind: 'break-stream', afterChunks: 2 });
    const consume = async () => {
      const stream = await openai().responses.create({ model, input: 'one two three four five six', stream: true }, { headers: { 'cache-control': 'no-store' } });
      for await (const _event of stream) void _event;
    };
    await expect(consume()).rejects.toThrow();
    fake.reset();
  });

  it('keeps each dialect\'s answers apart in the cache', async () => {
    const prompt = `one prompt, three dialects ${Date.now()}`;
    const chat = await openai().chat.completions.create({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: prompt }] });
    expect(chat.object).toBe('chat.completion');
    const { data, response } = await anthropic().messages.create({ model: 'claude-haiku-4-5', max_tokens: 4096, messages: [{ role: 'user', content: prompt }] }).withResponse();
    expect(data.type).toBe('message');
    expect(response.headers.get('x-llm-edge-cache')).toBe('miss');
    const again = await anthropic().messages.create({ model: 'claude-haiku-4-5', max_tokens: 4096, messages: [{ role: 'user', content: prompt }] }).withResponse();
    expect(again.response.headers.get('x-llm-edge-cache')).toBe('hit-l1');
    expect(again.data).toEqual(data);
  });
});
