// The fake providers, driven by the official SDKs (so their wire formats are what real clients
// parse) and by plain node:http / fetch clients (so every fault is observed at the socket).
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  OPENAI_CREATED,
  PROMPT_OVERHEAD_TOKENS,
  chunkWords,
  embeddingOf,
  expectedReply,
  startFakeAnthropic,
  startFakeOpenAI,
} from './fakes/index.js';
import type { FakeProvider } from './fakes/index.js';
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  type ConverseCommandInput,
  type ConverseStreamOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { Hash } from '@smithy/hash-node';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import { BEDROCK_TEST_BEARER, BEDROCK_TEST_CREDENTIALS, startFakeBedrock } from './fakes/index.js';
import type { AwsTestCredentials } from './fakes/index.js';

const OPENAI_KEY = 'sk-fake-openai';
const ANTHROPIC_KEY = 'sk-ant-fake';
const searchTool = {
  type: 'function' as const,
  function: { name: 'search', description: 'web search', parameters: { type: 'object', properties: { query: { type: 'string' } } } },
};
const weatherTool = { ...searchTool, function: { ...searchTool.function, name: 'weather' } };
const claudeSearch = { name: 'search', description: 'web search', input_schema: { type: 'object' as const, properties: { query: { type: 'string' } } } };
const claudeWeather = { ...claudeSearch, name: 'weather' };

interface RawResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

interface OpenStream {
  status: Promise<number>;
  /** Everything received so far. */
  received(): string;
  /** Settles when the response ends cleanly or fails mid-body. */
  outcome: Promise<{ kind: 'end' } | { kind: 'error'; error: Error }>;
  abort(): void;
}

/** A plain node:http request that exposes the body as it arrives, for stream faults. */
function openRaw(url: string, path: string, body: unknown, headers: Record<string, string>): OpenStream {
  let text = '';
  let resolveStatus!: (s: number) => void;
  let rejectStatus!: (e: Error) => void;
  const status = new Promise<number>((res, rej) => {
    resolveStatus = res;
    rejectStatus = rej;
  });
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const req = httpRequest(`${url}${path}`, {
    method: payload === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    agent: false,
  });
  const outcome = new Promise<{ kind: 'end' } | { kind: 'error'; error: Error }>((resolve) => {
    req.on('error', (error) => {
      rejectStatus(error);
      resolve({ kind: 'error', error });
    });
    req.on('response', (res) => {
      resolveStatus(res.statusCode ?? 0);
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ kind: 'end' }));
      res.on('error', (error) => resolve({ kind: 'error', error }));
    });
  });
  status.catch(() => undefined);
  req.end(payload);
  return { status, received: () => text, outcome, abort: () => req.destroy() };
}

async function raw(url: string, path: string, body: unknown, headers: Record<string, string>): Promise<RawResult> {
  const res = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: Object.fromEntries(res.headers), text: await res.text() };
}

async function waitFor(cond: () => boolean, what: string, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Words in a text, the fakes' token unit. */
const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

/** `data:` payloads of an OpenAI SSE body, [DONE] excluded. */
function openaiChunks(sse: string): any[] {
  return sse
    .split('\n\n')
    .filter((e) => e.startsWith('data: ') && e !== 'data: [DONE]')
    .map((e) => JSON.parse(e.slice(6)));
}

/** `event:` names and data of an Anthropic SSE body. */
function anthropicEvents(sse: string): { event: string; data: any }[] {
  return sse
    .split('\n\n')
    .filter(Boolean)
    .map((e) => {
      const [ev, data] = e.split('\n');
      return { event: (ev ?? '').slice('event: '.length), data: JSON.parse((data ?? '').slice('data: '.length)) };
    });
}

describe('fake OpenAI', () => {
  let fake: FakeProvider;
  let client: OpenAI;
  const auth = { authorization: `Bearer ${OPENAI_KEY}` };
  const chat = (content: string) => ({ model: 'gpt-4o', messages: [{ role: 'user' as const, content }] });

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    client = new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: OPENAI_KEY, maxRetries: 0 });
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it('answers JSON with the echo, usage by words, a fixed created and the request model', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hello there world' },
      ],
    });
    expect(res.id).toMatch(/^chatcmpl-\d+$/);
    expect(res.object).toBe('chat.completion');
    expect(res.created).toBe(OPENAI_CREATED);
    expect(res.model).toBe('gpt-4o-mini');
    expect(res.choices).toHaveLength(1);
    expect(res.choices[0]?.message).toMatchObject({ role: 'assistant', content: 'Echo: hello there world', refusal: null });
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(res.usage).toMatchObject({ prompt_tokens: 5 + PROMPT_OVERHEAD_TOKENS, completion_tokens: 4, total_tokens: 12 });
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: { model: 'gpt-4o-mini' } });
    expect(fake.calls[0]?.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
  });

  it('reads content-part arrays, joining text parts with a space', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'one two' }, { type: 'text', text: 'three' }] }],
    });
    expect(res.choices[0]?.message.content).toBe(expectedReply('one two three'));
  });

  it('gives every completion a new id', async () => {
    const a = await client.chat.completions.create(chat('x'));
    const b = await client.chat.completions.create(chat('x'));
    expect(a.id).not.toBe(b.id);
  });

  it('streams one chunk per word, then finish_reason, then usage only when include_usage', async () => {
    const stream = await client.chat.completions.create({ ...chat('alpha beta gamma'), stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    const contents = chunks.flatMap((c) => (c.choices[0]?.delta.content ? [c.choices[0].delta.content] : []));
    expect(contents).toEqual(chunkWords(expectedReply('alpha beta gamma')));
    expect(contents).toEqual(['Echo: ', 'alpha ', 'beta ', 'gamma']);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
    expect(finish.map((c) => c.choices[0]?.finish_reason)).toEqual(['stop']);
    const last = chunks[chunks.length - 1];
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: 3 + PROMPT_OVERHEAD_TOKENS, completion_tokens: 4, total_tokens: 10 });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);

    const plain = await raw(fake.url, '/v1/chat/completions', { ...chat('alpha beta'), stream: true }, auth);
    expect(plain.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(plain.text.endsWith('data: [DONE]\n\n')).toBe(true);
    const plainChunks = openaiChunks(plain.text);
    expect(plainChunks.every((c) => !('usage' in c) && c.choices.length === 1)).toBe(true);
  });

  it('calls the first tool with {"query": text}, or the one tool_choice names, unless tool_choice is none', async () => {
    const res = await client.chat.completions.create({ ...chat('rain in Oslo'), tools: [searchTool, weatherTool] });
    const choice = res.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBeNull();
    const call = choice?.message.tool_calls?.[0];
    expect(call?.id).toMatch(/^call_\d+$/);
    expect(call?.type).toBe('function');
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('search');
    expect(JSON.parse(call.function.arguments)).toEqual({ query: 'rain in Oslo' });
    expect(res.usage?.completion_tokens).toBe(5);

    const named = await client.chat.completions.create({
      ...chat('rain in Oslo'),
      tools: [searchTool, weatherTool],
      tool_choice: { type: 'function', function: { name: 'weather' } },
    });
    const namedCall = named.choices[0]?.message.tool_calls?.[0];
    expect(namedCall?.type === 'function' && namedCall.function.name).toBe('weather');

    const none = await client.chat.completions.create({ ...chat('rain in Oslo'), tools: [searchTool], tool_choice: 'none' });
    expect(none.choices[0]?.message.content).toBe(expectedReply('rain in Oslo'));
  });

  it('answers a tool result with "Tool said: ..." (round trip)', async () => {
    const first = await client.chat.completions.create({ ...chat('weather?'), tools: [searchTool] });
    const assistant = first.choices[0]?.message;
    const call = assistant?.tool_calls?.[0];
    if (assistant === undefined || call === undefined) throw new Error('expected a tool call');
    const second = await client.chat.completions.create({
      model: 'gpt-4o',
      tools: [searchTool],
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: null, tool_calls: assistant.tool_calls ?? [] },
        { role: 'tool', tool_call_id: call.id, content: 'sunny and warm' },
      ],
    });
    expect(second.choices[0]?.message.content).toBe('Tool said: sunny and warm');
    expect(second.choices[0]?.finish_reason).toBe('stop');
  });

  it('streams tool-call arguments in fragments that the SDK stream helper assembles', async () => {
    const fragments: string[] = [];
    const runner = client.chat.completions.stream({ ...chat('find cats'), tools: [searchTool] });
    runner.on('chunk', (chunk) => {
      const frag = chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments;
      if (frag) fragments.push(frag);
    });
    const final = await runner.finalChatCompletion();
    expect(fragments.length).toBeGreaterThanOrEqual(2);
    expect(fragments.join('')).toBe('{"query":"find cats"}');
    const call = final.choices[0]?.message.tool_calls?.[0];
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.id).toMatch(/^call_\d+$/);
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ query: 'find cats' });
  });

  it('cuts the reply before a stop sequence and truncates to max_tokens words', async () => {
    const stopped = await client.chat.completions.create({ ...chat('hello world again'), stop: ['world', 'zzz'] });
    expect(stopped.choices[0]?.message.content).toBe('Echo: hello ');
    expect(stopped.choices[0]?.finish_reason).toBe('stop');
    expect(stopped.usage?.completion_tokens).toBe(2);

    const short = await client.chat.completions.create({ ...chat('hello world again'), max_tokens: 2 });
    expect(short.choices[0]?.message.content).toBe('Echo: hello ');
    expect(short.choices[0]?.finish_reason).toBe('length');
    expect(short.usage?.completion_tokens).toBe(2);

    const exact = await client.chat.completions.create({ ...chat('hello world'), max_completion_tokens: 3 });
    expect(exact.choices[0]?.finish_reason).toBe('stop');

    const streamed = await client.chat.completions.stream({ ...chat('hello world again'), max_completion_tokens: 3 }).finalChatCompletion();
    expect(streamed.choices[0]?.message.content).toBe('Echo: hello world ');
    expect(streamed.choices[0]?.finish_reason).toBe('length');
  });

  it('leaves usage out everywhere under the no-usage fault', async () => {
    fake.script({ kind: 'no-usage' }, { kind: 'no-usage' });
    const res = await client.chat.completions.create(chat('hi'));
    expect(res.usage).toBeUndefined();
    expect(res.choices[0]?.message.content).toBe(expectedReply('hi'));
    const sse = await raw(fake.url, '/v1/chat/completions', { ...chat('hi'), stream: true, stream_options: { include_usage: true } }, auth);
    expect(sse.text).not.toContain('usage');
    expect(sse.text).toContain('"finish_reason":"stop"');
  });

  it('embeds strings into deterministic 8-dim vectors, as float or base64', async () => {
    const res = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['the cat', 'a dog sat'] });
    expect(res.object).toBe('list');
    expect(res.data.map((d) => d.index)).toEqual([0, 1]);
    expect(res.data[0]?.embedding).toEqual(embeddingOf('the cat'));
    expect(res.data[1]?.embedding).toEqual(embeddingOf('a dog sat'));
    expect(res.data[0]?.embedding).toHaveLength(8);
    expect(res.data[0]?.embedding).not.toEqual(res.data[1]?.embedding);
    expect(res.usage).toEqual({ prompt_tokens: 5, total_tokens: 5 });
    expect(fake.calls[0]?.body.encoding_format).toBe('base64'); // the SDK's default

    const floats = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'the cat', encoding_format: 'float' });
    expect(floats.data[0]?.embedding).toEqual(embeddingOf('the cat'));
    const norm = Math.hypot(...embeddingOf('the cat'));
    expect(norm).toBeCloseTo(1, 5);

    await expect(client.embeddings.create({ model: 'text-embedding-3-small', input: [] })).rejects.toMatchObject({ status: 400, param: 'input' });
  });

  it('lists and retrieves models', async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small']);
    expect((await client.models.retrieve('gpt-4o')).id).toBe('gpt-4o');
    await expect(client.models.retrieve('gpt-nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('refuses a wrong or missing bearer key with 401 in OpenAI error shape', async () => {
    const wrong = new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: 'sk-wrong', maxRetries: 0 });
    await expect(wrong.chat.completions.create(chat('hi'))).rejects.toMatchObject({ status: 401, code: 'invalid_api_key', type: 'invalid_request_error' });
    const none = await raw(fake.url, '/v1/models', undefined, {});
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text)).toMatchObject({ error: { type: 'invalid_request_error', param: null, message: expect.stringContaining('API key') } });
  });

  it('validates requests like the real API, naming the param', async () => {
    const bad = async (body: unknown) => {
      const res = await raw(fake.url, '/v1/chat/completions', body, auth);
      expect(res.status).toBe(400);
      return JSON.parse(res.text).error as { type: string; param: string | null; message: string };
    };
    expect(await bad({ messages: [{ role: 'user', content: 'x' }] })).toMatchObject({ type: 'invalid_request_error', param: 'model' });
    expect(await bad({ model: 'gpt-4o' })).toMatchObject({ param: 'messages', message: "Missing required parameter: 'messages'." });
    expect(await bad({ model: 'gpt-4o', messages: [] })).toMatchObject({ param: 'messages' });
    expect(await bad({ model: 'gpt-4o', messages: [{ role: 'robot', content: 'x' }] })).toMatchObject({ param: 'messages[0].role' });
    expect(await bad({ model: 'gpt-4o', messages: [{ role: 'user' }] })).toMatchObject({ param: 'messages[0].content' });
    expect(await bad({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], max_tokens: 0 })).toMatchObject({ param: 'max_tokens' });
    expect(await bad({ model: 'gpt-4o', messages: [{ role: 'tool', tool_call_id: 'call_1', content: 'x' }] })).toMatchObject({
      message: expect.stringContaining("must be a response to a preceeding message with 'tool_calls'"),
    });
    const unanswered = await bad({
      model: 'gpt-4o',
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'search', arguments: '{}' } }] },
        { role: 'user', content: 'y' },
      ],
    });
    expect(unanswered.message).toContain('call_9');
    expect(await bad('{not json')).toMatchObject({ message: expect.stringContaining('could not parse the JSON body') });
    await expect(client.chat.completions.create({ model: 'gpt-4o', messages: [] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('answers unknown paths with 404', async () => {
    const res = await raw(fake.url, '/v1/audio/speech', {}, auth);
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text).error.message).toBe('Invalid URL (POST /v1/audio/speech)');
  });
});

describe('fake Anthropic', () => {
  let fake: FakeProvider;
  let client: Anthropic;
  const auth = { 'x-api-key': ANTHROPIC_KEY, 'anthropic-version': '2023-06-01' };
  const msg = (content: string) => ({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user' as const, content }] });

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    client = new Anthropic({ baseURL: fake.url, apiKey: ANTHROPIC_KEY, maxRetries: 0 });
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it('answers JSON with a text block, end_turn and usage counting the system prompt', async () => {
    const res = await client.messages.create({ ...msg('hello there world'), system: [{ type: 'text', text: 'be very brief' }] });
    expect(res.id).toMatch(/^msg_\d+$/);
    expect(res.type).toBe('message');
    expect(res.role).toBe('assistant');
    expect(res.model).toBe('claude-sonnet-4-5');
    expect(res.content).toEqual([{ type: 'text', text: expectedReply('hello there world') }]);
    expect(res.stop_reason).toBe('end_turn');
    expect(res.stop_sequence).toBeNull();
    expect(res.usage).toMatchObject({ input_tokens: 6 + PROMPT_OVERHEAD_TOKENS, output_tokens: 4 });
    expect(fake.calls[0]).toMatchObject({ method: 'POST', path: '/v1/messages' });
    // The SDK picks the header (1.x sends a bearer token); the fake accepts it or x-api-key.
    const headers = fake.calls[0]?.headers ?? {};
    expect([headers['x-api-key'], headers.authorization]).toContain(headers['x-api-key'] === undefined ? `Bearer ${ANTHROPIC_KEY}` : ANTHROPIC_KEY);
    expect(headers['anthropic-version']).toEqual(expect.any(String));
  });

  it('streams events in the real order with input usage first and output usage last', async () => {
    const res = await raw(fake.url, '/v1/messages', { ...msg('alpha beta gamma'), stream: true }, auth);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    const events = anthropicEvents(res.text);
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events.every((e) => e.event === e.data.type)).toBe(true);
    expect(events[0]?.data.message).toMatchObject({ id: expect.stringMatching(/^msg_\d+$/), content: [], stop_reason: null, usage: { input_tokens: 6 } });
    expect(events.filter((e) => e.event === 'content_block_delta').map((e) => e.data.delta.text)).toEqual(['Echo: ', 'alpha ', 'beta ', 'gamma']);
    expect(events[8]?.data).toEqual({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 4 } });

    const final = await client.messages.stream(msg('alpha beta gamma')).finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: expectedReply('alpha beta gamma') }]);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage).toMatchObject({ input_tokens: 6, output_tokens: 4 });
  });

  it('answers with a tool_use block for the first tool, the named one, or none', async () => {
    const res = await client.messages.create({ ...msg('rain in Oslo'), tools: [claudeSearch, claudeWeather] });
    expect(res.stop_reason).toBe('tool_use');
    expect(res.content).toEqual([{ type: 'tool_use', id: expect.stringMatching(/^toolu_\d+$/), name: 'search', input: { query: 'rain in Oslo' } }]);
    expect(res.usage.output_tokens).toBe(5);

    const named = await client.messages.create({ ...msg('rain'), tools: [claudeSearch, claudeWeather], tool_choice: { type: 'tool', name: 'weather' } });
    expect(named.content[0]).toMatchObject({ type: 'tool_use', name: 'weather' });

    const none = await client.messages.create({ ...msg('rain'), tools: [claudeSearch], tool_choice: { type: 'none' } });
    expect(none.content).toEqual([{ type: 'text', text: expectedReply('rain') }]);
  });

  it('answers a tool_result with "Tool said: ..." (round trip)', async () => {
    const first = await client.messages.create({ ...msg('weather?'), tools: [claudeSearch] });
    const use = first.content[0];
    if (use?.type !== 'tool_use') throw new Error('expected tool_use');
    const second = await client.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      tools: [claudeSearch],
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: [{ type: 'text', text: 'sunny and warm' }] }] },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'Tool said: sunny and warm' }]);
    expect(second.stop_reason).toBe('end_turn');
  });

  it('streams tool input as input_json_delta fragments that the SDK assembles', async () => {
    const partials: string[] = [];
    const stream = client.messages.stream({ ...msg('find cats'), tools: [claudeSearch] });
    stream.on('streamEvent', (e) => {
      if (e.type === 'content_block_delta' && e.delta.type === 'input_json_delta') partials.push(e.delta.partial_json);
    });
    const final = await stream.finalMessage();
    expect(partials.length).toBeGreaterThanOrEqual(2);
    expect(partials.join('')).toBe('{"query":"find cats"}');
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content[0]).toMatchObject({ type: 'tool_use', name: 'search', input: { query: 'find cats' } });
    expect(final.usage.output_tokens).toBe(5);
  });

  it('stops at a stop sequence and at max_tokens, JSON and streamed', async () => {
    const stopped = await client.messages.create({ ...msg('hello world again'), stop_sequences: ['again', 'world'] });
    expect(stopped.content).toEqual([{ type: 'text', text: 'Echo: hello ' }]);
    expect(stopped.stop_reason).toBe('stop_sequence');
    expect(stopped.stop_sequence).toBe('world');

    const streamed = await client.messages.stream({ ...msg('hello world again'), stop_sequences: ['world'] }).finalMessage();
    expect(streamed.content).toEqual([{ type: 'text', text: 'Echo: hello ' }]);
    expect(streamed.stop_sequence).toBe('world');

    const short = await client.messages.create({ ...msg('hello world again'), max_tokens: 2 });
    expect(short.content).toEqual([{ type: 'text', text: 'Echo: hello ' }]);
    expect(short.stop_reason).toBe('max_tokens');
    expect(short.usage.output_tokens).toBe(2);
  });

  it('leaves usage out everywhere under the no-usage fault', async () => {
    fake.script({ kind: 'no-usage' }, { kind: 'no-usage' });
    const res = await client.messages.create(msg('hi'));
    expect(res.usage).toBeUndefined();
    expect(res.content).toEqual([{ type: 'text', text: expectedReply('hi') }]);
    const sse = await raw(fake.url, '/v1/messages', { ...msg('hi'), stream: true }, auth);
    expect(sse.text).not.toContain('usage');
    expect(sse.text).toContain('event: message_stop');
  });

  it('refuses a wrong key with 401 and a missing anthropic-version with 400', async () => {
    const wrong = new Anthropic({ baseURL: fake.url, apiKey: 'sk-ant-wrong', maxRetries: 0 });
    const err = await wrong.messages.create(msg('hi')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((err as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });

    const wrongHeader = await raw(fake.url, '/v1/messages', msg('hi'), { ...auth, 'x-api-key': 'sk-ant-wrong' });
    expect(wrongHeader.status).toBe(401);
    expect((await raw(fake.url, '/v1/messages', msg('hi'), { 'anthropic-version': '2023-06-01' })).status).toBe(401);

    const noVersion = await raw(fake.url, '/v1/messages', msg('hi'), { 'x-api-key': ANTHROPIC_KEY });
    expect(noVersion.status).toBe(400);
    expect(JSON.parse(noVersion.text)).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' } });
  });

  it('validates requests like the real API, naming the field', async () => {
    const bad = async (body: unknown) => {
      const res = await raw(fake.url, '/v1/messages', body, auth);
      expect(res.status).toBe(400);
      const parsed = JSON.parse(res.text);
      expect(parsed.type).toBe('error');
      expect(parsed.error.type).toBe('invalid_request_error');
      return parsed.error.message as string;
    };
    expect(await bad({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }] })).toBe('max_tokens: Field required');
    expect(await bad({ max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })).toBe('model: Field required');
    expect(await bad({ model: 'claude-sonnet-4-5', max_tokens: 10 })).toBe('messages: Field required');
    expect(await bad({ ...msg('x'), messages: [{ role: 'system', content: 'x' }, { role: 'user', content: 'y' }] })).toContain('top-level `system` parameter');
    expect(await bad({ ...msg('x'), messages: [{ role: 'tool', content: 'x' }] })).toBe("messages.0.role: Input should be 'user' or 'assistant'");
    expect(await bad({ ...msg('x'), system: 42 })).toContain('system:');
    expect(
      await bad({
        ...msg('x'),
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_9', name: 'search', input: {} }] },
          { role: 'user', content: 'no result' },
        ],
      }),
    ).toContain('`tool_use` ids were found without `tool_result` blocks immediately after: toolu_9');
    expect(await bad({ ...msg('x'), messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'x' }] }] })).toContain(
      'unexpected `tool_use_id`',
    );
  });

  it('refuses what the real API refuses: ranges, unknown fields, cache_control, thinking budgets', async () => {
    const refusal = async (body: unknown, path = '/v1/messages') => {
      const res = await raw(fake.url, path, body, auth);
      expect(res.status).toBe(400);
      const parsed = JSON.parse(res.text);
      expect(parsed.error.type).toBe('invalid_request_error');
      return parsed.error.message as string;
    };
    const text = (extra: Record<string, unknown>) => ({ type: 'text', text: 'x', ...extra });
    expect(await refusal({ ...msg('x'), max_tokens: 0 })).toBe('max_tokens: Input should be greater than or equal to 1');
    expect(await refusal({ ...msg('x'), max_tokens: 2.5 })).toBe('max_tokens: Input should be a valid integer (got number)');
    expect(await refusal({ ...msg('x'), temperature: 1.2 })).toBe('temperature: Input should be less than or equal to 1');
    expect(await refusal({ ...msg('x'), top_p: -0.1 })).toBe('top_p: Input should be greater than or equal to 0');
    expect(await refusal({ ...msg('x'), top_k: 1.5 })).toBe('top_k: Input should be a valid integer (got number)');
    expect(await refusal({ ...msg('x'), frequency_penalty: 1 })).toBe('frequency_penalty: Extra inputs are not permitted');
    expect(await refusal({ ...msg('x'), messages: [{ role: 'user', content: [text({ cache_control: { type: 'persistent' } })] }] })).toBe(
      "messages.0.content.0.cache_control.type: Input should be 'ephemeral'",
    );
    expect(await refusal({ ...msg('x'), system: [text({ cache_control: { type: 'ephemeral', ttl: '2h' } })] })).toBe("system.0.cache_control.ttl: Input should be '5m' or '1h'");
    const marked = text({ cache_control: { type: 'ephemeral' } });
    expect(await refusal({ ...msg('x'), system: [marked, marked, marked], messages: [{ role: 'user', content: [marked, marked] }] })).toBe(
      'A maximum of 4 blocks with cache_control may be provided. Found 5.',
    );
    expect(await refusal({ ...msg('x'), thinking: { type: 'enabled', budget_tokens: 1000 } })).toBe('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
    expect(await refusal({ ...msg('x'), max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 2000 } })).toContain('`max_tokens` must be greater than `thinking.budget_tokens`');
    expect(await refusal({ ...msg('x'), thinking: { type: 'sometimes' } })).toBe("thinking.type: Input should be 'enabled', 'disabled' or 'adaptive'");
  });

  it('accepts what the real API accepts: consecutive turns of one role, an assistant first, thinking within max_tokens, 1h cache_control', async () => {
    const res = await client.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      system: [{ type: 'text', text: 'sys', cache_control: { type: 'ephemeral', ttl: '1h' } }],
      messages: [
        { role: 'assistant', content: 'Hello, how can I help?' },
        { role: 'user', content: 'one' },
        { role: 'user', content: 'two' },
      ],
    });
    expect(res.content).toEqual([{ type: 'text', text: expectedReply('two') }]);
    // SDK 1.x no longer types the sampling fields; the API still takes them in range.
    const sampled = await raw(fake.url, '/v1/messages', { ...msg('x'), temperature: 1, top_p: 0.5, top_k: 5 }, auth);
    expect(sampled.status).toBe(200);
  });

  it('honours cache_control: the first request writes the marked prefix, a repeat reads it, JSON and streamed', async () => {
    const long = 'policy '.repeat(50).trim(); // 50 words
    const cached = (question: string) => ({
      ...msg(question),
      system: [{ type: 'text' as const, text: long, cache_control: { type: 'ephemeral' as const } }],
    });
    const first = await client.messages.create(cached('first question'));
    expect(first.usage).toMatchObject({ cache_creation_input_tokens: 50, cache_read_input_tokens: 0, input_tokens: 2 + PROMPT_OVERHEAD_TOKENS });
    const again = await client.messages.create(cached('another question here'));
    expect(again.usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 50, input_tokens: 3 + PROMPT_OVERHEAD_TOKENS });
    const streamed = await client.messages.stream(cached('streamed')).finalMessage();
    expect(streamed.usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 50, input_tokens: 1 + PROMPT_OVERHEAD_TOKENS });

    // A longer prefix reads the part it shares and writes the rest; no marker, no cache.
    const longer = await client.messages.create({
      ...cached('x'),
      messages: [{ role: 'user', content: [{ type: 'text', text: 'extra words here', cache_control: { type: 'ephemeral' } }, { type: 'text', text: 'tail' }] }],
    });
    expect(longer.usage).toMatchObject({ cache_read_input_tokens: 50, cache_creation_input_tokens: 3, input_tokens: 1 + PROMPT_OVERHEAD_TOKENS });
    const plain = await client.messages.create({ ...msg('first question'), system: long });
    expect(plain.usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 0, input_tokens: 52 + PROMPT_OVERHEAD_TOKENS });
    const changed = await client.messages.create({ ...cached('q'), system: [{ type: 'text', text: `${long} changed`, cache_control: { type: 'ephemeral' } }] });
    expect(changed.usage).toMatchObject({ cache_creation_input_tokens: 51, cache_read_input_tokens: 0 });
  });

  it('counts tokens at POST /v1/messages/count_tokens as /v1/messages counts input', async () => {
    const body = { model: 'claude-sonnet-4-5', system: 'be brief', messages: [{ role: 'user' as const, content: 'hello there world' }] };
    const counted = await client.messages.countTokens(body);
    expect(counted).toEqual({ input_tokens: 5 + PROMPT_OVERHEAD_TOKENS });
    const answered = await client.messages.create({ ...body, max_tokens: 100 });
    expect(answered.usage.input_tokens).toBe(counted.input_tokens);
    expect(fake.calls[0]).toMatchObject({ method: 'POST', path: '/v1/messages/count_tokens' });

    const refused = async (extra: Record<string, unknown>) => {
      const res = await raw(fake.url, '/v1/messages/count_tokens', { ...body, ...extra }, auth);
      expect(res.status).toBe(400);
      return JSON.parse(res.text).error.message as string;
    };
    expect(await refused({ max_tokens: 10 })).toBe('max_tokens: Extra inputs are not permitted');
    expect(await refused({ stream: true })).toBe('stream: Extra inputs are not permitted');
    expect(await refused({ messages: [] })).toBe('messages: at least one message is required');
  });

  it('lists models and answers unknown paths with not_found_error', async () => {
    const models = await raw(fake.url, '/v1/models', undefined, auth);
    expect(JSON.parse(models.text).data.map((m: { id: string }) => m.id)).toContain('claude-sonnet-4-5');
    const missing = await raw(fake.url, '/v1/complete', {}, auth);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text).error.type).toBe('not_found_error');
  });
});

describe('faults', () => {
  let openai: FakeProvider;
  let anthropic: FakeProvider;
  const oaAuth = { authorization: `Bearer ${OPENAI_KEY}` };
  const anAuth = { 'x-api-key': ANTHROPIC_KEY, 'anthropic-version': '2023-06-01' };
  const oaBody = (stream: boolean) => ({ model: 'gpt-4o', stream, messages: [{ role: 'user', content: 'one two three four' }] });
  const anBody = (stream: boolean) => ({ model: 'claude-haiku-4-5', max_tokens: 50, stream, messages: [{ role: 'user', content: 'one two three four' }] });

  beforeAll(async () => {
    [openai, anthropic] = await Promise.all([startFakeOpenAI(), startFakeAnthropic()]);
  });
  afterEach(() => {
    openai.reset();
    anthropic.reset();
  });
  afterAll(() => Promise.all([openai.close(), anthropic.close()]));

  it('status: each provider error shape, retry-after, custom bodies, in script order', async () => {
    openai.script({ kind: 'status', status: 429, retryAfter: 7 }, { kind: 'status', status: 500 }, { kind: 'status', status: 502, body: { boom: true } });
    const limited = await raw(openai.url, '/v1/chat/completions', oaBody(false), oaAuth);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('7');
    expect(JSON.parse(limited.text)).toEqual({ error: { message: expect.any(String), type: 'requests', param: null, code: 'rate_limit_exceeded' } });
    const failed = await raw(openai.url, '/v1/chat/completions', oaBody(false), oaAuth);
    expect(failed.status).toBe(500);
    expect(failed.headers['retry-after']).toBeUndefined();
    expect(JSON.parse(failed.text).error.type).toBe('server_error');
    const custom = await raw(openai.url, '/v1/models', undefined, oaAuth);
    expect(custom.status).toBe(502);
    expect(JSON.parse(custom.text)).toEqual({ boom: true });
    expect((await raw(openai.url, '/v1/chat/completions', oaBody(false), oaAuth)).status).toBe(200);

    anthropic.script({ kind: 'status', status: 529, retryAfter: 2 }, { kind: 'status', status: 429 });
    const overloaded = await raw(anthropic.url, '/v1/messages', anBody(true), anAuth);
    expect(overloaded.status).toBe(529);
    expect(overloaded.headers['retry-after']).toBe('2');
    expect(JSON.parse(overloaded.text)).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    const limitedA = await raw(anthropic.url, '/v1/messages', anBody(false), anAuth);
    expect(JSON.parse(limitedA.text).error.type).toBe('rate_limit_error');
    expect(anthropic.calls).toHaveLength(2);
  });

  it('setDefault fails every request until cleared; the SDK sees the status', async () => {
    const client = new Anthropic({ baseURL: anthropic.url, apiKey: ANTHROPIC_KEY, maxRetries: 0 });
    anthropic.setDefault({ kind: 'status', status: 529 });
    for (let i = 0; i < 3; i++) {
      const err = await client.messages.create(anBody(false) as Anthropic.MessageCreateParamsNonStreaming).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Anthropic.APIError);
      expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    }
    anthropic.setDefault(null);
    const ok = await client.messages.create(anBody(false) as Anthropic.MessageCreateParamsNonStreaming);
    expect(ok.content[0]).toMatchObject({ text: expectedReply('one two three four') });
  });

  it('reset: the connection dies before any response byte', async () => {
    openai.script({ kind: 'reset' });
    const s = openRaw(openai.url, '/v1/chat/completions', oaBody(false), oaAuth);
    const outcome = await s.outcome;
    expect(outcome.kind).toBe('error');
    expect(outcome.kind === 'error' && (outcome.error as NodeJS.ErrnoException).code).toBe('ECONNRESET');
    expect(s.received()).toBe('');
    await expect(raw(openai.url, '/v1/models', undefined, oaAuth).then((r) => r.status)).resolves.toBe(200);

    const client = new OpenAI({ baseURL: `${openai.url}/v1`, apiKey: OPENAI_KEY, maxRetries: 0 });
    openai.script({ kind: 'reset' });
    await expect(client.models.list()).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('hang: never answers, so only the client-side timeout ends the call', async () => {
    anthropic.script({ kind: 'hang' });
    const started = Date.now();
    const err = await fetch(`${anthropic.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...anAuth },
      body: JSON.stringify(anBody(false)),
      signal: AbortSignal.timeout(150),
    }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('TimeoutError');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(anthropic.calls).toHaveLength(1);
  });

  it('delay and setLatency hold the answer back; reset() clears the latency', async () => {
    openai.script({ kind: 'delay', ms: 120 });
    let t = Date.now();
    const delayed = await raw(openai.url, '/v1/chat/completions', oaBody(false), oaAuth);
    expect(Date.now() - t).toBeGreaterThanOrEqual(110);
    expect(JSON.parse(delayed.text).choices[0].message.content).toBe(expectedReply('one two three four'));

    openai.setLatency(200);
    t = Date.now();
    await raw(openai.url, '/v1/models', undefined, oaAuth);
    expect(Date.now() - t).toBeGreaterThanOrEqual(190);
    openai.reset();
    expect(openai.calls).toEqual([]);
    t = Date.now();
    await raw(openai.url, '/v1/models', undefined, oaAuth);
    expect(Date.now() - t).toBeLessThan(150);
  });

  it('stall-stream: N content chunks, then silence on an open socket', async () => {
    openai.script({ kind: 'stall-stream', afterChunks: 2 });
    const s = openRaw(openai.url, '/v1/chat/completions', oaBody(true), oaAuth);
    expect(await s.status).toBe(200);
    await waitFor(() => openaiChunks(s.received()).length === 3, 'role chunk + 2 content chunks');
    let settled = false;
    void s.outcome.then(() => (settled = true));
    await sleep(150);
    expect(settled).toBe(false);
    const chunks = openaiChunks(s.received());
    expect(chunks.slice(1).map((c) => c.choices[0].delta.content)).toEqual(['Echo: ', 'one ']);
    expect(s.received()).not.toContain('[DONE]');
    s.abort();

    anthropic.script({ kind: 'stall-stream', afterChunks: 1 });
    const a = openRaw(anthropic.url, '/v1/messages', anBody(true), anAuth);
    await waitFor(() => a.received().includes('content_block_delta'), 'one delta');
    await sleep(100);
    expect(anthropicEvents(a.received()).map((e) => e.event)).toEqual(['message_start', 'content_block_start', 'ping', 'content_block_delta']);
    a.abort();
  });

  it('break-stream: N content chunks, then the socket is destroyed mid-body', async () => {
    anthropic.script({ kind: 'break-stream', afterChunks: 2 });
    const s = openRaw(anthropic.url, '/v1/messages', anBody(true), anAuth);
    expect(await s.status).toBe(200);
    const outcome = await s.outcome;
    expect(outcome.kind).toBe('error');
    const deltas = anthropicEvents(s.received()).filter((e) => e.event === 'content_block_delta');
    expect(deltas.map((e) => e.data.delta.text)).toEqual(['Echo: ', 'one ']);
    expect(s.received()).not.toContain('message_stop');

    const client = new OpenAI({ baseURL: `${openai.url}/v1`, apiKey: OPENAI_KEY, maxRetries: 0 });
    openai.script({ kind: 'break-stream', afterChunks: 1 });
    const seen: string[] = [];
    const consume = async () => {
      const stream = await client.chat.completions.create({ ...(oaBody(true) as OpenAI.ChatCompletionCreateParamsStreaming) });
      for await (const c of stream) if (c.choices[0]?.delta.content) seen.push(c.choices[0].delta.content);
    };
    await expect(consume()).rejects.toThrow();
    expect(seen).toEqual(['Echo: ']);
  });

  it('stall and break cut a JSON answer in half', async () => {
    openai.script({ kind: 'break-stream', afterChunks: 0 }, { kind: 'stall-stream', afterChunks: 0 });
    const broken = openRaw(openai.url, '/v1/chat/completions', oaBody(false), oaAuth);
    expect((await broken.outcome).kind).toBe('error');
    expect(broken.received().length).toBeGreaterThan(10);
    expect(() => JSON.parse(broken.received())).toThrow();

    const stalled = openRaw(openai.url, '/v1/chat/completions', oaBody(false), oaAuth);
    await waitFor(() => stalled.received().length > 10, 'half a body');
    await sleep(100);
    expect(() => JSON.parse(stalled.received())).toThrow();
    stalled.abort();
  });

  it("stream-error: the provider's in-stream error event after N chunks, which the SDKs raise", async () => {
    const anthropicClient = new Anthropic({ baseURL: anthropic.url, apiKey: ANTHROPIC_KEY, maxRetries: 0 });
    anthropic.script({ kind: 'stream-error', afterChunks: 1 });
    const err = await anthropicClient.messages.stream(anBody(true) as Anthropic.MessageCreateParamsStreaming).finalMessage().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect(String(err)).toContain('overloaded_error');

    anthropic.script({ kind: 'stream-error', afterChunks: 1 });
    const rawA = await raw(anthropic.url, '/v1/messages', anBody(true), anAuth);
    expect(anthropicEvents(rawA.text).map((e) => e.event).slice(-2)).toEqual(['content_block_delta', 'error']);

    const openaiClient = new OpenAI({ baseURL: `${openai.url}/v1`, apiKey: OPENAI_KEY, maxRetries: 0 });
    openai.script({ kind: 'stream-error', afterChunks: 2 });
    const runner = openaiClient.chat.completions.stream(oaBody(true) as OpenAI.ChatCompletionCreateParamsStreaming);
    await expect(runner.finalChatCompletion()).rejects.toBeInstanceOf(OpenAI.APIError);

    openai.script({ kind: 'stream-error', afterChunks: 0 });
    expect((await raw(openai.url, '/v1/chat/completions', oaBody(false), oaAuth)).status).toBe(500);
  });

  it('rejects a malformed fault at the call site', () => {
    expect(() => openai.script({ kind: 'status', status: 200 })).toThrow(/status must be an integer 400..599/);
    expect(() => openai.setDefault({ kind: 'stall-stream', afterChunks: -1 })).toThrow(/afterChunks/);
    expect(() => openai.setLatency(-5)).toThrow(/ms must be >= 0/);
  });
});

describe('lifecycle and pacing', () => {
  it('chunkDelayMs spaces the chunks out', async () => {
    const fake = await startFakeOpenAI({ chunkDelayMs: 25 });
    try {
      const client = new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: OPENAI_KEY, maxRetries: 0 });
      const stream = await client.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'a b c' }] });
      const at: number[] = [];
      for await (const c of stream) if (c.choices[0]?.delta.content) at.push(Date.now());
      expect(at).toHaveLength(words(expectedReply('a b c')));
      expect((at[at.length - 1] as number) - (at[0] as number)).toBeGreaterThanOrEqual(3 * 25 - 10);
    } finally {
      await fake.close();
    }
  });

  it('close() ends hanging and stalled sockets, and is idempotent', async () => {
    const fake = await startFakeAnthropic({ apiKey: 'sk-ant-other' });
    const auth = { 'x-api-key': 'sk-ant-other', 'anthropic-version': '2023-06-01' };
    fake.script({ kind: 'hang' }, { kind: 'stall-stream', afterChunks: 1 });
    const body = { model: 'claude-haiku-4-5', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'x y' }] };
    const hung = openRaw(fake.url, '/v1/messages', body, auth);
    const stalled = openRaw(fake.url, '/v1/messages', body, auth);
    await waitFor(() => fake.calls.length === 2 && stalled.received().includes('content_block_delta'), 'both requests in');
    const t = Date.now();
    await fake.close();
    await fake.close();
    expect(Date.now() - t).toBeLessThan(500);
    expect((await hung.outcome).kind).toBe('error');
    expect((await stalled.outcome).kind).toBe('error');
    await expect(fetch(`${fake.url}/v1/models`)).rejects.toThrow();
  });

  it('break-stream and stall-stream cut a paced stream after N chunks too', async () => {
    const fake = await startFakeOpenAI({ chunkDelayMs: 10 });
    try {
      const body = { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'a b c d' }] };
      const auth = { authorization: `Bearer ${OPENAI_KEY}` };
      fake.script({ kind: 'break-stream', afterChunks: 2 }, { kind: 'stall-stream', afterChunks: 3 });
      const broken = openRaw(fake.url, '/v1/chat/completions', body, auth);
      expect((await broken.outcome).kind).toBe('error');
      expect(openaiChunks(broken.received()).slice(1).map((c) => c.choices[0].delta.content)).toEqual(['Echo: ', 'a ']);
      const stalled = openRaw(fake.url, '/v1/chat/completions', body, auth);
      await waitFor(() => openaiChunks(stalled.received()).length === 4, 'role chunk + 3 content chunks');
      await sleep(60);
      expect(openaiChunks(stalled.received())).toHaveLength(4);
      expect(stalled.received()).not.toContain('finish_reason":"stop"');
    } finally {
      await fake.close();
    }
  });

  it('serves many concurrent keep-alive requests, without recording when asked', async () => {
    const fake = await startFakeOpenAI({ apiKey: 'k', recordCalls: false });
    try {
      const client = new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: 'k', maxRetries: 0 });
      const replies = await Promise.all(
        Array.from({ length: 100 }, (_, i) => client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: `n${i}` }] })),
      );
      expect(replies.map((r) => r.choices[0]?.message.content)).toEqual(Array.from({ length: 100 }, (_, i) => expectedReply(`n${i}`)));
      expect(new Set(replies.map((r) => r.id)).size).toBe(100);
      expect(fake.calls).toEqual([]);
    } finally {
      await fake.close();
    }
  });
});

describe('fake OpenAI Responses', () => {
  let fake: FakeProvider;
  let client: OpenAI;
  const auth = { authorization: `Bearer ${OPENAI_KEY}` };
  const searchFn = { type: 'function' as const, name: 'search', description: 'web search', parameters: { type: 'object', properties: { query: { type: 'string' } } }, strict: false };

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    client = new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: OPENAI_KEY, maxRetries: 0 });
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it('responses.create answers the echo as a Response, with usage counted as chat counts it', async () => {
    const res = await client.responses.create({ model: 'gpt-4o-mini', instructions: 'be brief', input: 'hello there world' });
    expect(res.object).toBe('response');
    expect(res.id).toMatch(/^resp_/);
    expect(res.status).toBe('completed');
    expect(res.output_text).toBe(expectedReply('hello there world'));
    expect(res.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
    expect(res.instructions).toBe('be brief');
    expect(res.created_at).toBe(OPENAI_CREATED);
    // The same conversation through chat: instructions as a system message.
    const chat = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello there world' }] });
    expect(res.usage).toMatchObject({ input_tokens: chat.usage?.prompt_tokens, output_tokens: chat.usage?.completion_tokens, total_tokens: chat.usage?.total_tokens });
    expect(res.usage?.input_tokens).toBe(words('be brief hello there world') + PROMPT_OVERHEAD_TOKENS);
  });

  it('streams the real event sequence, numbered, and finalResponse() equals the stored JSON', async () => {
    const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'hello there world', stream: true });
    const events = [];
    for await (const e of stream) events.push(e);
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...chunkWords(expectedReply('hello there world')).map(() => 'response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const final = await client.responses.stream({ model: 'gpt-4o-mini', input: 'hello there world' }).finalResponse();
    expect(final.output_text).toBe(expectedReply('hello there world'));
    const retrieved = await client.responses.retrieve(final.id);
    expect(retrieved.output).toEqual(final.output.map((o) => JSON.parse(JSON.stringify(o, (k, v) => (k === 'parsed' || k === 'parsed_arguments' ? undefined : v)))));
    expect(retrieved.usage).toEqual(final.usage);
  });

  it('round-trips a function call: the call, then "Tool said: ..." after its function_call_output', async () => {
    const first = await client.responses.create({ model: 'gpt-4o', input: 'cats', tools: [searchFn] });
    const call = first.output[0];
    expect(call).toMatchObject({ type: 'function_call', name: 'search', arguments: JSON.stringify({ query: 'cats' }), status: 'completed' });
    if (call?.type !== 'function_call') throw new Error('expected a function call');
    expect(call.call_id).toMatch(/^call_/);
    const second = await client.responses.create({
      model: 'gpt-4o',
      tools: [searchFn],
      input: [{ role: 'user', content: 'cats' }, call, { type: 'function_call_output', call_id: call.call_id, output: 'many cats' }],
    });
    expect(second.output_text).toBe('Tool said: many cats');
    // tool_choice none: no call.
    const none = await client.responses.create({ model: 'gpt-4o', input: 'cats', tools: [searchFn], tool_choice: 'none' });
    expect(none.output_text).toBe(expectedReply('cats'));
  });

  it('streams a function call as added, argument deltas, done', async () => {
    const stream = await client.responses.create({ model: 'gpt-4o', input: 'cats', tools: [searchFn], stream: true });
    const events = [];
    for await (const e of stream) events.push(e);
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const deltas = events.flatMap((e) => (e.type === 'response.function_call_arguments.delta' ? [e.delta] : []));
    expect(deltas.join('')).toBe(JSON.stringify({ query: 'cats' }));
  });

  it('continues a stored response by previous_response_id, without its instructions', async () => {
    const first = await client.responses.create({ model: 'gpt-4o', instructions: 'one two three', input: 'cats', tools: [searchFn] });
    const call = first.output[0];
    if (call?.type !== 'function_call') throw new Error('expected a function call');
    const second = await client.responses.create({
      model: 'gpt-4o',
      previous_response_id: first.id,
      tools: [searchFn],
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'many cats' }],
    });
    expect(second.output_text).toBe('Tool said: many cats');
    expect(second.previous_response_id).toBe(first.id);
    // History: "cats" + the output, not the first request's instructions.
    expect(second.usage?.input_tokens).toBe(words('cats many cats') + PROMPT_OVERHEAD_TOKENS);
    const third = await client.responses.create({ model: 'gpt-4o', previous_response_id: second.id, input: 'and dogs?' });
    expect(third.output_text).toBe(expectedReply('and dogs?'));
    const unknown = await client.responses.create({ model: 'gpt-4o', previous_response_id: 'resp_nope', input: 'x' }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OpenAI.BadRequestError);
    expect(unknown).toMatchObject({ status: 400, code: 'previous_response_not_found', param: 'previous_response_id' });
  });

  it('retrieves and deletes stored responses; store false keeps nothing; unknown ids are 404', async () => {
    const kept = await client.responses.create({ model: 'gpt-4o', input: 'keep me' });
    expect((await client.responses.retrieve(kept.id)).output_text).toBe(expectedReply('keep me'));
    const del = await fetch(`${fake.url}/v1/responses/${kept.id}`, { method: 'DELETE', headers: auth });
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ id: kept.id, object: 'response', deleted: true });
    await expect(client.responses.retrieve(kept.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.responses.delete(kept.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const unstored = await client.responses.create({ model: 'gpt-4o', input: 'forget me', store: false });
    expect((unstored as unknown as { store: boolean }).store).toBe(false); // the SDK's Response type omits store
    await expect(client.responses.retrieve(unstored.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const sdkDelete = await client.responses.create({ model: 'gpt-4o', input: 'x' });
    // The SDK types delete() as void; the body it passes on is the API's deletion notice.
    await expect(client.responses.delete(sdkDelete.id)).resolves.toEqual({ id: sdkDelete.id, object: 'response', deleted: true });
  });

  it('cuts the answer at max_output_tokens words with status incomplete', async () => {
    const long = Array.from({ length: 20 }, (_, i) => `w${i}`).join(' ');
    const res = await client.responses.create({ model: 'gpt-4o', input: long, max_output_tokens: 16 });
    expect(res.status).toBe('incomplete');
    expect(res.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(res.output_text).toBe(chunkWords(expectedReply(long)).slice(0, 16).join(''));
    expect(res.usage?.output_tokens).toBe(16);
    const stream = await client.responses.create({ model: 'gpt-4o', input: long, max_output_tokens: 16, stream: true });
    const types = [];
    for await (const e of stream) types.push(e.type);
    expect(types.at(-1)).toBe('response.incomplete');
  });

  it('rejects what the real API rejects, with OpenAI-shaped 400s naming the field', async () => {
    const cases: Array<[unknown, string | null, string | null]> = [
      [{ model: 'gpt-4o', input: 'x', messages: [] }, 'messages', 'unknown_parameter'],
      [{ input: 'x' }, 'model', 'missing_required_parameter'],
      [{ model: 'gpt-4o', input: 5 }, 'input', 'invalid_type'],
      [{ model: 'gpt-4o', input: [{ type: 'bogus' }] }, 'input[0].type', 'invalid_value'],
      [{ model: 'gpt-4o', input: [{ role: 'robot', content: 'x' }] }, 'input[0].role', 'invalid_value'],
      [{ model: 'gpt-4o', input: [{ role: 'user', content: [{ type: 'output_text', text: 'x' }] }] }, 'input[0].content[0].type', 'invalid_value'],
      [{ model: 'gpt-4o', input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }, 'input[0].call_id', 'missing_required_parameter'],
      [{ model: 'gpt-4o', input: [{ role: 'user', content: 'x' }, { type: 'function_call_output', call_id: 'call_x', output: 'r' }] }, 'input', null],
      [{ model: 'gpt-4o', input: 'x', tools: [{ type: 'function', function: { name: 'search' } }] }, 'tools[0].name', 'missing_required_parameter'],
      [{ model: 'gpt-4o', input: 'x', tools: [searchFn], tool_choice: { type: 'function', name: 'other' } }, 'tool_choice', null],
      [{ model: 'gpt-4o', input: 'x', max_output_tokens: 2 }, 'max_output_tokens', 'integer_below_min_value'],
      [{ model: 'gpt-4o', input: 'x', text: { format: { type: 'json_schema', schema: {} } } }, 'text.format.name', 'missing_required_parameter'],
    ];
    for (const [body, param, code] of cases) {
      const res = await raw(fake.url, '/v1/responses', body, auth);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const err = JSON.parse(res.text).error;
      expect(err, JSON.stringify(body)).toMatchObject({ type: 'invalid_request_error', param, code });
      expect(typeof err.message).toBe('string');
    }
    expect((await raw(fake.url, '/v1/responses', { model: 'gpt-4o', input: 'x' }, {})).status).toBe(401);
  });

  it('ends a stream-error fault with the live API error event, which the SDK raises', async () => {
    fake.script({ kind: 'stream-error', afterChunks: 1 });
    const stream = await client.responses.create({ model: 'gpt-4o', input: 'hello there world', stream: true });
    const seen: string[] = [];
    const err = await (async () => {
      for await (const e of stream) seen.push(e.type);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(seen).toContain('response.output_text.delta');
    expect(seen).not.toContain('response.completed');
  });
});

describe('fake Bedrock', () => {
  const sessionCredentials: AwsTestCredentials = { ...BEDROCK_TEST_CREDENTIALS, sessionToken: 'fake-session-token-0001' };
  const haiku = 'anthropic.claude-3-5-haiku-20241022-v1:0';
  let fake: FakeProvider;
  let withSession: FakeProvider;

  /** The SDK over HTTP/1.1 (its default handler speaks HTTP/2, which a node:http server does not), no retries. */
  function bedrockClient(url: string, auth: { credentials?: AwsTestCredentials; token?: string } = { credentials: BEDROCK_TEST_CREDENTIALS }) {
    return new BedrockRuntimeClient({
      region: 'us-east-1',
      endpoint: url,
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler(),
      ...(auth.credentials ? { credentials: auth.credentials } : { credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } }),
      ...(auth.token ? { token: { token: auth.token }, authSchemePreference: ['httpBearerAuth'] } : {}),
    });
  }
  const converse = (input: Omit<ConverseCommandInput, 'modelId'>, modelId = haiku, client = bedrockClient(fake.url)) =>
    client.send(new ConverseCommand({ modelId, ...input }));
  const refusal = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a refusal'); }, (e: any) => e);

  async function streamEvents(input: Omit<ConverseCommandInput, 'modelId'>, client = bedrockClient(fake.url)): Promise<ConverseStreamOutput[]> {
    const out = await client.send(new ConverseStreamCommand({ modelId: haiku, ...input }));
    const events: ConverseStreamOutput[] = [];
    for await (const e of out.stream!) events.push(e);
    return events;
  }

  const searchSpec = { toolSpec: { name: 'search', description: 'web search', inputSchema: { json: { type: 'object', properties: { query: { type: 'string' } } } } } };

  beforeAll(async () => {
    fake = await startFakeBedrock();
    withSession = await startFakeBedrock({ credentials: sessionCredentials });
  });
  afterEach(() => {
    fake.reset();
    withSession.reset();
  });
  afterAll(async () => {
    await Promise.all([fake.close(), withSession.close()]);
  });

  it('answers Converse with the echo, its stop reason and exact usage, signed by SigV4', async () => {
    const res = await converse({ messages: [{ role: 'user', content: [{ text: 'hello there' }] }] }, 'amazon.nova-lite-v1:0');
    expect(res.output?.message?.content).toEqual([{ text: expectedReply('hello there') }]);
    expect(res.stopReason).toBe('end_turn');
    expect(res.usage).toEqual({ inputTokens: 2 + PROMPT_OVERHEAD_TOKENS, outputTokens: 3, totalTokens: 2 + PROMPT_OVERHEAD_TOKENS + 3 });
    const call = fake.calls.at(-1)!;
    expect(call.path).toBe('/model/amazon.nova-lite-v1%3A0/converse');
    expect(String(call.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAFAKEBEDROCK00001\/\d{8}\/us-east-1\/bedrock\/aws4_request/);
  });

  it('takes a system prompt, images, multi-turn history and inferenceConfig (stop sequences, maxTokens)', async () => {
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    const messages: ConverseCommandInput['messages'] = [
      { role: 'user', content: [{ text: 'first' }] },
      { role: 'assistant', content: [{ text: 'ok' }] },
      { role: 'user', content: [{ text: 'hello big world' }, { image: { format: 'png', source: { bytes: png } } }] },
    ];
    const stopped = await converse({ system: [{ text: 'be brief' }], messages, inferenceConfig: { stopSequences: ['world'], temperature: 0.5, topP: 0.9 } });
    expect(stopped.output?.message?.content?.[0]?.text).toBe('Echo: hello big ');
    expect(stopped.stopReason).toBe('stop_sequence');
    expect(stopped.usage?.inputTokens).toBe(2 + 1 + 1 + 3 + PROMPT_OVERHEAD_TOKENS);
    expect(fake.calls.at(-1)!.body.messages[2].content[1].image).toEqual({ format: 'png', source: { bytes: png.toString('base64') } });
    const cut = await converse({ messages, inferenceConfig: { maxTokens: 2 } });
    expect(cut.output?.message?.content?.[0]?.text).toBe('Echo: hello ');
    expect(cut.stopReason).toBe('max_tokens');
  });

  it('calls a tool, then answers its toolResult', async () => {
    const toolConfig = { tools: [searchSpec], toolChoice: { any: {} } };
    const first = await converse({ messages: [{ role: 'user', content: [{ text: 'weather in Paris' }] }], toolConfig });
    expect(first.stopReason).toBe('tool_use');
    const use = first.output?.message?.content?.[0]?.toolUse;
    expect(use).toMatchObject({ name: 'search', input: { query: 'weather in Paris' } });
    expect(use?.toolUseId).toMatch(/^tooluse_\d+$/);
    expect(first.usage?.outputTokens).toBe(5);
    const second = await converse({
      toolConfig,
      messages: [
        { role: 'user', content: [{ text: 'weather in Paris' }] },
        { role: 'assistant', content: [{ toolUse: use! }] },
        { role: 'user', content: [{ toolResult: { toolUseId: use!.toolUseId!, content: [{ text: 'sunny' }], status: 'success' } }] },
      ],
    });
    expect(second.output?.message?.content).toEqual([{ text: 'Tool said: sunny' }]);
    expect(second.stopReason).toBe('end_turn');
  });

  it('streams real event-stream frames the SDK decodes: text deltas, messageStop, then metadata with usage', async () => {
    const events = await streamEvents({ messages: [{ role: 'user', content: [{ text: 'hello there world' }] }] });
    const kinds = events.map((e) => Object.keys(e).find((k) => (e as any)[k] !== undefined));
    expect(kinds[0]).toBe('messageStart');
    expect(kinds.slice(-3)).toEqual(['contentBlockStop', 'messageStop', 'metadata']);
    const text = events.map((e) => e.contentBlockDelta?.delta?.text ?? '').join('');
    expect(text).toBe(expectedReply('hello there world'));
    expect(events.filter((e) => e.contentBlockDelta).length).toBe(chunkWords(text).length);
    expect(events.at(-2)?.messageStop?.stopReason).toBe('end_turn');
    expect(events.at(-1)?.metadata?.usage).toEqual({ inputTokens: 3 + PROMPT_OVERHEAD_TOKENS, outputTokens: 4, totalTokens: 3 + PROMPT_OVERHEAD_TOKENS + 4 });
    expect(fake.calls.at(-1)!.path).toBe(`/model/${encodeURIComponent(haiku)}/converse-stream`);
  });

  it('streams a tool use: contentBlockStart with id and name, input fragments, stopReason tool_use', async () => {
    const events = await streamEvents({ messages: [{ role: 'user', content: [{ text: 'find cats' }] }], toolConfig: { tools: [searchSpec] } });
    const start = events.find((e) => e.contentBlockStart)?.contentBlockStart?.start?.toolUse;
    expect(start).toMatchObject({ name: 'search' });
    expect(start?.toolUseId).toMatch(/^tooluse_/);
    const input = events.map((e) => e.contentBlockDelta?.delta?.toolUse?.input ?? '').join('');
    expect(JSON.parse(input)).toEqual({ query: 'find cats' });
    expect(events.find((e) => e.messageStop)?.messageStop?.stopReason).toBe('tool_use');
  });

  it('ends a stream-error fault with an exception frame the SDK raises', async () => {
    fake.script({ kind: 'stream-error', afterChunks: 1 });
    const err = await refusal(streamEvents({ messages: [{ role: 'user', content: [{ text: 'hello there world' }] }] }));
    expect(err.name).toBe('ModelStreamErrorException');
  });

  it('answers status faults with the error type the SDK reads: ThrottlingException 429, ServiceUnavailableException 503', async () => {
    fake.script({ kind: 'status', status: 429, retryAfter: 2 }, { kind: 'status', status: 503 });
    const throttled = await refusal(converse({ messages: [{ role: 'user', content: [{ text: 'x' }] }] }));
    expect(throttled.name).toBe('ThrottlingException');
    expect(throttled.$metadata.httpStatusCode).toBe(429);
    const down = await refusal(converse({ messages: [{ role: 'user', content: [{ text: 'x' }] }] }));
    expect(down.name).toBe('ServiceUnavailableException');
  });

  it('accepts session credentials only with their x-amz-security-token', async () => {
    const ok = await converse({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] }, haiku, bedrockClient(withSession.url, { credentials: sessionCredentials }));
    expect(ok.output?.message?.content).toEqual([{ text: expectedReply('hi') }]);
    expect(withSession.calls.at(-1)!.headers['x-amz-security-token']).toBe(sessionCredentials.sessionToken);
    const noToken = await refusal(converse({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] }, haiku, bedrockClient(withSession.url)));
    expect(noToken.name).toBe('UnrecognizedClientException');
    expect(noToken.$metadata.httpStatusCode).toBe(403);
    const wrongToken = await refusal(
      converse({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] }, haiku, bedrockClient(withSession.url, { credentials: { ...sessionCredentials, sessionToken: 'other' } })),
    );
    expect(wrongToken.name).toBe('UnrecognizedClientException');
  });

  it('refuses a wrong secret (signature mismatch), an unknown access key and a wrong region with 403', async () => {
    const messages: ConverseCommandInput['messages'] = [{ role: 'user', content: [{ text: 'hi' }] }];
    const wrongSecret = await refusal(converse({ messages }, haiku, bedrockClient(fake.url, { credentials: { ...BEDROCK_TEST_CREDENTIALS, secretAccessKey: 'wrong' } })));
    expect(wrongSecret.name).toBe('InvalidSignatureException');
    expect(wrongSecret.message).toMatch(/^The request signature we calculated does not match/);
    expect(wrongSecret.$metadata.httpStatusCode).toBe(403);
    const unknownKey = await refusal(converse({ messages }, haiku, bedrockClient(fake.url, { credentials: { ...BEDROCK_TEST_CREDENTIALS, accessKeyId: 'AKIAUNKNOWN' } })));
    expect(unknownKey.name).toBe('UnrecognizedClientException');
    const otherRegion = new BedrockRuntimeClient({ region: 'eu-west-1', endpoint: fake.url, maxAttempts: 1, requestHandler: new NodeHttpHandler(), credentials: BEDROCK_TEST_CREDENTIALS });
    expect((await refusal(converse({ messages }, haiku, otherRegion))).name).toBe('InvalidSignatureException');
  });

  it('recomputes the signature over the body received: a signed request with a changed body is refused', async () => {
    const body = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
    const url = new URL(`${fake.url}/model/${encodeURIComponent(haiku)}/converse`);
    const sign = async (applyChecksum: boolean) => {
      const signer = new SignatureV4({ credentials: BEDROCK_TEST_CREDENTIALS, region: 'us-east-1', service: 'bedrock', sha256: Hash.bind(null, 'sha256'), applyChecksum });
      const request = { method: 'POST', protocol: 'http:', hostname: url.host, path: url.pathname, query: {}, headers: { host: url.host, 'content-type': 'application/json' }, body };
      return (await signer.sign(request)).headers as Record<string, string>;
    };
    const send = (b: string, headers: Record<string, string>) => fetch(url, { method: 'POST', headers, body: b });
    // No payload hash header: only recomputing the signature over the received body catches the change.
    const plain = await sign(false);
    expect(plain['x-amz-content-sha256']).toBeUndefined();
    expect((await send(body, plain)).status).toBe(200);
    const tampered = await send(body.replace('hi', 'ho'), plain);
    expect(tampered.status).toBe(403);
    expect(tampered.headers.get('x-amzn-errortype')).toMatch(/^InvalidSignatureException/);
    // With the hash header the signer trusts it, so it must be the received body's.
    const hashed = await sign(true);
    expect((await send(body, hashed)).status).toBe(200);
    expect((await send(body.replace('hi', 'ho'), hashed)).status).toBe(403);
    expect((await send(body, { ...plain, authorization: plain.authorization!.replace(/Signature=.*/, `Signature=${'0'.repeat(64)}`) })).status).toBe(403);
    const missing = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(missing.status).toBe(403);
    expect(await missing.json()).toEqual({ message: 'Missing Authentication Token' });
  });

  it('accepts a Bedrock API key as a bearer token and refuses an unknown one', async () => {
    const ok = await converse({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] }, haiku, bedrockClient(fake.url, { token: BEDROCK_TEST_BEARER }));
    expect(ok.output?.message?.content).toEqual([{ text: expectedReply('hi') }]);
    expect(fake.calls.at(-1)!.headers.authorization).toBe(`Bearer ${BEDROCK_TEST_BEARER}`);
    const wrong = await refusal(converse({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] }, haiku, bedrockClient(fake.url, { token: 'ABSKwrong' })));
    expect(wrong.$metadata.httpStatusCode).toBe(403);
  });

  it('refuses what Converse refuses with a ValidationException', async () => {
    const user = (text: string) => ({ role: 'user' as const, content: [{ text }] });
    const cases: Array<[Omit<ConverseCommandInput, 'modelId'>, RegExp]> = [
      [{ messages: [] }, /must start with a user message/],
      [{ messages: [{ role: 'assistant', content: [{ text: 'x' }] }] }, /must start with a user message/],
      [{ messages: [user('a'), user('b')] }, /must alternate between user and assistant/],
      [{ messages: [{ role: 'user', content: [] }] }, /content field in the Message object at messages.0 is empty/],
      [{ messages: [user('a')], inferenceConfig: { maxTokens: 0 } }, /inferenceConfig.maxTokens/],
      [{ messages: [user('a')], inferenceConfig: { temperature: 1.5 } }, /inferenceConfig.temperature/],
      [
        { messages: [user('a'), { role: 'assistant', content: [{ text: 'ok' }] }, { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_x', content: [{ text: 'r' }] } }] }], toolConfig: { tools: [searchSpec] } },
        /toolUseIds that were not present/,
      ],
      [
        { messages: [user('a'), { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'search', input: {} } }] }, { role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [{ text: 'r' }] } }] }] },
        /toolConfig field must be defined/,
      ],
      [
        { messages: [user('a'), { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'search', input: {} } }] }, user('no result')], toolConfig: { tools: [searchSpec] } },
        /Expected toolResult blocks at messages.2.content for the following Ids: t1/,
      ],
      [{ messages: [user('a')], toolConfig: { tools: [searchSpec], toolChoice: { tool: { name: 'other' } } } }, /toolChoice.tool.name/],
    ];
    for (const [input, message] of cases) {
      const err = await refusal(converse(input));
      expect(err.name, JSON.stringify(input)).toBe('ValidationException');
      expect(err.$metadata.httpStatusCode).toBe(400);
      expect(err.message, JSON.stringify(input)).toMatch(message);
    }
    const unknownModel = await refusal(converse({ messages: [user('a')] }, 'acme.unknown-v1:0'));
    expect(unknownModel.message).toBe('The provided model identifier is invalid.');
  });
});

describe('fake Azure OpenAI', () => {
  // The official SDK's Azure client as the proof that the fake speaks Azure's URLs, auth and shapes.
  let AzureOpenAI: typeof import('openai').AzureOpenAI;
  let azure: import('./fakes/index.js').FakeAzure;
  beforeAll(async () => {
    ({ AzureOpenAI } = await import('openai'));
    const { startFakeAzure } = await import('./fakes/index.js');
    azure = await startFakeAzure({ adTokens: ['entra-token-1'] });
  });
  afterAll(() => azure.close());
  afterEach(() => azure.reset());
  const client = (opts: ConstructorParameters<typeof import('openai').AzureOpenAI>[0] = {}) =>
    new AzureOpenAI({ endpoint: azure.url, apiKey: 'azure-fake-key', apiVersion: '2024-10-21', deployment: 'prod-mini', maxRetries: 0, ...opts });

  it('answers a deployment with the api-key, api-version and Azure filter results', async () => {
    const answer = await client().chat.completions.create({ model: 'ignored-by-azure', messages: [{ role: 'user', content: 'hello azure' }] });
    expect(answer.choices[0]?.message.content).toBe(expectedReply('hello azure'));
    expect(answer.model).toBe('gpt-4o-mini-2024-07-18');
    expect((answer as unknown as { prompt_filter_results: unknown[] }).prompt_filter_results).toHaveLength(1);
    expect((answer.choices[0] as unknown as { content_filter_results: object }).content_filter_results).toMatchObject({ hate: { filtered: false } });
    expect(azure.calls[0]?.path).toBe('/openai/deployments/prod-mini/chat/completions?api-version=2024-10-21');
    expect(azure.calls[0]?.headers['api-key']).toBe('azure-fake-key');
  });

  it('streams with a prompt-filter chunk first, and usage when asked', async () => {
    const stream = await client().chat.completions.create({ model: 'x', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'one two' }] });
    let text = '';
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(expectedReply('one two'));
    expect(usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 3 });
  });

  it('accepts an Entra ID token from azureADTokenProvider, and the v1 API without api-version', async () => {
    const entra = new AzureOpenAI({ endpoint: azure.url, azureADTokenProvider: async () => 'entra-token-1', apiVersion: '2024-10-21', deployment: 'gpt-4o', maxRetries: 0 });
    const answer = await entra.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'token auth' }] });
    expect(answer.choices[0]?.message.content).toBe(expectedReply('token auth'));
    expect(azure.calls[0]?.headers.authorization).toBe('Bearer entra-token-1');
    const v1 = new OpenAI({ baseURL: `${azure.url}/openai/v1`, apiKey: 'unused', defaultHeaders: { 'api-key': 'azure-fake-key' }, maxRetries: 0 });
    const viaV1 = await v1.chat.completions.create({ model: 'prod-mini', messages: [{ role: 'user', content: 'v1 works' }] });
    expect(viaV1.choices[0]?.message.content).toBe(expectedReply('v1 works'));
    const embedded = await client({ deployment: 'text-embedding-3-small' }).embeddings.create({ model: 'text-embedding-3-small', input: ['a b'] });
    expect(embedded.data[0]?.embedding).toHaveLength(8);
  });

  it.each([
    ['a wrong key', () => client({ apiKey: 'wrong' }), 401],
    ['an expired token', () => new AzureOpenAI({ endpoint: azure.url, azureADTokenProvider: async () => 'old-token', apiVersion: '2024-10-21', deployment: 'gpt-4o', maxRetries: 0 }), 401],
    ['an unknown deployment', () => client({ deployment: 'nope' }), 404],
  ])('refuses %s as Azure does', async (_what, make, status) => {
    const err = await make().chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(status);
  });

  it('requires api-version on the deployments URL', async () => {
    const res = await fetch(`${azure.url}/openai/deployments/prod-mini/chat/completions`, {
      method: 'POST',
      headers: { 'api-key': 'azure-fake-key', 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'MissingApiVersionParameter' } });
  });

  it('refuses a filtered prompt with 400 content_filter, and ends a filtered completion with finish_reason content_filter', async () => {
    azure.filterNext('prompt');
    const err = await client().chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'bad' }] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, code: 'content_filter' });
    azure.filterNext('completion');
    const filtered = await client().chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'worse' }] });
    expect(filtered.choices[0]?.finish_reason).toBe('content_filter');
  });
});
