// The fake Gemini API, Vertex AI and Google token endpoint, driven by the official Google Gen AI
// SDK (`@google/genai`): what the fakes send is what that SDK parses. Vertex requests go through
// the SDK's own auth (a google-auth-library JWT client signing with the test's service-account
// key), its token request redirected from Google's token URL to the fake token endpoint. What
// the SDK cannot send (JSON-Schema keywords in `parameters`, wrong roles) goes as raw requests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError, GoogleGenAI, Type, type Content } from '@google/genai';
import { JWT } from 'google-auth-library';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CLOUD_PLATFORM_SCOPE,
  GEMINI_API_KEY,
  GOOGLE_TOKEN_URL,
  PROMPT_OVERHEAD_TOKENS,
  THOUGHT_TOKENS,
  chunkWords,
  embeddingOf,
  expectedReply,
  generateServiceAccount,
  startFakeGemini,
  startFakeGoogleOAuth,
  toolResultReply,
  type FakeGoogleOAuth,
  type FakeProvider,
  type ServiceAccount,
} from './fakes/index.js';

let sa: ServiceAccount;
let oauth: FakeGoogleOAuth;
let fake: FakeProvider;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fake-google-'));
  sa = generateServiceAccount('proj-1');
  oauth = await startFakeGoogleOAuth({ clientEmail: sa.clientEmail, publicKey: sa.publicKey, extraAudiences: [GOOGLE_TOKEN_URL] });
  fake = await startFakeGemini({ oauth, project: 'proj-1', location: 'us-central1' });
});
afterEach(() => {
  fake.reset();
  oauth.reset();
  oauth.expiresInSeconds = 3600;
});
afterAll(async () => {
  await Promise.all([fake.close(), oauth.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const gemini = (apiKey = GEMINI_API_KEY) => new GoogleGenAI({ apiKey, httpOptions: { baseUrl: fake.url, apiVersion: 'v1beta', retryOptions: { attempts: 1 } } });

/** The SDK on Vertex AI with its google-auth-library JWT client; only the token URL is the fake's. */
function vertex(key: ServiceAccount = sa): GoogleGenAI {
  const fetchToken = (url: unknown, init: RequestInit) => fetch(String(url) === GOOGLE_TOKEN_URL ? oauth.tokenUrl : String(url), init);
  const authClient = new JWT({ email: key.clientEmail, key: key.privateKeyPem, scopes: [CLOUD_PLATFORM_SCOPE], transporterOptions: { fetchImplementation: fetchToken, retry: false } } as never);
  return new GoogleGenAI({
    vertexai: true,
    project: 'proj-1',
    location: 'us-central1',
    googleAuthOptions: { authClient } as never,
    httpOptions: { baseUrl: fake.url, apiVersion: 'v1', retryOptions: { attempts: 1 } },
  });
}

/** A bearer token from the fake token endpoint, the way the gateway gets one (signed assertion). */
async function bearer(): Promise<string> {
  const jwt = new JWT({ email: sa.clientEmail, key: sa.privateKeyPem, scopes: [CLOUD_PLATFORM_SCOPE], transporterOptions: { fetchImplementation: (u: unknown, i: RequestInit) => fetch(String(u) === GOOGLE_TOKEN_URL ? oauth.tokenUrl : String(u), i) } } as never);
  const { token } = await jwt.getAccessToken();
  return token!;
}

async function post(path: string, body: unknown, headers: Record<string, string> = { 'x-goog-api-key': GEMINI_API_KEY }) {
  const res = await fetch(fake.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

async function apiError(promise: Promise<unknown>): Promise<ApiError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

const lookup = { name: 'lookup', description: 'Looks a thing up', parametersJsonSchema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'], additionalProperties: false } };
const FLASH = '/v1beta/models/gemini-2.5-flash:generateContent';
const userTurn = (text: string) => ({ role: 'user', parts: [{ text }] });

describe('fake Gemini API through @google/genai', () => {
  it('answers generateContent with the system instruction counted, thoughts reported, the key checked', async () => {
    const r = await gemini().models.generateContent({ model: 'gemini-2.5-flash', contents: 'hello there', config: { systemInstruction: 'Be brief.', temperature: 0.5, maxOutputTokens: 50 } });
    expect(r.text).toBe(expectedReply('hello there'));
    expect(r.candidates?.[0]?.finishReason).toBe('STOP');
    expect(r.usageMetadata).toMatchObject({ promptTokenCount: 4 + PROMPT_OVERHEAD_TOKENS, candidatesTokenCount: 3, thoughtsTokenCount: THOUGHT_TOKENS, totalTokenCount: 7 + PROMPT_OVERHEAD_TOKENS + THOUGHT_TOKENS });
    expect(fake.calls[0]!.headers['x-goog-api-key']).toBe(GEMINI_API_KEY);
    expect(fake.calls[0]!.path).toBe(FLASH);

    const noThinking = await gemini().models.generateContent({ model: 'gemini-2.0-flash', contents: 'hi' });
    expect(noThinking.usageMetadata?.thoughtsTokenCount).toBeUndefined();
  });

  it('refuses a wrong key with the API_KEY_INVALID 400 and no key with 403', async () => {
    const wrong = await apiError(gemini('wrong').models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' }));
    expect(wrong.status).toBe(400);
    expect(wrong.message).toContain('API_KEY_INVALID');
    const none = await post(FLASH, { contents: [userTurn('x')] }, {});
    expect(none.status).toBe(403);
    expect(none.json.error.status).toBe('PERMISSION_DENIED');
  });

  it('streams one SSE event per word, the last with finishReason and the final usage', async () => {
    const stream = await gemini().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'one two three' });
    const texts: string[] = [];
    const finishes: unknown[] = [];
    let usage: unknown;
    for await (const chunk of stream) {
      if (chunk.text) texts.push(chunk.text);
      finishes.push(chunk.candidates?.[0]?.finishReason);
      usage = chunk.usageMetadata;
    }
    expect(texts).toEqual(chunkWords(expectedReply('one two three')));
    expect(finishes.at(-1)).toBe('STOP');
    expect(finishes.slice(0, -1).every((f) => f === undefined)).toBe(true);
    expect(usage).toMatchObject({ promptTokenCount: 3 + PROMPT_OVERHEAD_TOKENS, candidatesTokenCount: 4 });
    expect(fake.calls[0]!.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  });

  it('calls a declared function, then answers its functionResponse', async () => {
    const ai = gemini();
    const config = { tools: [{ functionDeclarations: [lookup] }] };
    const first = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'find cats', config });
    expect(first.functionCalls).toEqual([{ name: 'lookup', args: { query: 'find cats' } }]);
    const history: Content[] = [
      { role: 'user', parts: [{ text: 'find cats' }] },
      first.candidates![0]!.content!,
      { role: 'user', parts: [{ functionResponse: { name: 'lookup', response: { output: 'three cats' } } }] },
    ];
    const second = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: history, config });
    expect(second.text).toBe(toolResultReply('three cats'));

    const forced = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'weather please',
      config: { tools: [{ functionDeclarations: [lookup, { ...lookup, name: 'weather' }] }], toolConfig: { functionCallingConfig: { mode: 'ANY' as never, allowedFunctionNames: ['weather'] } } },
    });
    expect(forced.functionCalls?.[0]?.name).toBe('weather');
    const none = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'no tools', config: { ...config, toolConfig: { functionCallingConfig: { mode: 'NONE' as never } } } });
    expect(none.text).toBe(expectedReply('no tools'));
  });

  it('Gemini 3 signs function calls and refuses a replay without the signature', async () => {
    const ai = gemini();
    const config = { tools: [{ functionDeclarations: [lookup] }] };
    const first = await ai.models.generateContent({ model: 'gemini-3-pro-preview', contents: 'find cats', config });
    const call = first.candidates![0]!.content!;
    expect(call.parts![0]!.thoughtSignature).toMatch(/.+/);
    const answer = { role: 'user', parts: [{ functionResponse: { name: 'lookup', response: { output: 'ok' } } }] };
    const replay = await ai.models.generateContent({ model: 'gemini-3-pro-preview', contents: [userTurn('find cats'), call, answer], config });
    expect(replay.text).toBe(toolResultReply('ok'));
    const unsigned = { role: 'model', parts: [{ functionCall: { name: 'lookup', args: { query: 'find cats' } } }] };
    const refused = await apiError(ai.models.generateContent({ model: 'gemini-3-pro-preview', contents: [userTurn('find cats'), unsigned, answer], config }));
    expect(refused.message).toContain('missing a thought_signature');
    const skipped = { role: 'model', parts: [{ functionCall: { name: 'lookup', args: {} }, thoughtSignature: 'skip_thought_signature_validator' }] };
    expect((await ai.models.generateContent({ model: 'gemini-3-pro-preview', contents: [userTurn('find cats'), skipped, answer], config })).text).toBe(toolResultReply('ok'));
  });

  it('answers JSON shaped by responseJsonSchema (and by the OpenAPI responseSchema)', async () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' }, words: { type: 'integer' } }, required: ['answer', 'words'], additionalProperties: false };
    const r = await gemini().models.generateContent({ model: 'gemini-2.5-flash', contents: 'json please', config: { responseMimeType: 'application/json', responseJsonSchema: schema } });
    expect(JSON.parse(r.text!)).toEqual({ answer: expectedReply('json please'), words: 3 });
    const openapi = await gemini().models.generateContent({ model: 'gemini-2.5-flash', contents: 'x', config: { responseMimeType: 'application/json', responseSchema: { type: Type.OBJECT, properties: { ok: { type: Type.BOOLEAN } } } } });
    expect(JSON.parse(openapi.text!)).toEqual({ ok: true });
  });

  it('embeds one text (embedContent) and several (batchEmbedContents)', async () => {
    const one = await post('/v1beta/models/text-embedding-004:embedContent', { content: { parts: [{ text: 'alpha' }] } });
    expect(one.json.embedding.values).toEqual(embeddingOf('alpha'));
    const many = await gemini().models.embedContent({ model: 'text-embedding-004', contents: ['a', 'b'] });
    expect(many.embeddings?.map((e) => e.values)).toEqual([embeddingOf('a'), embeddingOf('b')]);
    expect(fake.calls[1]!.path).toBe('/v1beta/models/text-embedding-004:batchEmbedContents');
    const wrongModel = await post('/v1beta/models/text-embedding-004:batchEmbedContents', { requests: [{ model: 'models/other', content: { parts: [{ text: 'a' }] } }] });
    expect(wrongModel.status).toBe(400);
    const notEmbedding = await post('/v1beta/models/gemini-2.5-flash:embedContent', { content: { parts: [{ text: 'a' }] } });
    expect(notEmbedding.status).toBe(404);
  });

  it('refuses what the real API refuses, naming the field', async () => {
    const bad = async (body: unknown) => {
      const r = await post(FLASH, body);
      expect(r.status).toBe(400);
      expect(r.json.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
      return r.json.error.message as string;
    };
    // JSON-Schema keywords in the OpenAPI-subset `parameters` (the SDK strips them, raw callers do not)
    const withAdditional = { name: 'f', parameters: { type: 'object', properties: { q: { type: 'string' } }, additionalProperties: false } };
    expect(await bad({ contents: [userTurn('x')], tools: [{ functionDeclarations: [withAdditional] }] })).toBe(
      `Invalid JSON payload received. Unknown name "additionalProperties" at 'tools[0].function_declarations[0].parameters': Cannot find field.`,
    );
    expect(await bad({ contents: [userTurn('x')], tools: [{ functionDeclarations: [{ name: 'f', parameters: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' } }] }] })).toContain('Unknown name "$schema"');
    // ... while parametersJsonSchema takes JSON Schema
    expect((await post(FLASH, { contents: [userTurn('x')], tools: [{ functionDeclarations: [lookup] }] })).status).toBe(200);
    expect(await bad({ contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] })).toBe('Please use a valid role: user, model.');
    expect(await bad({ contents: [{ role: 'user', parts: [] }] })).toContain('contents.parts must not be empty');
    expect(await bad({ contents: [{ role: 'user', parts: [{}] }] })).toContain("required oneof field 'data'");
    expect(await bad({ contents: [userTurn('x')], generationConfig: { temperature: 'hot' } })).toBe(`Invalid value at 'generation_config.temperature' (TYPE_FLOAT), "hot"`);
    expect(await bad({ contents: [userTurn('x')], generationConfig: { maxOutputTokens: 1.5 } })).toContain('TYPE_INT32');
    expect(await bad({ contents: [userTurn('x')], generationConfig: { max_tokens: 5 } })).toContain('Unknown name "max_tokens"');
    expect(await bad({ contents: [userTurn('x')], generationConfig: { responseJsonSchema: { type: 'object' } } })).toContain('response_mime_type');
    expect(await bad({ contents: [userTurn('x')], tools: [{ functionDeclarations: [{ name: 'bad name' }] }] })).toContain('Invalid function name');
    const call = { role: 'model', parts: [{ functionCall: { name: 'lookup', args: {} } }] };
    const tools = [{ functionDeclarations: [lookup] }];
    expect(await bad({ contents: [userTurn('x'), call, { role: 'user', parts: [{ functionResponse: { name: 'other', response: { output: 'r' } } }] }], tools })).toContain("function_response.name 'other'");
    expect(await bad({ contents: [userTurn('x'), call, { role: 'user', parts: [{ text: 'a' }, { functionResponse: { name: 'lookup', response: { output: 'r' } } }, { functionResponse: { name: 'lookup', response: { output: 'r' } } }] }], tools })).toContain('number of function response parts');
    expect(await bad({ contents: [userTurn('x')], tools, toolConfig: { functionCallingConfig: { mode: 'AUTO', allowedFunctionNames: ['lookup'] } } })).toContain('allowed_function_names');
  });

  it('fails on demand in Google\'s error shape', async () => {
    fake.script({ kind: 'status', status: 429 });
    const limited = await apiError(gemini().models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' }));
    expect(limited.status).toBe(429);
    expect(limited.message).toContain('RESOURCE_EXHAUSTED');
    fake.script({ kind: 'stream-error', afterChunks: 1 });
    const stream = await gemini().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'a b c' });
    const err = await (async () => {
      for await (const _ of stream) void _;
    })().then(() => undefined, (e: unknown) => e);
    expect(String(err)).toContain('overloaded');
  });
});

describe('fake Vertex AI and token endpoint through @google/genai', () => {
  it('issues a token for a signed assertion and serves generateContent with it', async () => {
    const r = await vertex().models.generateContent({ model: 'gemini-2.5-flash', contents: 'hello vertex', config: { systemInstruction: 'Be brief.' } });
    expect(r.text).toBe(expectedReply('hello vertex'));
    expect(oauth.issued).toHaveLength(1);
    expect(oauth.issued[0]!.claims).toMatchObject({ iss: sa.clientEmail, aud: GOOGLE_TOKEN_URL, scope: CLOUD_PLATFORM_SCOPE });
    const call = fake.calls[0]!;
    expect(call.path).toBe('/v1/projects/proj-1/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent');
    expect(call.headers.authorization).toBe(`Bearer ${oauth.issued[0]!.token}`);
  });

  it('streams and embeds (predict) on Vertex paths', async () => {
    const ai = vertex();
    const stream = await ai.models.generateContentStream({ model: 'gemini-2.0-flash', contents: 'one two' });
    let text = '';
    for await (const chunk of stream) text += chunk.text ?? '';
    expect(text).toBe(expectedReply('one two'));
    const e = await ai.models.embedContent({ model: 'text-embedding-004', contents: ['alpha', 'beta gamma'] });
    expect(e.embeddings?.map((x) => x.values)).toEqual([embeddingOf('alpha'), embeddingOf('beta gamma')]);
    expect(e.embeddings?.map((x) => x.statistics?.tokenCount)).toEqual([1, 2]);
    expect(fake.calls.at(-1)!.path).toBe('/v1/projects/proj-1/locations/us-central1/publishers/google/models/text-embedding-004:predict');
  });

  it('refuses assertions signed with another key, and requests without a valid token', async () => {
    const stranger = { ...generateServiceAccount('proj-1'), clientEmail: sa.clientEmail };
    const err = await vertex(stranger).models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' }).then(() => undefined, (e: unknown) => e);
    expect(String(err)).toContain('Invalid JWT Signature');
    expect(fake.calls).toHaveLength(0);

    const path = '/v1/projects/proj-1/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent';
    const none = await post(path, { contents: [userTurn('x')] }, {});
    expect(none.status).toBe(401);
    expect(none.json.error.status).toBe('UNAUTHENTICATED');
    const forged = await post(path, { contents: [userTurn('x')] }, { authorization: 'Bearer ya29.forged' });
    expect(forged.status).toBe(401);
    const token = await bearer();
    const otherProject = await post(path.replace('proj-1', 'proj-2'), { contents: [userTurn('x')] }, { authorization: `Bearer ${token}` });
    expect(otherProject.status).toBe(403);
  });

  it('checks aud, scope and the assertion lifetime; tokens expire', async () => {
    const form = async (claims: Record<string, unknown>) => {
      const { createSign } = await import('node:crypto');
      const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const input = `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc(claims)}`;
      const signature = createSign('RSA-SHA256').update(input).sign(sa.privateKeyPem).toString('base64url');
      const res = await fetch(oauth.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: `${input}.${signature}` }) });
      return { status: res.status, json: (await res.json()) as any };
    };
    const now = Math.floor(Date.now() / 1000);
    const good = { iss: sa.clientEmail, scope: CLOUD_PLATFORM_SCOPE, aud: oauth.tokenUrl, iat: now, exp: now + 3600 };
    oauth.expiresInSeconds = 1;
    const ok = await form(good);
    expect(ok).toMatchObject({ status: 200, json: { token_type: 'Bearer', expires_in: 1 } });
    expect((await form({ ...good, aud: 'https://elsewhere.example/token' })).json.error).toBe('invalid_grant');
    expect((await form({ ...good, scope: 'https://www.googleapis.com/auth/userinfo.email' })).json.error).toBe('invalid_scope');
    expect((await form({ ...good, exp: now + 7200 })).json.error_description).toContain('short-lived');
    expect((await form({ ...good, iat: now - 7200, exp: now - 3600 })).status).toBe(400);
    expect((await form({ ...good, iss: 'someone@else.iam.gserviceaccount.com' })).status).toBe(400);

    const path = '/v1/projects/proj-1/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent';
    const auth = { authorization: `Bearer ${ok.json.access_token}` };
    expect((await post(path, { contents: [userTurn('x')] }, auth)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await post(path, { contents: [userTurn('x')] }, auth);
    expect(expired.status).toBe(401);
    expect(expired.json.error.details[0].reason).toBe('ACCESS_TOKEN_EXPIRED');
  });

  it('serves Claude at rawPredict / streamRawPredict with anthropic_version in the body and no model', async () => {
    const auth = { authorization: `Bearer ${await bearer()}` };
    const base = '/v1/projects/proj-1/locations/us-central1/publishers/anthropic/models/claude-sonnet-4-5@20250929';
    const body = { anthropic_version: 'vertex-2023-10-16', max_tokens: 100, messages: [{ role: 'user', content: 'hello claude' }] };
    const json = await post(`${base}:rawPredict`, body, auth);
    expect(json.status).toBe(200);
    expect(json.json).toMatchObject({ type: 'message', model: 'claude-sonnet-4-5@20250929', content: [{ type: 'text', text: expectedReply('hello claude') }] });
    const stream = await post(`${base}:streamRawPredict`, { ...body, stream: true }, auth);
    expect(stream.text).toContain('event: message_stop');
    expect((await post(`${base}:rawPredict`, { ...body, model: 'claude-sonnet-4-5' }, auth)).json.error.message).toBe('model: Extra inputs are not permitted');
    const { anthropic_version: _, ...unversioned } = body;
    expect((await post(`${base}:rawPredict`, unversioned, auth)).status).toBe(400);
    expect((await post(`${base}:rawPredict`, body, {})).status).toBe(401);
  });
});
