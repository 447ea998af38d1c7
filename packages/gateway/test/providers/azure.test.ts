/**
 * Azure OpenAI end to end: the official `openai` SDK calls the gateway, which calls the fake
 * Azure resource configured from the environment alone (`azure/<deployment>`) or with a
 * deployment map; JSON and streams with exact usage, tools, a system prompt, json_schema output,
 * the content filter, 429/5xx mapping, the v1 API, an Entra ID token file re-read when it
 * changes, and no credential in logs or metrics.
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectedReply, startFakeAzure, type FakeAzure } from '../fakes/index.js';
import { startHarness, type Harness } from '../harness.js';

const KEY = 'azure-secret-key-123';
let azure: FakeAzure;
beforeAll(async () => {
  azure = await startFakeAzure({ apiKey: KEY });
});
afterAll(() => azure.close());
beforeEach(() => azure.reset());

const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: { query: { type: 'string' } } } } }];

describe('azure from the environment', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      env: { AZURE_OPENAI_API_KEY: KEY, AZURE_OPENAI_ENDPOINT: azure.url },
      configYaml: 'providers:\n  azure: { type: azure, deployments: { gpt-4o-mini: prod-mini } }\n',
    });
  });
  afterAll(() => h.stop());

  it('answers azure/<deployment> as JSON with exact usage, through the deployments URL and api-key', async () => {
    const { data, response } = await h
      .client('caller-key')
      .chat.completions.create({ model: 'azure/gpt-4o', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello azure' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(expectedReply('hello azure'));
    expect(data.usage).toMatchObject({ prompt_tokens: 2 + 2 + 3, completion_tokens: 3, total_tokens: 10 });
    expect(response.headers.get('x-llm-edge-provider')).toBe('azure');
    const call = azure.calls[0]!;
    expect(call.path).toBe('/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21');
    expect(call.headers['api-key']).toBe(KEY);
    expect(call.headers.authorization).toBeUndefined(); // the caller's key never reaches a provider
  });

  it('maps a model to its deployment, and streams with the usage chunk', async () => {
    const stream = await h.client().chat.completions.create({
      model: 'azure/gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'one two three' }],
    });
    let text = '';
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(expectedReply('one two three'));
    expect(usage).toMatchObject({ prompt_tokens: 6, completion_tokens: 4, total_tokens: 10 });
    expect(azure.calls[0]?.path).toBe('/openai/deployments/prod-mini/chat/completions?api-version=2024-10-21');
  });

  it('lists its mapped models as azure/<model>', async () => {
    const models: Array<{ id: string; owned_by: string }> = [];
    for await (const m of h.client().models.list()) models.push(m);
    expect(models).toContainEqual(expect.objectContaining({ id: 'azure/gpt-4o-mini', owned_by: 'azure' }));
  });

  it('makes a tool round trip', async () => {
    const question = { role: 'user' as const, content: 'weather in Oslo' };
    const first = await h.client().chat.completions.create({ model: 'azure/gpt-4o', messages: [question], tools });
    const call = first.choices[0]!.message.tool_calls![0]!;
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ query: 'weather in Oslo' });
    const second = await h.client().chat.completions.create({
      model: 'azure/gpt-4o',
      tools,
      messages: [question, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'sunny' }],
    });
    expect(second.choices[0]?.message.content).toBe('Tool said: sunny');
  });

  it('passes json_schema output through to Azure and returns its content', async () => {
    const response_format = { type: 'json_schema' as const, json_schema: { name: 'answer', schema: { type: 'object', properties: { text: { type: 'string' } } } } };
    const answer = await h.client().chat.completions.create({ model: 'azure/gpt-4o', response_format, messages: [{ role: 'user', content: 'as json' }] });
    expect(answer.choices[0]?.message.content).toBe(expectedReply('as json'));
    expect(answer.choices[0]?.message.tool_calls).toBeUndefined();
    expect(azure.calls[0]?.body.response_format).toEqual(response_format);
  });

  it('maps the content filter to OpenAI: a 400 content_filter for a prompt, finish_reason content_filter for a completion', async () => {
    azure.filterNext('prompt');
    const err = await h.client().chat.completions.create({ model: 'azure/gpt-4o', messages: [{ role: 'user', content: 'filtered prompt' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(err).toMatchObject({ status: 400, code: 'content_filter' });
    azure.filterNext('completion');
    const json = await h.client().chat.completions.create({ model: 'azure/gpt-4o', messages: [{ role: 'user', content: 'filtered completion' }] });
    expect(json.choices[0]?.finish_reason).toBe('content_filter');
    azure.filterNext('completion');
    const stream = await h.client().chat.completions.create({ model: 'azure/gpt-4o', stream: true, messages: [{ role: 'user', content: 'filtered stream' }] });
    let finish: string | null | undefined;
    for await (const chunk of stream) finish = chunk.choices[0]?.finish_reason ?? finish;
    expect(finish).toBe('content_filter');
  });

  it('passes a 429 on as a 429 and a 5xx as a 502, after retries', async () => {
    azure.setDefault({ kind: 'status', status: 429 });
    const limited = await h.client().chat.completions.create({ model: 'azure/limited', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect((limited as APIError).status).toBe(429);
    azure.setDefault({ kind: 'status', status: 500 });
    const failed = await h.client().chat.completions.create({ model: 'azure/failing', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect((failed as APIError).status).toBe(502);
    expect(azure.calls.length).toBeGreaterThan(2);
    azure.setDefault(null);
  });

  it('never shows the key in logs or metrics', async () => {
    const metrics = await (await fetch(h.gateway.metricsUrl)).text();
    expect(metrics).toContain('provider="azure"');
    expect(metrics).not.toContain(KEY);
    expect(JSON.stringify(h.logs)).not.toContain(KEY);
  });
});

describe('azure with apiMode v1', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      env: { AZURE_OPENAI_API_KEY: KEY, AZURE_OPENAI_ENDPOINT: azure.url },
      configYaml: 'providers:\n  azure: { type: azure, apiMode: v1, deployments: { gpt-4o-mini: prod-mini } }\n',
    });
  });
  afterAll(() => h.stop());

  it('calls /openai/v1/chat/completions with the deployment as the model', async () => {
    const answer = await h.client().chat.completions.create({ model: 'azure/gpt-4o-mini', messages: [{ role: 'user', content: 'v1 api' }] });
    expect(answer.choices[0]?.message.content).toBe(expectedReply('v1 api'));
    expect(azure.calls[0]?.path).toBe('/openai/v1/chat/completions');
    expect(azure.calls[0]?.body.model).toBe('prod-mini');
  });
});

describe('azure with an Entra ID token file', () => {
  let h: Harness;
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'entra-'));
    file = join(dir, 'token');
    writeFileSync(file, 'entra-token-one\n');
    azure.setTokens(['entra-token-one']);
    h = await startHarness({ env: { AZURE_OPENAI_AD_TOKEN_FILE: file, AZURE_OPENAI_ENDPOINT: azure.url } });
  });
  afterAll(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the token as a bearer, and the new one after the file changes', async () => {
    const ask = (content: string) => h.client().chat.completions.create({ model: 'azure/gpt-4o', messages: [{ role: 'user', content }] });
    expect((await ask('first')).choices[0]?.message.content).toBe(expectedReply('first'));
    expect(azure.calls.at(-1)?.headers.authorization).toBe('Bearer entra-token-one');
    expect(azure.calls.at(-1)?.headers['api-key']).toBeUndefined();

    // The old token expires and a sidecar writes the new one (the mtime moves on, as a rewrite does).
    azure.setTokens(['entra-token-two']);
    writeFileSync(file, 'entra-token-two\n');
    const later = new Date(Date.now() + 5_000);
    utimesSync(file, later, later);
    expect((await ask('second')).choices[0]?.message.content).toBe(expectedReply('second'));
    expect(azure.calls.at(-1)?.headers.authorization).toBe('Bearer entra-token-two');

    const metrics = await (await fetch(h.gateway.metricsUrl)).text();
    expect(metrics + JSON.stringify(h.logs)).not.toMatch(/entra-token-(one|two)/);
  });
});
