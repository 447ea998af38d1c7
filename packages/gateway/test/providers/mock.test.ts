/**
 * The built-in mock provider end to end, with the official `openai` SDK as the caller: `mock/echo`
 * answers JSON and streams with word-counted usage, calls a tool and reads its result, the
 * `mock/fail-*` probes fail as providers do, `/v1/models` lists it, and a config that disables it
 * leaves `mock/*` unknown (404) and unlisted.
 */
import { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../harness.js';

const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: { query: { type: 'string' } } } } }];

describe('the mock provider, on by default', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  it('echoes the last user text as JSON with usage counted in words, from the mock', async () => {
    const { data, response } = await h
      .client()
      .chat.completions.create({ model: 'mock/echo', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello mock world' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('Echo: hello mock world');
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage).toEqual({ prompt_tokens: 2 + 3 + 3, completion_tokens: 4, total_tokens: 12 });
    expect(response.headers.get('x-llm-edge-provider')).toBe('mock');
    expect(h.openai.calls).toHaveLength(0);
  });

  it('streams one chunk per word, and the usage chunk when asked for', async () => {
    const stream = await h.client().chat.completions.create({
      model: 'mock/echo',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'one two three' }],
    });
    const pieces: string[] = [];
    let finish: string | null | undefined;
    let usage: unknown;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) pieces.push(choice.delta.content);
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(pieces).toEqual(['Echo: ', 'one ', 'two ', 'three']);
    expect(finish).toBe('stop');
    expect(usage).toEqual({ prompt_tokens: 6, completion_tokens: 4, total_tokens: 10 });
  });

  it('calls the offered tool, then answers from its result (JSON and streamed call)', async () => {
    const question = { role: 'user' as const, content: 'weather in Oslo' };
    const first = await h.client().chat.completions.create({ model: 'mock/echo', messages: [question], tools });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' && call.function).toEqual({ name: 'lookup', arguments: JSON.stringify({ query: 'weather in Oslo' }) });
    expect(first.usage?.completion_tokens).toBe(5);

    const stream = await h.client().chat.completions.create({ model: 'mock/echo', stream: true, messages: [question], tools });
    let args = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(JSON.parse(args)).toEqual({ query: 'weather in Oslo' });
    expect(finish).toBe('tool_calls');

    const second = await h.client().chat.completions.create({
      model: 'mock/echo',
      tools,
      messages: [question, first.choices[0]!.message, { role: 'tool', tool_call_id: call!.id, content: 'sunny, 21 C' }],
    });
    expect(second.choices[0]?.message.content).toBe('Tool said: sunny, 21 C');
    expect(second.choices[0]?.finish_reason).toBe('stop');
  });

  it('answers text when tool_choice is none', async () => {
    const answer = await h.client().chat.completions.create({ model: 'mock/echo', messages: [{ role: 'user', content: 'no tools' }], tools, tool_choice: 'none' });
    expect(answer.choices[0]?.message.content).toBe('Echo: no tools');
  });

  it.each([
    ['mock/fail-500', 502],
    ['mock/fail-503', 502],
    ['mock/fail-429', 429],
    ['mock/nothing-here', 404],
  ])('%s fails as a provider would: %i to the caller', async (model, status) => {
    const err = await h.client().chat.completions.create({ model, messages: [{ role: 'user', content: 'probe' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).status).toBe(status);
  });

  it('lists its models, owned by the mock', async () => {
    const models: Array<{ id: string; owned_by: string }> = [];
    for await (const m of h.client().models.list()) models.push(m);
    expect(models).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'mock/echo', owned_by: 'mock' }), expect.objectContaining({ id: 'mock/fail-500', owned_by: 'mock' })]));
  });
});

describe('the mock provider, disabled in the config', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ configYaml: 'providers:\n  mock: { enabled: false }\n' });
  });
  afterAll(() => h.stop());

  it('is an unknown provider (404) and lists no model', async () => {
    const err = await h.client().chat.completions.create({ model: 'mock/echo', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect((err as APIError).status).toBe(404);
    const ids: string[] = [];
    for await (const m of h.client().models.list()) ids.push(m.id);
    expect(ids.some((id) => id.startsWith('mock/'))).toBe(false);
    expect(ids).toContain('gpt-4o-mini');
  });
});
