/**
 * Amazon Bedrock end to end: the official `openai` SDK calls the gateway, which signs Converse
 * and ConverseStream requests to the fake Bedrock (SigV4 with a session token, recomputed and
 * checked by the fake; or a Bedrock API key as bearer). JSON and streams with exact usage, a
 * system prompt, a tool round trip, json_schema output as content, ThrottlingException retried
 * and mapped to 429, 5xx mapping, refused credentials as a 502 naming the provider, and no
 * credential in logs, metrics or requests to other providers.
 */
import { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BEDROCK_TEST_BEARER, BEDROCK_TEST_CREDENTIALS, expectedReply, PROMPT_OVERHEAD_TOKENS, startFakeBedrock, type FakeProvider } from '../fakes/index.js';
import { rawRequest, startHarness, type Harness } from '../harness.js';

const CREDS = { ...BEDROCK_TEST_CREDENTIALS, sessionToken: 'fake-session-token-abc123' };
const HAIKU = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const NOVA = 'amazon.nova-lite-v1:0';
const SECRETS = [CREDS.secretAccessKey, CREDS.sessionToken, BEDROCK_TEST_BEARER, 'wrong-secret-key-zzz'];
const tools = [{ type: 'function' as const, function: { name: 'lookup', description: 'look it up', parameters: { type: 'object', properties: { query: { type: 'string' } } } } }];

let bedrock: FakeProvider;
beforeAll(async () => {
  bedrock = await startFakeBedrock({ credentials: CREDS });
});
afterAll(() => bedrock.close());
beforeEach(() => bedrock.reset());

/** The provider config; the breaker and retry budget are kept out of the way of the failure tests. */
function providerYaml(fields: Record<string, string>): string {
  const body = Object.entries({ type: 'bedrock', baseUrl: bedrock.url, region: 'us-east-1', ...fields })
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(', ');
  return `providers:\n  bedrock: { ${body} }\nresilience: { breaker: { failureThreshold: 1000, minRequests: 1000 }, budget: { minRetries: 1000 } }\n`;
}

async function caught(p: Promise<unknown>): Promise<APIError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(APIError);
  return err as APIError;
}

describe('bedrock with SigV4 session credentials', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ configYaml: providerYaml({ accessKeyId: CREDS.accessKeyId, secretAccessKey: CREDS.secretAccessKey, sessionToken: CREDS.sessionToken }) });
  });
  afterAll(() => h.stop());

  it('answers bedrock/<modelId> as JSON with exact usage and a system prompt, signed with the session token', async () => {
    const { data, response } = await h
      .client('caller-key')
      .chat.completions.create({ model: `bedrock/${HAIKU}`, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello bedrock' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(expectedReply('hello bedrock'));
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage).toEqual({ prompt_tokens: 2 + 2 + PROMPT_OVERHEAD_TOKENS, completion_tokens: 3, total_tokens: 4 + PROMPT_OVERHEAD_TOKENS + 3 });
    expect(response.headers.get('x-llm-edge-provider')).toBe('bedrock');
    const call = bedrock.calls[0]!;
    expect(call.path).toBe(`/model/${encodeURIComponent(HAIKU)}/converse`);
    expect(call.body.system).toEqual([{ text: 'Be brief.' }]);
    expect(String(call.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAFAKEBEDROCK00001\/\d{8}\/us-east-1\/bedrock\/aws4_request, SignedHeaders=[^,]*x-amz-security-token/);
    expect(call.headers['x-amz-security-token']).toBe(CREDS.sessionToken);
    expect(JSON.stringify(call.headers)).not.toContain('caller-key'); // the caller's key never reaches a provider
  });

  it('streams with the usage chunk last and the exact counts', async () => {
    const stream = await h.client().chat.completions.create({
      model: `bedrock/${NOVA}`,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'one two three' }],
    });
    let text = '';
    let finish: string | null | undefined;
    const usages: unknown[] = [];
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usages.push({ usage: chunk.usage, choices: chunk.choices.length });
    }
    expect(text).toBe(expectedReply('one two three'));
    expect(finish).toBe('stop');
    expect(usages).toEqual([{ usage: { prompt_tokens: 3 + PROMPT_OVERHEAD_TOKENS, completion_tokens: 4, total_tokens: 10 }, choices: 0 }]);
    expect(bedrock.calls[0]?.path).toBe(`/model/${encodeURIComponent(NOVA)}/converse-stream`);
  });

  it('makes a tool round trip, and streams a tool call as deltas', async () => {
    const question = { role: 'user' as const, content: 'weather in Oslo' };
    const first = await h.client().chat.completions.create({ model: `bedrock/${HAIKU}`, messages: [question], tools, tool_choice: 'required' });
    const call = first.choices[0]!.message.tool_calls![0]!;
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call.type === 'function' && call.function.name).toBe('lookup');
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ query: 'weather in Oslo' });
    expect(bedrock.calls[0]!.body.toolConfig.toolChoice).toEqual({ any: {} });
    const second = await h.client().chat.completions.create({
      model: `bedrock/${HAIKU}`,
      tools,
      messages: [question, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'sunny' }],
    });
    expect(second.choices[0]?.message.content).toBe('Tool said: sunny');
    expect(bedrock.calls[1]!.body.messages[2].content).toEqual([{ toolResult: { toolUseId: call.id, content: [{ text: 'sunny' }], status: 'success' } }]);

    const stream = await h.client().chat.completions.create({ model: `bedrock/${NOVA}`, messages: [question], tools, stream: true });
    let args = '';
    let name: string | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const d = chunk.choices[0]?.delta.tool_calls?.[0];
      name ??= d?.function?.name;
      args += d?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect([name, JSON.parse(args), finish]).toEqual(['lookup', { query: 'weather in Oslo' }, 'tool_calls']);
  });

  it('returns json_schema output as content with no tool_calls, JSON and streamed', async () => {
    const response_format = { type: 'json_schema' as const, json_schema: { name: 'answer', schema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } } };
    const messages = [{ role: 'user' as const, content: 'Paris facts' }];
    const json = await h.client().chat.completions.create({ model: `bedrock/${HAIKU}`, messages, response_format });
    expect(JSON.parse(json.choices[0]!.message.content!)).toEqual({ query: 'Paris facts' });
    expect(json.choices[0]?.message.tool_calls).toBeUndefined();
    expect(json.choices[0]?.finish_reason).toBe('stop');
    expect(bedrock.calls[0]!.body.toolConfig.toolChoice).toEqual({ tool: { name: 'answer' } });

    const stream = await h.client().chat.completions.create({ model: `bedrock/${HAIKU}`, messages, response_format, stream: true });
    let text = '';
    let sawToolCall = false;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      sawToolCall ||= chunk.choices[0]?.delta.tool_calls !== undefined;
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(JSON.parse(text)).toEqual({ query: 'Paris facts' });
    expect([sawToolCall, finish]).toEqual([false, 'stop']);
  });

  it('retries a ThrottlingException, and answers 429 with retry-after when Bedrock keeps throttling', async () => {
    bedrock.script({ kind: 'status', status: 429 });
    const ok = await h.client().chat.completions.create({ model: `bedrock/${NOVA}`, messages: [{ role: 'user', content: 'again' }] });
    expect(ok.choices[0]?.message.content).toBe(expectedReply('again'));
    expect(bedrock.calls).toHaveLength(2);

    bedrock.reset();
    // (A new prompt: the first answer is cached.) Longer than the gateway waits before a retry (retryAfterCapMs 5 s): passed to the caller.
    bedrock.setDefault({ kind: 'status', status: 429, retryAfter: 7 });
    const err = await caught(h.client().chat.completions.create({ model: `bedrock/${NOVA}`, messages: [{ role: 'user', content: 'throttled' }] }));
    expect(err.status).toBe(429);
    expect(err.headers?.get('retry-after')).toBe('7');
    expect(err.message).toContain('bedrock');
  });

  it('maps Bedrock 5xx to 502 after retries, and passes a ValidationException to the caller as 400', async () => {
    bedrock.setDefault({ kind: 'status', status: 503 });
    const down = await caught(h.client().chat.completions.create({ model: `bedrock/${NOVA}`, messages: [{ role: 'user', content: 'x' }] }));
    expect(down.status).toBe(502);
    expect(down.message).toMatch(/bedrock.*ServiceUnavailableException/);
    expect(bedrock.calls.length).toBe(3);

    bedrock.reset();
    const invalid = await caught(h.client().chat.completions.create({ model: `bedrock/${NOVA}`, messages: [{ role: 'assistant', content: 'I speak first' }] }));
    expect(invalid.status).toBe(400);
    expect(invalid.message).toMatch(/must start with a user message/);
    expect(bedrock.calls).toHaveLength(1);
  });

  it('fails a stream cut before messageStop and metadata, or ended by an exception frame', async () => {
    for (const [kind, prompt] of [['break-stream', 'cut there world'], ['stream-error', 'erred there world']] as const) {
      bedrock.reset();
      bedrock.setDefault({ kind, afterChunks: 1 });
      let text = '';
      const result = await h
        .client()
        .chat.completions.create({ model: `bedrock/${NOVA}`, stream: true, messages: [{ role: 'user', content: prompt }] })
        .then(async (stream) => {
          for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
          return 'ended';
        })
        .catch(() => 'failed');
      expect(result, kind).toBe('failed');
      expect(text, kind).not.toBe(expectedReply(prompt));
    }
  });

  it('treats a 200 that is an error object or a cut JSON body as a provider failure', async () => {
    bedrock.setDefault({ kind: 'raw', status: 200, body: '{"message":"Internal failure"}' });
    const errorObject = await caught(h.client().chat.completions.create({ model: `bedrock/${NOVA}`, messages: [{ role: 'user', content: 'raw one' }] }));
    expect(errorObject.status).toBe(502);
    expect(errorObject.message).toMatch(/bedrock.*an error object/);
    bedrock.setDefault({ kind: 'truncate-json' });
    const cut = await caught(h.client().chat.completions.create({ model: `bedrock/${NOVA}`, messages: [{ role: 'user', content: 'raw two' }] }));
    expect(cut.status).toBe(502);
    expect(cut.message).toMatch(/not a whole JSON object/);
  });

  it('is reached from the messages and responses dialects too (translated through the canonical form)', async () => {
    const messages = await rawRequest(h.gateway.url, '/v1/messages', {
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: `bedrock/${HAIKU}`, max_tokens: 50, system: 'Be brief.', messages: [{ role: 'user', content: 'from claude code' }] }),
    });
    expect(messages.status).toBe(200);
    expect(messages.json.content).toEqual([{ type: 'text', text: expectedReply('from claude code') }]);
    expect(messages.json.usage).toMatchObject({ input_tokens: 2 + 3 + PROMPT_OVERHEAD_TOKENS, output_tokens: 4 });
    const responses = await h.client().responses.create({ model: `bedrock/${NOVA}`, input: 'from codex' });
    expect(responses.output_text).toBe(expectedReply('from codex'));
    expect(responses.usage).toMatchObject({ input_tokens: 2 + PROMPT_OVERHEAD_TOKENS, output_tokens: 3 });
  });

  it('lists its models as bedrock/<modelId>, prices them, and shows no credential in logs, metrics or other providers', async () => {
    const models: Array<{ id: string; owned_by: string }> = [];
    for await (const m of h.client().models.list()) models.push(m);
    for (const id of [HAIKU, NOVA, 'amazon.nova-pro-v1:0', 'meta.llama3-1-8b-instruct-v1:0']) {
      expect(models).toContainEqual({ id: `bedrock/${id}`, owned_by: 'bedrock', object: 'model', created: expect.any(Number) });
    }
    await h.client().chat.completions.create({ model: `bedrock/${NOVA}`, messages: [{ role: 'user', content: 'priced' }] });
    await h.client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'to openai' }] });
    const metrics = await (await fetch(h.gateway.metricsUrl)).text();
    expect(metrics).toMatch(/llm_edge_cost_usd_total\{[^}]*provider="bedrock"[^}]*\} [0-9.e-]+/);
    const elsewhere = JSON.stringify([h.openai.calls, h.anthropic.calls]);
    expect(h.openai.calls.length).toBeGreaterThan(0);
    for (const secret of [...SECRETS, CREDS.accessKeyId]) {
      expect(metrics).not.toContain(secret);
      expect(JSON.stringify(h.logs)).not.toContain(secret);
      expect(elsewhere).not.toContain(secret);
    }
  });
});

describe('bedrock with a Bedrock API key', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ configYaml: providerYaml({ bearerToken: BEDROCK_TEST_BEARER }) });
  });
  afterAll(() => h.stop());

  it('sends Authorization: Bearer and no SigV4 headers', async () => {
    const res = await h.client().chat.completions.create({ model: `bedrock/${HAIKU}`, messages: [{ role: 'user', content: 'bearer please' }] });
    expect(res.choices[0]?.message.content).toBe(expectedReply('bearer please'));
    const call = bedrock.calls[0]!;
    expect(call.headers.authorization).toBe(`Bearer ${BEDROCK_TEST_BEARER}`);
    expect(call.headers['x-amz-date']).toBeUndefined();
    expect(JSON.stringify(h.logs)).not.toContain(BEDROCK_TEST_BEARER);
  });
});

describe('bedrock with refused credentials', () => {
  const cases: Array<[string, Record<string, string>]> = [
    ['a wrong secret (signature mismatch)', { accessKeyId: CREDS.accessKeyId, secretAccessKey: 'wrong-secret-key-zzz', sessionToken: CREDS.sessionToken }],
    ['a missing session token', { accessKeyId: CREDS.accessKeyId, secretAccessKey: CREDS.secretAccessKey }],
    ['an unknown bearer token', { bearerToken: 'wrong-secret-key-zzz' }],
  ];
  for (const [what, fields] of cases) {
    it(`answers ${what} with a 502 naming the provider and never the credential`, async () => {
      const h = await startHarness({ configYaml: providerYaml(fields) });
      try {
        const err = await caught(h.client().chat.completions.create({ model: `bedrock/${NOVA}`, messages: [{ role: 'user', content: 'x' }] }));
        expect(err.status).toBe(502);
        expect(err.message).toContain('bedrock');
        expect(bedrock.calls).toHaveLength(1); // the gateway's credentials failing is not retried
        const metrics = await (await fetch(h.gateway.metricsUrl)).text();
        for (const secret of SECRETS) {
          expect(err.message).not.toContain(secret);
          expect(JSON.stringify(h.logs)).not.toContain(secret);
          expect(metrics).not.toContain(secret);
        }
      } finally {
        await h.stop();
      }
    });
  }
});
