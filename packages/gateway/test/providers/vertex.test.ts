/**
 * Vertex AI end to end: the official `openai` SDK calls the gateway, which gets an OAuth2 access
 * token from the fake Google token endpoint with a JWT bearer assertion signed by a
 * service-account key generated here (the fake verifies the signature against its public key),
 * and calls the fake Vertex AI with it: Gemini models over the Gemini wire format, Claude models
 * at rawPredict / streamRawPredict over the Messages format, embeddings at predict. Tokens live
 * two seconds, so the tests prove a request after expiry carries a new token and that concurrent
 * requests share one refresh. No key, token or private key in logs or /metrics.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CLOUD_PLATFORM_SCOPE,
  PROMPT_OVERHEAD_TOKENS,
  THOUGHT_TOKENS,
  TOOL_CALL_TOKENS,
  embeddingOf,
  expectedReply,
  generateServiceAccount,
  googleError,
  startFakeGemini,
  startFakeGoogleOAuth,
  toolResultReply,
  type FakeGoogleOAuth,
  type FakeProvider,
  type ServiceAccount,
} from '../fakes/index.js';
import { startHarness, type Harness } from '../harness.js';

const PROJECT = 'proj-vertex';
const LOCATION = 'us-east5';
const TOKEN_SECONDS = 2;
const BASE = `/v1/projects/${PROJECT}/locations/${LOCATION}/publishers`;
const CLAUDE = 'claude-sonnet-4-5@20250929';

let dir: string;
let sa: ServiceAccount;
let oauth: FakeGoogleOAuth;
let fake: FakeProvider;
let h: Harness;

function providerYaml(credentialsFile: string, name = 'vertex'): string {
  return `  ${name}: { type: vertex, baseUrl: "${fake.url}", project: ${PROJECT}, location: ${LOCATION}, credentialsFile: "${credentialsFile}" }\n`;
}
const RESILIENCE = 'resilience: { breaker: { failureThreshold: 1000, minRequests: 1000 }, budget: { minRetries: 1000 } }\n';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vertex-test-'));
  sa = generateServiceAccount(PROJECT);
  oauth = await startFakeGoogleOAuth({ clientEmail: sa.clientEmail, publicKey: sa.publicKey, expiresInSeconds: TOKEN_SECONDS });
  fake = await startFakeGemini({ oauth, project: PROJECT, location: LOCATION });
  const keyFile = sa.writeKeyFile(join(dir, 'sa.json'), oauth.tokenUrl);
  h = await startHarness({ configYaml: `providers:\n${providerYaml(keyFile)}${RESILIENCE}` });
});
afterAll(async () => {
  await h.stop();
  await Promise.all([fake.close(), oauth.close()]);
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => fake.reset());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bearerOf = (i: number) => fake.calls[i]!.headers.authorization;

async function caught(p: Promise<unknown>): Promise<APIError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(APIError);
  return err as APIError;
}

/** Waits until the newest issued token has expired (so the next request needs a new one). */
async function untilExpired(): Promise<void> {
  const last = oauth.issued.at(-1);
  if (last) await sleep(Math.max(0, last.expiresAt - Date.now()) + 50);
}

describe('vertex gemini models', () => {
  it('answers JSON with exact usage and a system prompt, with a bearer from the signed assertion', async () => {
    const issuedBefore = oauth.issued.length;
    const { data, response } = await h
      .client('caller-key')
      .chat.completions.create({ model: 'vertex/gemini-2.5-flash', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello vertex' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(expectedReply('hello vertex'));
    const prompt = 4 + PROMPT_OVERHEAD_TOKENS;
    expect(data.usage).toEqual({ prompt_tokens: prompt, completion_tokens: 3 + THOUGHT_TOKENS, total_tokens: prompt + 3 + THOUGHT_TOKENS, completion_tokens_details: { reasoning_tokens: THOUGHT_TOKENS } });
    expect(response.headers.get('x-llm-edge-provider')).toBe('vertex');
    const call = fake.calls[0]!;
    expect(call.path).toBe(`${BASE}/google/models/gemini-2.5-flash:generateContent`);
    expect(call.body.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }] });
    expect(oauth.issued.length).toBe(issuedBefore + 1);
    const token = oauth.issued.at(-1)!;
    expect(call.headers.authorization).toBe(`Bearer ${token.token}`);
    expect(JSON.stringify(call.headers)).not.toContain('caller-key');
    // The assertion the fake verified: RS256 by the key, iss, aud = the key's token_uri, the scope, an hour at most.
    expect(token.claims).toMatchObject({ iss: sa.clientEmail, aud: oauth.tokenUrl, scope: CLOUD_PLATFORM_SCOPE });
    expect((token.claims.exp as number) - (token.claims.iat as number)).toBe(3600);
  });

  it('streams with the usage-only chunk last', async () => {
    const stream = await h.client().chat.completions.create({ model: 'vertex/gemini-2.0-flash', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'one two three' }] });
    let text = '';
    let finish: string | null | undefined;
    const usages: unknown[] = [];
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usages.push({ usage: chunk.usage, choices: chunk.choices.length });
    }
    expect([text, finish]).toEqual([expectedReply('one two three'), 'stop']);
    expect(usages).toEqual([{ usage: { prompt_tokens: 3 + PROMPT_OVERHEAD_TOKENS, completion_tokens: 4, total_tokens: 7 + PROMPT_OVERHEAD_TOKENS }, choices: 0 }]);
    expect(fake.calls[0]!.path).toBe(`${BASE}/google/models/gemini-2.0-flash:streamGenerateContent?alt=sse`);
  });

  it('makes a tool round trip, the functionResponse named after the call', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: { query: { type: 'string' } }, additionalProperties: false } } }];
    const question = { role: 'user' as const, content: 'vertex tools' };
    const first = await h.client().chat.completions.create({ model: 'vertex/gemini-2.5-pro', tools, messages: [question] });
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(first.usage?.completion_tokens).toBe(TOOL_CALL_TOKENS + THOUGHT_TOKENS);
    const call = first.choices[0]!.message.tool_calls![0]!;
    const second = await h.client().chat.completions.create({ model: 'vertex/gemini-2.5-pro', tools, messages: [question, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'found it' }] });
    expect(second.choices[0]?.message.content).toBe(toolResultReply('found it'));
    expect(fake.calls[1]!.body.contents[2]).toEqual({ role: 'user', parts: [{ functionResponse: { name: 'lookup', response: { output: 'found it' } } }] });
  });

  it('returns json_schema output as content with no tool_calls', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const res = await h.client().chat.completions.create({ model: 'vertex/gemini-2.5-flash', messages: [{ role: 'user', content: 'city json' }], response_format: { type: 'json_schema', json_schema: { name: 'c', schema } } });
    expect(JSON.parse(res.choices[0]!.message.content!)).toEqual({ city: expectedReply('city json') });
    expect(res.choices[0]?.message.tool_calls).toBeUndefined();
    expect(fake.calls[0]!.body.generationConfig).toEqual({ responseMimeType: 'application/json', responseJsonSchema: schema });
  });

  it('embeds at predict with the token counts Vertex reports', async () => {
    const res = await h.client().embeddings.create({ model: 'vertex/text-embedding-004', input: ['alpha', 'beta gamma'], encoding_format: 'float' });
    expect(res.data.map((d) => d.embedding)).toEqual([embeddingOf('alpha'), embeddingOf('beta gamma')]);
    expect(res.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    expect(fake.calls[0]!.path).toBe(`${BASE}/google/models/text-embedding-004:predict`);
    expect(fake.calls[0]!.body).toEqual({ instances: [{ content: 'alpha' }, { content: 'beta gamma' }] });
  });
});

describe('vertex access tokens', () => {
  it('uses the cached token until it expires, then a new one (never an expired one)', async () => {
    await untilExpired();
    await h.client().chat.completions.create({ model: 'vertex/gemini-2.0-flash', messages: [{ role: 'user', content: 'token one' }] });
    await h.client().chat.completions.create({ model: 'vertex/gemini-2.0-flash', messages: [{ role: 'user', content: 'token one again' }] });
    expect(bearerOf(1)).toBe(bearerOf(0)); // cached
    const first = oauth.issued.at(-1)!;
    await untilExpired();
    expect(oauth.check(first.token)).toBe('expired');
    const after = await h.client().chat.completions.create({ model: 'vertex/gemini-2.0-flash', messages: [{ role: 'user', content: 'token two' }] });
    expect(after.choices[0]?.message.content).toBe(expectedReply('token two'));
    expect(bearerOf(2)).not.toBe(bearerOf(0));
    expect(bearerOf(2)).toBe(`Bearer ${oauth.issued.at(-1)!.token}`);
    expect(fake.calls.every((c) => c.headers.authorization !== undefined)).toBe(true);
  });

  it('sends a request refused with 401 once more with a new token (a token revoked early)', async () => {
    await untilExpired(); // a fresh token, far from its refresh
    await h.client().chat.completions.create({ model: 'vertex/gemini-2.0-flash', messages: [{ role: 'user', content: 'before revoke' }] });
    const token = oauth.issued.at(-1)!.token;
    expect(bearerOf(0)).toBe(`Bearer ${token}`);
    oauth.revoke(token);
    const res = await h.client().chat.completions.create({ model: 'vertex/gemini-2.0-flash', messages: [{ role: 'user', content: 'after revoke' }] });
    expect(res.choices[0]?.message.content).toBe(expectedReply('after revoke'));
    expect(fake.calls.map((c) => c.headers.authorization === `Bearer ${token}`)).toEqual([true, true, false]);
    expect(bearerOf(2)).toBe(`Bearer ${oauth.issued.at(-1)!.token}`);
  });

  it('refreshes once for concurrent requests', async () => {
    await untilExpired();
    const before = oauth.issued.length;
    oauth.setLatency(200); // the refresh is in flight while the others arrive
    try {
      const answers = await Promise.all(
        Array.from({ length: 5 }, (_, i) => h.client().chat.completions.create({ model: 'vertex/gemini-2.0-flash', messages: [{ role: 'user', content: `concurrent ${i}` }] })),
      );
      expect(answers.map((a) => a.choices[0]?.message.content)).toEqual(Array.from({ length: 5 }, (_, i) => expectedReply(`concurrent ${i}`)));
    } finally {
      oauth.setLatency(0);
    }
    expect(oauth.issued.length).toBe(before + 1);
    expect(new Set(fake.calls.map((c) => c.headers.authorization)).size).toBe(1);
  });

  it('takes the project from the key file when the config names none', async () => {
    const file = join(dir, 'sa.json');
    const yaml = `providers:\n  vertex-noproject: { type: vertex, baseUrl: "${fake.url}", location: ${LOCATION}, credentialsFile: "${file}" }\n`;
    const other = await startHarness({ configYaml: yaml });
    try {
      const res = await other.client().chat.completions.create({ model: 'vertex-noproject/gemini-2.0-flash', messages: [{ role: 'user', content: 'which project' }] });
      expect(res.choices[0]?.message.content).toBe(expectedReply('which project'));
      expect(fake.calls[0]!.path).toBe(`${BASE}/google/models/gemini-2.0-flash:generateContent`);
    } finally {
      await other.stop();
    }
  });

  it('answers 502 naming the provider when the token endpoint refuses the key, and calls Vertex not at all', async () => {
    const stranger = generateServiceAccount(PROJECT, 'stranger');
    const file = join(dir, 'stranger.json');
    // The right account name, another key: the fake finds the signature invalid.
    const json = { ...stranger.keyJson(oauth.tokenUrl), client_email: sa.clientEmail };
    (await import('node:fs')).writeFileSync(file, JSON.stringify(json));
    const bad = await startHarness({ configYaml: `providers:\n${providerYaml(file, 'vertex-bad')}${RESILIENCE}` });
    try {
      const err = await caught(bad.client().chat.completions.create({ model: 'vertex-bad/gemini-2.5-flash', messages: [{ role: 'user', content: 'x' }] }));
      expect(err.status).toBe(502);
      expect(err.message).toContain('vertex-bad');
      expect(err.message).toContain('invalid_grant');
      expect(fake.calls).toHaveLength(0);
      const metrics = await (await fetch(bad.gateway.metricsUrl)).text();
      for (const secret of keyLines(stranger.privateKeyPem)) {
        expect(JSON.stringify(bad.logs)).not.toContain(secret);
        expect(metrics).not.toContain(secret);
      }
    } finally {
      await bad.stop();
    }
  });
});

describe('claude on vertex', () => {
  it('answers JSON through rawPredict with anthropic_version in the body and no model', async () => {
    const res = await h.client().chat.completions.create({ model: `vertex/${CLAUDE}`, max_tokens: 200, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello claude' }] });
    expect(res.choices[0]?.message.content).toBe(expectedReply('hello claude'));
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(res.usage).toEqual({ prompt_tokens: 4 + PROMPT_OVERHEAD_TOKENS, completion_tokens: 3, total_tokens: 7 + PROMPT_OVERHEAD_TOKENS });
    const call = fake.calls[0]!;
    expect(call.path).toBe(`${BASE}/anthropic/models/${CLAUDE}:rawPredict`);
    expect(call.body).toEqual({ anthropic_version: 'vertex-2023-10-16', max_tokens: 200, system: 'Be brief.', messages: [{ role: 'user', content: [{ type: 'text', text: 'hello claude' }] }] });
    expect(call.headers.authorization).toMatch(/^Bearer ya29\.fake-/);
  });

  it('streams through streamRawPredict with the usage chunk last, and makes a tool round trip', async () => {
    const stream = await h.client().chat.completions.create({ model: `vertex/${CLAUDE}`, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'stream claude please' }] });
    let text = '';
    let usage: unknown;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect([text, finish]).toEqual([expectedReply('stream claude please'), 'stop']);
    expect(usage).toEqual({ prompt_tokens: 3 + PROMPT_OVERHEAD_TOKENS, completion_tokens: 4, total_tokens: 7 + PROMPT_OVERHEAD_TOKENS });
    expect(fake.calls[0]!.path).toBe(`${BASE}/anthropic/models/${CLAUDE}:streamRawPredict`);
    expect(fake.calls[0]!.body).toMatchObject({ anthropic_version: 'vertex-2023-10-16', stream: true });
    expect(fake.calls[0]!.body.model).toBeUndefined();

    const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: { query: { type: 'string' } } } } }];
    const question = { role: 'user' as const, content: 'claude tools' };
    const first = await h.client().chat.completions.create({ model: `vertex/${CLAUDE}`, tools, messages: [question] });
    const call = first.choices[0]!.message.tool_calls![0]!;
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    const second = await h.client().chat.completions.create({ model: `vertex/${CLAUDE}`, tools, messages: [question, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'claude result' }] });
    expect(second.choices[0]?.message.content).toBe(toolResultReply('claude result'));
  });
});

describe('vertex failures', () => {
  it('maps 429 RESOURCE_EXHAUSTED to 429 and 5xx to 502, on Gemini and Claude models alike', async () => {
    fake.setDefault({ kind: 'status', status: 429, body: googleError(429, 'Quota exceeded for aiplatform.googleapis.com/generate_content_requests_per_minute_per_project_per_base_model.', 'RESOURCE_EXHAUSTED') });
    const limited = await caught(h.client().chat.completions.create({ model: 'vertex/gemini-2.5-flash', messages: [{ role: 'user', content: 'limited' }] }));
    expect(limited.status).toBe(429);
    const claudeLimited = await caught(h.client().chat.completions.create({ model: `vertex/${CLAUDE}`, messages: [{ role: 'user', content: 'limited claude' }] }));
    expect(claudeLimited.status).toBe(429);

    fake.setDefault({ kind: 'status', status: 500 });
    const down = await caught(h.client().chat.completions.create({ model: 'vertex/gemini-2.5-flash', messages: [{ role: 'user', content: 'down' }] }));
    expect(down.status).toBe(502);
    expect(down.message).toMatch(/vertex.*INTERNAL/);
    fake.setDefault({ kind: 'status', status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });
    expect((await caught(h.client().chat.completions.create({ model: `vertex/${CLAUDE}`, messages: [{ role: 'user', content: 'down claude' }] }))).status).toBe(502);
  });
});

describe('vertex in the models list, metrics and logs', () => {
  it('lists vertex/<model> (Claude included), prices answers, and shows no token or private key anywhere', async () => {
    const models: string[] = [];
    for await (const m of h.client().models.list()) models.push(m.id);
    for (const id of ['gemini-2.5-flash', 'gemini-2.5-pro', 'text-embedding-004', CLAUDE]) expect(models).toContain(`vertex/${id}`);
    await h.client().chat.completions.create({ model: 'vertex/gemini-2.5-pro', messages: [{ role: 'user', content: 'priced vertex' }] });
    const metrics = await (await fetch(h.gateway.metricsUrl)).text();
    expect(metrics).toMatch(/llm_edge_cost_usd_total\{[^}]*provider="vertex"[^}]*\} [0-9.e-]+/);
    const logs = JSON.stringify(h.logs);
    const secrets = [...oauth.issued.map((t) => t.token), ...keyLines(sa.privateKeyPem)];
    expect(secrets.length).toBeGreaterThan(10);
    for (const secret of secrets) {
      expect(logs).not.toContain(secret);
      expect(metrics).not.toContain(secret);
    }
    expect(JSON.stringify([h.openai.calls, h.anthropic.calls])).not.toContain('ya29.');
  });
});

/** The base64 lines of a PEM private key: none may appear anywhere. */
function keyLines(pem: string): string[] {
  return pem.split('\n').filter((l) => l.length > 40 && !l.startsWith('-----'));
}
