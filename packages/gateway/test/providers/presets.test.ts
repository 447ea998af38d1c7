/**
 * A named preset of `openai-compatible` end to end: `groq` with nothing but its name and its
 * key variable (GROQ_API_KEY), pointed at the fake OpenAI through the base URL override, answers
 * the official `openai` SDK by `groq/<model>` and by a model it lists, JSON and streamed, with
 * the key from the variable as the bearer upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedReply, startFakeOpenAI, type FakeProvider } from '../fakes/index.js';
import { startHarness, type Harness } from '../harness.js';

const GROQ_KEY = 'gsk-fake-groq';
let groqFake: FakeProvider;
let h: Harness;
beforeAll(async () => {
  // The fake OpenAI stands in for api.groq.com: only the base URL differs from the preset's.
  groqFake = await startFakeOpenAI({ apiKey: GROQ_KEY });
  h = await startHarness({
    env: { GROQ_API_KEY: GROQ_KEY },
    configYaml: `providers:\n  groq: { type: openai-compatible, preset: groq, baseUrl: "${groqFake.url}/v1", models: [llama-3.3-70b-versatile] }\n`,
  });
});
afterAll(async () => {
  await h?.stop();
  await groqFake?.close();
});

describe('the groq preset', () => {
  it('resolves the preset from its name alone: base URL and key variable', async () => {
    const only = await startHarness({ env: { GROQ_API_KEY: 'gsk-test' }, configYaml: 'providers:\n  groq: { type: openai-compatible, preset: groq }\n' });
    try {
      const groq = only.gateway.gateway.config.providers.groq!;
      expect(groq.baseUrl).toBe('https://api.groq.com/openai/v1');
      expect(groq.apiKey).toBe('gsk-test');
      expect(only.gateway.gateway.providers.get('groq')?.host).toBe('api.groq.com');
    } finally {
      await only.stop();
    }
  });

  it('answers groq/<model> JSON through the fake, with the key from GROQ_API_KEY', async () => {
    groqFake.reset();
    const { data, response } = await h
      .client()
      .chat.completions.create({ model: 'groq/llama-3.3-70b-versatile', messages: [{ role: 'user', content: 'fast answer' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(expectedReply('fast answer'));
    expect(data.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 3 });
    expect(response.headers.get('x-llm-edge-provider')).toBe('groq');
    expect(groqFake.calls[0]?.headers.authorization).toBe(`Bearer ${GROQ_KEY}`);
    expect(groqFake.calls[0]?.body.model).toBe('llama-3.3-70b-versatile');
  });

  it('streams a model it lists, by its bare name', async () => {
    const stream = await h.client().chat.completions.create({ model: 'llama-3.3-70b-versatile', stream: true, messages: [{ role: 'user', content: 'stream it' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(expectedReply('stream it'));
  });
});
