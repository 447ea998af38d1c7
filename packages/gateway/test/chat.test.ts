/**
 * The gateway through the official OpenAI SDK, against fake OpenAI and Anthropic servers:
 * JSON and streamed chat to both providers, tool calls both ways, embeddings, the models list.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectedReply, toolResultReply } from './fakes/index.js';
import { rawRequest, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());
beforeEach(() => {
  h.openai.reset();
  h.anthropic.reset();
});

const tools = [
  {
    type: 'function' as const,
    function: { name: 'lookup', description: 'Looks a thing up', parameters: { type: 'object', properties: { query: { type: 'string' } } } },
  },
];

describe.each([
  ['openai', 'gpt-4o-mini'],
  ['anthropic', 'claude-haiku-4-5'],
])('chat completions through the gateway to %s', (provider, model) => {
  it('answers JSON in the OpenAI shape with usage and the provider header', async () => {
    const { data, response } = await h
      .client()
      .chat.completions.create({ model, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello there' }] })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0]?.message.content).toBe(expectedReply('hello there'));
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage?.completion_tokens).toBe(3);
    expect(data.usage?.prompt_tokens).toBe(4 + 3); // words of system + user, plus the fakes' overhead
    expect(response.headers.get('x-llm-edge-provider')).toBe(provider);
    expect(response.headers.get('x-request-id')).toMatch(/.+/);
    const fake = provider === 'openai' ? h.openai : h.anthropic;
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]?.body.model).toBe(model);
  });

  it('streams chunk by chunk and ends with [DONE]', async () => {
    const stream = await h.client().chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: 'one two three' }] });
    const pieces: string[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      const choice = chunk.choices[0];
      if (choice?.delta.content) pieces.push(choice.delta.content);
      if (choice?.finish_reason) finish = choice.finish_reason;
    }
    expect(pieces.join('')).toBe(expectedReply('one two three'));
    expect(pieces.length).toBeGreaterThanOrEqual(4); // one chunk per word, not one aggregate
    expect(finish).toBe('stop');
  });

  it('sends usage in the stream only when asked', async () => {
    const asked = await h.client().chat.completions.create({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'count me' }] });
    let usage: unknown;
    for await (const chunk of asked) if (chunk.usage) usage = chunk.usage;
    expect(usage).toMatchObject({ completion_tokens: 3 });

    const notAsked = await h.client().chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: 'count me' }] });
    for await (const chunk of notAsked) expect(chunk.choices.length).toBeGreaterThan(0);
  });

  it('round-trips a tool call', async () => {
    const client = h.client();
    const first = await client.chat.completions.create({ model, tools, messages: [{ role: 'user', content: 'find cats' }] });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type).toBe('function');
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('lookup');
    expect(JSON.parse(call.function.arguments)).toEqual({ query: 'find cats' });

    const second = await client.chat.completions.create({
      model,
      tools,
      messages: [
        { role: 'user', content: 'find cats' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: 'three cats' },
      ],
    });
    expect(second.choices[0]?.message.content).toBe(toolResultReply('three cats'));
  });

  it('streams tool-call argument deltas the SDK assembles', async () => {
    const runner = h.client().chat.completions.stream({ model, tools, messages: [{ role: 'user', content: 'find dogs' }] });
    const final = await runner.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('lookup');
    expect(JSON.parse(call.function.arguments)).toEqual({ query: 'find dogs' });
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('honours stop sequences and max_tokens', async () => {
    const stopped = await h.client().chat.completions.create({ model, stop: ['three'], messages: [{ role: 'user', content: 'one two three four' }] });
    expect(stopped.choices[0]?.message.content).toBe('Echo: one two ');
    expect(stopped.choices[0]?.finish_reason).toBe('stop');
    const cut = await h.client().chat.completions.create({ model, max_tokens: 2, messages: [{ role: 'user', content: 'one two three four' }] });
    expect(cut.choices[0]?.finish_reason).toBe('length');
  });
});

describe('translation to Anthropic', () => {
  it('moves system prompts to `system`, images to image blocks, and requires max_tokens', async () => {
    await h.client().chat.completions.create({
      model: 'claude-sonnet-4-5',
      temperature: 1.5,
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: [{ type: 'text', text: 'what is this' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
      ],
    });
    const body = h.anthropic.calls[0]?.body;
    expect(body.system).toBe('You are terse.');
    expect(body.max_tokens).toBeGreaterThan(0);
    expect(body.temperature).toBe(1);
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'what is this' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] },
    ]);
    expect(h.anthropic.calls[0]?.headers['x-api-key']).toBe('sk-ant-fake');
    expect(h.anthropic.calls[0]?.headers['anthropic-version']).toBeDefined();
  });

  it('routes provider/model explicitly', async () => {
    const { response } = await h.client().chat.completions.create({ model: 'anthropic/claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(response.headers.get('x-llm-edge-provider')).toBe('anthropic');
    expect(h.anthropic.calls[0]?.body.model).toBe('claude-haiku-4-5');
  });
});

describe('embeddings and models', () => {
  it('passes embeddings through', async () => {
    const res = await h.client().embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(res.data).toHaveLength(2);
    expect(res.data[0]?.embedding.length).toBe(8);
  });

  it('lists the routed models', async () => {
    const ids: string[] = [];
    for await (const m of h.client().models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(['gpt-4o', 'claude-sonnet-4-5']));
  });
});

describe('the request body upstream', () => {
  // Key order, spacing and an extension field the gateway does not know: all kept byte for byte.
  const chatText = '{ "messages": [ {"content": "keep my bytes", "role": "user"} ],\n  "x_vendor_hint": {"b": 1, "a": 2}, "model": "gpt-4o-mini" }';
  const embeddingsText = '{"input": ["a",  "b"], "model": "text-embedding-3-small", "x_vendor_hint": true}';

  it('is the caller\'s bytes when the provider serves the model asked for', async () => {
    expect((await rawRequest(h.gateway.url, '/v1/chat/completions', { body: chatText, headers: { 'content-type': 'application/json' } })).status).toBe(200);
    expect(h.openai.calls[0]?.raw).toBe(chatText);
    expect((await rawRequest(h.gateway.url, '/v1/embeddings', { body: embeddingsText, headers: { 'content-type': 'application/json' } })).status).toBe(200);
    expect(h.openai.calls[1]?.raw).toBe(embeddingsText);
  });

  it('is re-encoded with the target model when the route names another', async () => {
    const text = chatText.replace('"gpt-4o-mini"', '"openai/gpt-4o-mini"');
    expect((await rawRequest(h.gateway.url, '/v1/chat/completions', { body: text, headers: { 'content-type': 'application/json' } })).status).toBe(200);
    expect(h.openai.calls[0]?.body).toMatchObject({ model: 'gpt-4o-mini', stream: false, x_vendor_hint: { b: 1, a: 2 } });
  });

  it('is re-encoded for a stream (usage is always asked for upstream)', async () => {
    const text = chatText.replace('"model"', '"stream": true, "model"').replace('keep my bytes', 'stream my bytes');
    expect((await rawRequest(h.gateway.url, '/v1/chat/completions', { body: text, headers: { 'content-type': 'application/json' } })).status).toBe(200);
    expect(h.openai.calls[0]?.body).toMatchObject({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true } });
  });
});

