// The dialect's bytes as the official @anthropic-ai/sdk reads them: a loopback node:http server
// answers with what encodeJson, the stream encoder, jsonToEvents and the error encoders wrote,
// and the SDK's messages.create / messages.stream must parse every field.
import { createServer, type Server } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOOPBACK, freePort } from '../../../test/ports.js';
import type { ChatChunk, ChatCompletion } from '../../api/types.js';
import { GatewayError } from '../../http/errors.js';
import { countTokensBody, messagesDialect } from './index.js';
import { richMessage } from '../../../test/fixtures/messages.js';

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

let server: Server;
let client: Anthropic;
let next: Answer;
const bodies: unknown[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(raw));
      res.writeHead(next.status, { 'content-type': next.contentType });
      res.end(next.body);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, LOOPBACK, resolve));
  client = new Anthropic({ baseURL: `http://${LOOPBACK}:${port}`, apiKey: 'sk-test', maxRetries: 0 });
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const json = (body: string, status = 200): Answer => ({ status, contentType: 'application/json', body });
const sse = (payloads: string[]): Answer => ({ status: 200, contentType: 'text/event-stream', body: payloads.map(messagesDialect.frame).join('') + messagesDialect.streamEnd });

const params = { model: 'gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hello' }] };
const decoded = messagesDialect.decode(params);

function chunk(delta: ChatChunk['choices'][number]['delta'], finish: ChatChunk['choices'][number]['finish_reason'] = null): ChatChunk {
  return { id: 'chatcmpl-7', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] };
}

/** The stream helper adds `parsed_output` (structured outputs) to what it accumulated; the wire has none. */
function withoutSdkFields(message: Anthropic.Message): Omit<Anthropic.Message, 'parsed_output'> {
  const { parsed_output: _unused, ...rest } = message as Anthropic.Message & { parsed_output?: unknown };
  return rest;
}

describe('the messages dialect through @anthropic-ai/sdk', () => {
  it('messages.create parses encodeJson: text, tool_use input, stop_reason, usage', async () => {
    const completion: ChatCompletion = {
      id: 'chatcmpl-3',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o-mini',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Let me search.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'search', arguments: '{"query":"hello"}' } }] },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 20, completion_tokens: 8, total_tokens: 28, prompt_tokens_details: { cached_tokens: 5 } },
    };
    next = json(messagesDialect.encodeJson(completion, decoded));
    const message = await client.messages.create(params);
    expect(message).toEqual({
      id: 'msg_chatcmpl-3',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o-mini',
      content: [
        { type: 'text', text: 'Let me search.' },
        { type: 'tool_use', id: 'call_1', name: 'search', input: { query: 'hello' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 15, output_tokens: 8, cache_creation_input_tokens: 0, cache_read_input_tokens: 5 },
    });
  });

  it('messages.stream accumulates the stream encoder into the final message, text and tool input alike', async () => {
    const encoder = messagesDialect.streamEncoder(decoded);
    const payloads = [
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Sure, ' }),
      chunk({ content: 'searching.' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_9', type: 'function', function: { name: 'search', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"query"' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ':"hello"}' } }] }),
      chunk({}, 'tool_calls'),
    ]
      .flatMap((c) => encoder.push(c))
      .concat(encoder.end({ prompt_tokens: 11, completion_tokens: 6, total_tokens: 17 }));
    next = sse(payloads);
    const stream = client.messages.stream(params);
    const texts: string[] = [];
    stream.on('text', (t) => texts.push(t));
    const message = withoutSdkFields(await stream.finalMessage());
    expect(texts).toEqual(['Sure, ', 'searching.']);
    expect(message).toEqual({
      id: 'msg_chatcmpl-7',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o-mini',
      content: [
        { type: 'text', text: 'Sure, searching.' },
        { type: 'tool_use', id: 'call_9', name: 'search', input: { query: 'hello' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 11, output_tokens: 6, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });

  it('messages.stream rebuilds a cached native answer from jsonToEvents, thinking and citations included', async () => {
    next = sse(messagesDialect.jsonToEvents(Buffer.from(JSON.stringify(richMessage))));
    const message = withoutSdkFields(await client.messages.stream(params).finalMessage());
    expect(message).toEqual(richMessage);
  });

  it('messages.create reads eventsToJson of an encoded stream', async () => {
    const encoder = messagesDialect.streamEncoder(decoded);
    const payloads = [chunk({ content: 'Hi' }), chunk({}, 'length')].flatMap((c) => encoder.push(c)).concat(encoder.end({ prompt_tokens: 4, completion_tokens: 1, total_tokens: 5 }));
    next = json(messagesDialect.eventsToJson(payloads).toString());
    const message = await client.messages.create(params);
    expect(message.content).toEqual([{ type: 'text', text: 'Hi' }]);
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage).toMatchObject({ input_tokens: 4, output_tokens: 1 });
  });

  it('messages.countTokens parses the count_tokens estimate', async () => {
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'how many tokens is this?' }] };
    next = json(countTokensBody(body));
    const counted = await client.messages.countTokens(body);
    expect(counted).toEqual(JSON.parse(countTokensBody(body)));
    expect(counted.input_tokens).toBeGreaterThan(0);
  });

  it.each([
    [400, Anthropic.BadRequestError, 'invalid_request_error'],
    [401, Anthropic.AuthenticationError, 'authentication_error'],
    [404, Anthropic.NotFoundError, 'not_found_error'],
    [429, Anthropic.RateLimitError, 'rate_limit_error'],
    [503, Anthropic.InternalServerError, 'overloaded_error'],
  ] as const)('an error body with status %i is the SDK error %o of type %s', async (status, ErrorClass, type) => {
    const error = new GatewayError(status, status === 400 ? 'invalid_request_error' : 'api_error', `failed ${status}`, 'messages[0].content');
    next = json(messagesDialect.errorBody(error), status);
    const thrown = await client.messages.create(params).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(thrown).toBeInstanceOf(ErrorClass);
    expect((thrown as InstanceType<typeof Anthropic.APIError>).error).toEqual({ type: 'error', error: { type, message: `failed ${status}` } });
  });

  it('a stream that fails after it started ends with `event: error`, which the SDK raises', async () => {
    const encoder = messagesDialect.streamEncoder(decoded);
    const started = encoder.push(chunk({ content: 'partial' }));
    next = {
      status: 200,
      contentType: 'text/event-stream',
      body: started.map(messagesDialect.frame).join('') + messagesDialect.streamErrorFrame(new GatewayError(502, 'upstream_error', 'Provider x failed: cut')),
    };
    const stream = client.messages.stream(params);
    const texts: string[] = [];
    stream.on('text', (t) => texts.push(t));
    await expect(stream.finalMessage()).rejects.toMatchObject({ error: { type: 'error', error: { type: 'api_error', message: 'Provider x failed: cut' } } });
    expect(texts).toEqual(['partial']);
  });
});
