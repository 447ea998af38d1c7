/**
 * The Vercel AI SDK's default OpenAI provider (`openai(model)` in AI SDK 5 and later calls the
 * Responses API) pointed at the gateway with `createOpenAI({ baseURL })`: generateText,
 * streamText and a tool call, for an OpenAI model and a Claude one.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedReply } from './fakes/index.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

const provider = () => createOpenAI({ baseURL: `${h.gateway.url}/v1`, apiKey: 'unused' });

describe.each(['gpt-4o-mini', 'claude-haiku-4-5'])('AI SDK default provider with %s', (model) => {
  it('generateText goes through /v1/responses', async () => {
    const prompt = `ai sdk says hi ${model}`;
    const before = (model.startsWith('claude') ? h.anthropic : h.openai).calls.length;
    const { text, usage } = await generateText({ model: provider()(model), prompt });
    expect(text).toBe(expectedReply(prompt));
    expect(usage.outputTokens).toBeGreaterThan(0);
    const calls = (model.startsWith('claude') ? h.anthropic : h.openai).calls.slice(before);
    expect(calls.map((c) => c.path)).toEqual([model.startsWith('claude') ? '/v1/messages' : '/v1/responses']);
  });

  it('streamText streams the text', async () => {
    const prompt = `ai sdk streams ${model} one two`;
    const result = streamText({ model: provider()(model), prompt, headers: { 'cache-control': 'no-store' } });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe(expectedReply(prompt));
  });

  it('calls a tool', async () => {
    const prompt = `weather in Tromsø ${model}`;
    const result = await generateText({
      model: provider()(model),
      prompt,
      tools: {
        get_weather: tool({ description: 'Weather for a city', inputSchema: jsonSchema<{ query: string }>({ type: 'object', properties: { query: { type: 'string' } }, required: ['query'] }) }),
      },
    });
    expect(result.toolCalls).toEqual([expect.objectContaining({ toolName: 'get_weather', input: { query: prompt } })]);
  });
});
