/**
 * The Gemini API end to end: the official `openai` SDK calls the gateway, which translates to
 * generateContent / streamGenerateContent?alt=sse / embedContent / batchEmbedContents on the fake
 * Gemini API (which validates the request shapes as Google does). JSON and streams with exact
 * usage (thinking tokens as completion), a system prompt, images, a tool round trip (the
 * functionResponse carrying the call's name), Gemini 3 thought signatures carried through the
 * tool call id, json_schema output, embeddings, RESOURCE_EXHAUSTED with RetryInfo, 5xx, a 400
 * passed on, a refused key, broken answers, and no key in logs or /metrics.
 */
import { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  GEMINI_API_KEY,
  PROMPT_OVERHEAD_TOKENS,
  THOUGHT_TOKENS,
  TOOL_CALL_TOKENS,
  chunkWords,
  embeddingOf,
  expectedReply,
  googleError,
  startFakeGemini,
  toolResultReply,
  type FakeProvider,
} from '../fakes/index.js';
import { startHarness, type Harness } from '../harness.js';

let fake: FakeProvider;
let h: Harness;
beforeAll(async () => {
  fake = await startFakeGemini();
  h = await startHarness({
    configYaml: [
      'providers:',
      `  gemini: { type: gemini, baseUrl: "${fake.url}", apiKey: "${GEMINI_API_KEY}" }`,
      `  gemini-wrong: { type: gemini, baseUrl: "${fake.url}", apiKey: "wrong-gemini-key-zzz" }`,
      // The failure tests must not open the breaker or spend the retry budget of the tests after them.
      'resilience: { breaker: { failureThreshold: 1000, minRequests: 1000 }, budget: { minRetries: 1000 } }',
      '',
    ].join('\n'),
  });
});
afterAll(async () => {
  await h.stop();
  await fake.close();
});
beforeEach(() => fake.reset());

const FLASH = 'gemini/gemini-2.5-flash';
const strictTool = {
  type: 'function' as const,
  function: {
    name: 'lookup',
    description: 'Looks a thing up',
    strict: true,
    parameters: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { query: { type: 'string' } }, required: ['query'], additionalProperties: false },
  },
};

async function caught(p: Promise<unknown>): Promise<APIError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(APIError);
  return err as APIError;
}

describe('gemini chat', () => {
  it('answers JSON with exact usage (thinking counted as completion), the system prompt as systemInstruction, the key in x-goog-api-key', async () => {
    const { data, response } = await h
      .client('caller-key')
      .chat.completions.create({
        model: FLASH,
        temperature: 0.3,
        top_p: 0.9,
        max_tokens: 50,
        stop: ['zzz'],
        messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello gemini' }],
      })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(expectedReply('hello gemini'));
    expect(data.choices[0]?.finish_reason).toBe('stop');
    const prompt = 2 + 2 + PROMPT_OVERHEAD_TOKENS;
    expect(data.usage).toEqual({ prompt_tokens: prompt, completion_tokens: 3 + THOUGHT_TOKENS, total_tokens: prompt + 3 + THOUGHT_TOKENS, completion_tokens_details: { reasoning_tokens: THOUGHT_TOKENS } });
    expect(response.headers.get('x-llm-edge-provider')).toBe('gemini');
    const call = fake.calls[0]!;
    expect(call.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(call.headers['x-goog-api-key']).toBe(GEMINI_API_KEY);
    expect(JSON.stringify(call.headers)).not.toContain('caller-key');
    expect(call.body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'hello gemini' }] }],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: { temperature: 0.3, topP: 0.9, maxOutputTokens: 50, stopSequences: ['zzz'] },
    });
  });

  it('sends multi-turn history as user/model turns, and images inline or by URI', async () => {
    const res = await h.client().chat.completions.create({
      model: 'gemini/gemini-2.0-flash',
      messages: [
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'first answer' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what are these' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.webp' } },
          ],
        },
      ],
    });
    expect(res.choices[0]?.message.content).toBe(expectedReply('what are these'));
    expect(res.usage).toEqual({ prompt_tokens: 7 + PROMPT_OVERHEAD_TOKENS, completion_tokens: 4, total_tokens: 11 + PROMPT_OVERHEAD_TOKENS });
    expect(fake.calls[0]!.body.contents).toEqual([
      { role: 'user', parts: [{ text: 'first question' }] },
      { role: 'model', parts: [{ text: 'first answer' }] },
      { role: 'user', parts: [{ text: 'what are these' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }, { fileData: { mimeType: 'image/webp', fileUri: 'https://example.com/cat.webp' } }] },
    ]);
  });

  it('streams a role chunk, one delta per word, the finish, then the usage-only chunk', async () => {
    const stream = await h.client().chat.completions.create({ model: FLASH, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'one two three' }] });
    const pieces: string[] = [];
    const seen: Array<Record<string, unknown>> = [];
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) pieces.push(choice.delta.content);
      seen.push({ role: choice?.delta.role, finish: choice?.finish_reason ?? null, usage: chunk.usage ?? null, choices: chunk.choices.length });
    }
    expect(pieces).toEqual(chunkWords(expectedReply('one two three')));
    expect(seen[0]).toMatchObject({ role: 'assistant' });
    expect(seen.at(-2)).toMatchObject({ finish: 'stop', usage: null });
    const prompt = 3 + PROMPT_OVERHEAD_TOKENS;
    expect(seen.at(-1)).toEqual({ role: undefined, finish: null, choices: 0, usage: { prompt_tokens: prompt, completion_tokens: 4 + THOUGHT_TOKENS, total_tokens: prompt + 4 + THOUGHT_TOKENS, completion_tokens_details: { reasoning_tokens: THOUGHT_TOKENS } } });
    expect(fake.calls[0]!.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');

    const quiet = await h.client().chat.completions.create({ model: FLASH, stream: true, messages: [{ role: 'user', content: 'no usage asked' }] });
    for await (const chunk of quiet) expect(chunk.choices.length).toBeGreaterThan(0);
  });

  it('makes a tool round trip: functionCall -> tool_calls, the tool result -> a functionResponse with the call name', async () => {
    const client = h.client();
    const question = { role: 'user' as const, content: 'find cats' };
    const first = await client.chat.completions.create({ model: FLASH, tools: [strictTool], tool_choice: 'required', messages: [question] });
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(first.choices[0]?.message.content).toBeNull();
    const call = first.choices[0]!.message.tool_calls![0]!;
    if (call.type !== 'function') throw new Error('expected a function call');
    expect(call.id).toMatch(/^call_/);
    expect([call.function.name, JSON.parse(call.function.arguments)]).toEqual(['lookup', { query: 'find cats' }]);
    expect(first.usage).toMatchObject({ completion_tokens: TOOL_CALL_TOKENS + THOUGHT_TOKENS });
    const sent = fake.calls[0]!.body;
    expect(sent.tools).toEqual([{ functionDeclarations: [{ name: 'lookup', description: 'Looks a thing up', parametersJsonSchema: strictTool.function.parameters }] }]);
    expect(sent.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } });

    const second = await client.chat.completions.create({
      model: FLASH,
      tools: [strictTool],
      messages: [question, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'three cats' }],
    });
    expect(second.choices[0]?.message.content).toBe(toolResultReply('three cats'));
    expect(second.choices[0]?.finish_reason).toBe('stop');
    expect(fake.calls[1]!.body.contents).toEqual([
      { role: 'user', parts: [{ text: 'find cats' }] },
      { role: 'model', parts: [{ functionCall: { name: 'lookup', args: { query: 'find cats' } } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'lookup', response: { output: 'three cats' } } }] },
    ]);

    const named = await client.chat.completions.create({ model: FLASH, tools: [strictTool, { ...strictTool, function: { ...strictTool.function, name: 'weather' } }], tool_choice: { type: 'function', function: { name: 'weather' } }, messages: [{ role: 'user', content: 'rain?' }] });
    expect(named.choices[0]?.message.tool_calls?.[0]).toMatchObject({ function: { name: 'weather' } });
    expect(fake.calls[2]!.body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['weather'] } });
  });

  it('streams a tool call as one delta the SDK assembles, finishing with tool_calls', async () => {
    const final = await h.client().chat.completions.stream({ model: FLASH, tools: [strictTool], messages: [{ role: 'user', content: 'find dogs' }] }).finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect([call.function.name, JSON.parse(call.function.arguments)]).toEqual(['lookup', { query: 'find dogs' }]);
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('carries a Gemini 3 thought signature through the tool call id, so the replay is accepted', async () => {
    const model = 'gemini/gemini-3-pro-preview';
    const question = { role: 'user' as const, content: 'signed call' };
    const first = await h.client().chat.completions.create({ model, tools: [strictTool], messages: [question] });
    const call = first.choices[0]!.message.tool_calls![0]!;
    const signature = call.id.split('__ts__')[1];
    expect(signature).toMatch(/.+/);
    const second = await h.client().chat.completions.create({ model, tools: [strictTool], messages: [question, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'done' }] });
    expect(second.choices[0]?.message.content).toBe(toolResultReply('done'));
    expect(fake.calls[1]!.body.contents[1].parts[0].thoughtSignature).toBe(signature);

    // A call made elsewhere has no signature: the documented skip value stands in.
    const foreign = { role: 'assistant' as const, content: null, tool_calls: [{ id: 'call_elsewhere', type: 'function' as const, function: { name: 'lookup', arguments: '{"query":"x"}' } }] };
    const third = await h.client().chat.completions.create({ model, tools: [strictTool], messages: [question, foreign, { role: 'tool', tool_call_id: 'call_elsewhere', content: 'fine' }] });
    expect(third.choices[0]?.message.content).toBe(toolResultReply('fine'));
  });

  it('returns json_schema output as content with no tool_calls (responseMimeType + responseJsonSchema), and json_object as JSON', async () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false };
    const res = await h.client().chat.completions.create({
      model: FLASH,
      messages: [{ role: 'user', content: 'Paris facts' }],
      response_format: { type: 'json_schema', json_schema: { name: 'facts', strict: true, schema } },
    });
    expect(JSON.parse(res.choices[0]!.message.content!)).toEqual({ answer: expectedReply('Paris facts') });
    expect(res.choices[0]?.message.tool_calls).toBeUndefined();
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(fake.calls[0]!.body.generationConfig).toEqual({ responseMimeType: 'application/json', responseJsonSchema: schema });

    const obj = await h.client().chat.completions.create({ model: FLASH, messages: [{ role: 'user', content: 'any json' }], response_format: { type: 'json_object' } });
    expect(JSON.parse(obj.choices[0]!.message.content!)).toEqual({ reply: expectedReply('any json') });
    expect(fake.calls[1]!.body.generationConfig).toEqual({ responseMimeType: 'application/json' });
  });

  it('maps MAX_TOKENS to length, SAFETY to content_filter, and every usageMetadata count exactly', async () => {
    const cut = await h.client().chat.completions.create({ model: FLASH, max_completion_tokens: 2, messages: [{ role: 'user', content: 'one two three four' }] });
    expect([cut.choices[0]?.message.content, cut.choices[0]?.finish_reason]).toEqual(['Echo: one ', 'length']);

    const body = {
      candidates: [{ content: { role: 'model', parts: [{ text: 'Part one. ' }, { text: 'secret thought', thought: true }, { text: 'Part two.' }] }, finishReason: 'SAFETY', index: 0 }],
      usageMetadata: { promptTokenCount: 120, cachedContentTokenCount: 100, candidatesTokenCount: 7, toolUsePromptTokenCount: 5, thoughtsTokenCount: 11, totalTokenCount: 143 },
      modelVersion: 'gemini-2.5-flash-001',
      responseId: 'abc123',
    };
    fake.script({ kind: 'raw', status: 200, body: JSON.stringify(body) });
    const odd = await h.client().chat.completions.create({ model: FLASH, messages: [{ role: 'user', content: 'crafted answer' }] });
    expect(odd.choices[0]?.message.content).toBe('Part one. Part two.');
    expect(odd.choices[0]?.finish_reason).toBe('content_filter');
    expect(odd.id).toBe('chatcmpl-abc123');
    expect(odd.model).toBe('gemini-2.5-flash-001');
    expect(odd.usage).toEqual({ prompt_tokens: 125, completion_tokens: 18, total_tokens: 143, prompt_tokens_details: { cached_tokens: 100 }, completion_tokens_details: { reasoning_tokens: 11 } });

    fake.script({ kind: 'raw', status: 200, body: JSON.stringify({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 } }) });
    const blocked = await h.client().chat.completions.create({ model: FLASH, messages: [{ role: 'user', content: 'blocked prompt' }] });
    expect([blocked.choices[0]?.message.content, blocked.choices[0]?.finish_reason]).toEqual(['', 'content_filter']);
  });
});

describe('gemini embeddings', () => {
  it('embeds one input with embedContent (float) and several with batchEmbedContents (the SDK default base64)', async () => {
    const one = await h.client().embeddings.create({ model: 'gemini/text-embedding-004', input: 'alpha beta', encoding_format: 'float' });
    expect(one.data).toEqual([{ object: 'embedding', index: 0, embedding: embeddingOf('alpha beta') }]);
    expect(fake.calls[0]!.path).toBe('/v1beta/models/text-embedding-004:embedContent');
    expect(fake.calls[0]!.body).toEqual({ content: { parts: [{ text: 'alpha beta' }] } });

    const many = await h.client().embeddings.create({ model: 'gemini/text-embedding-004', input: ['one', 'two'], dimensions: 4 });
    expect(many.data.map((d) => d.embedding)).toEqual([embeddingOf('one').slice(0, 4), embeddingOf('two').slice(0, 4)]);
    expect(fake.calls[1]!.path).toBe('/v1beta/models/text-embedding-004:batchEmbedContents');
    expect(fake.calls[1]!.body.requests[1]).toEqual({ model: 'models/text-embedding-004', content: { parts: [{ text: 'two' }] }, outputDimensionality: 4 });
    expect(many.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('refuses token-array input, and passes the 404 of a model that does not embed', async () => {
    const tokens = await caught(h.client().embeddings.create({ model: 'gemini/text-embedding-004', input: [[1, 2, 3]] }));
    expect(tokens.status).toBe(400);
    expect(fake.calls).toHaveLength(0);
    const wrong = await caught(h.client().embeddings.create({ model: 'gemini/gemini-2.5-flash', input: 'x', encoding_format: 'float' }));
    expect(wrong.status).toBe(404);
    expect(wrong.message).toContain('not supported for embedContent');
  });
});

describe('gemini failures', () => {
  it('retries RESOURCE_EXHAUSTED, then answers 429 with the RetryInfo delay as retry-after', async () => {
    fake.script({ kind: 'status', status: 429 });
    const ok = await h.client().chat.completions.create({ model: FLASH, messages: [{ role: 'user', content: 'again please' }] });
    expect(ok.choices[0]?.message.content).toBe(expectedReply('again please'));
    expect(fake.calls).toHaveLength(2);

    fake.reset();
    const quota = googleError(429, 'You exceeded your current quota.', 'RESOURCE_EXHAUSTED', [
      { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests' }] },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '37s' },
    ]);
    fake.setDefault({ kind: 'status', status: 429, body: quota });
    const err = await caught(h.client().chat.completions.create({ model: FLASH, messages: [{ role: 'user', content: 'quota gone' }] }));
    expect(err.status).toBe(429);
    expect(err.headers?.get('retry-after')).toBe('37');
    expect(err.message).toContain('gemini');
  });

  it('maps 5xx / UNAVAILABLE to 502 after retries', async () => {
    fake.setDefault({ kind: 'status', status: 503 });
    const err = await caught(h.client().chat.completions.create({ model: FLASH, messages: [{ role: 'user', content: 'down' }] }));
    expect(err.status).toBe(502);
    expect(err.message).toMatch(/gemini.*UNAVAILABLE/);
    expect(fake.calls).toHaveLength(3);
  });

  it("passes a 400 INVALID_ARGUMENT to the caller in OpenAI's shape, once", async () => {
    fake.script({ kind: 'status', status: 400, body: googleError(400, "Invalid value at 'generation_config.top_k' (TYPE_INT32), 1.5", 'INVALID_ARGUMENT') });
    const err = await caught(h.client().chat.completions.create({ model: FLASH, messages: [{ role: 'user', content: 'bad one' }] }));
    expect(err.status).toBe(400);
    expect(err.error).toEqual({ message: "Invalid value at 'generation_config.top_k' (TYPE_INT32), 1.5", type: 'invalid_request_error', param: null, code: 'INVALID_ARGUMENT' });
    expect(fake.calls).toHaveLength(1);
  });

  it("answers a refused key (Google's 400 API_KEY_INVALID) with 502 naming the provider, not retried", async () => {
    const err = await caught(h.client().chat.completions.create({ model: 'gemini-wrong/gemini-2.5-flash', messages: [{ role: 'user', content: 'x' }] }));
    expect(err.status).toBe(502);
    expect(err.message).toContain('gemini-wrong');
    expect(err.message).not.toContain('wrong-gemini-key-zzz');
    expect(fake.calls).toHaveLength(1);
  });

  it('fails a stream cut before any finishReason, and a cut or error-shaped JSON answer', async () => {
    fake.setDefault({ kind: 'break-stream', afterChunks: 1 });
    const result = await h
      .client()
      .chat.completions.create({ model: FLASH, stream: true, messages: [{ role: 'user', content: 'cut me short' }] })
      .then(async (stream) => {
        for await (const _ of stream) void _;
        return 'ended';
      })
      .catch(() => 'failed');
    expect(result).toBe('failed');

    fake.setDefault({ kind: 'truncate-json' });
    expect((await caught(h.client().chat.completions.create({ model: FLASH, messages: [{ role: 'user', content: 'half a body' }] }))).status).toBe(502);
    fake.setDefault({ kind: 'raw', status: 200, body: JSON.stringify(googleError(500, 'oops', 'INTERNAL')) });
    expect((await caught(h.client().chat.completions.create({ model: FLASH, messages: [{ role: 'user', content: 'error with 200' }] }))).status).toBe(502);
  });

  it('fails a stream whose body carries an error event', async () => {
    fake.setDefault({ kind: 'stream-error', afterChunks: 1 });
    const result = await h
      .client()
      .chat.completions.create({ model: FLASH, stream: true, messages: [{ role: 'user', content: 'overloaded midway' }] })
      .then(async (stream) => {
        for await (const _ of stream) void _;
        return 'ended';
      })
      .catch(() => 'failed');
    expect(result).toBe('failed');
  });
});

describe('gemini in the models list, metrics and logs', () => {
  it('lists gemini/<model>, prices the answers, and shows the key nowhere', async () => {
    const models: string[] = [];
    for await (const m of h.client().models.list()) models.push(m.id);
    for (const id of ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.0-flash', 'text-embedding-004']) expect(models).toContain(`gemini/${id}`);
    await h.client().chat.completions.create({ model: FLASH, messages: [{ role: 'user', content: 'priced answer' }] });
    const metrics = await (await fetch(h.gateway.metricsUrl)).text();
    expect(metrics).toMatch(/llm_edge_cost_usd_total\{[^}]*provider="gemini"[^}]*\} [0-9.e-]+/);
    for (const secret of [GEMINI_API_KEY, 'wrong-gemini-key-zzz']) {
      expect(metrics).not.toContain(secret);
      expect(JSON.stringify(h.logs)).not.toContain(secret);
    }
    expect(JSON.stringify([h.openai.calls, h.anthropic.calls])).not.toContain(GEMINI_API_KEY);
  });
});
