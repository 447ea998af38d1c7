// The encoders' bytes as the official `openai` SDK reads them: a plain node:http server on a
// loopback port answers `POST /v1/responses` with what encodeJson / the stream encoder wrote.
import { createServer, type Server } from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, LOOPBACK } from '../../../test/ports.js';
import type { ChatChunk, ChatCompletion, Usage } from '../../api/types.js';
import { GatewayError } from '../../http/errors.js';
import { responsesDialect } from './index.js';
import type { ResponsesDecoded } from './types.js';

const usage: Usage = { prompt_tokens: 8, completion_tokens: 4, total_tokens: 12, prompt_tokens_details: { cached_tokens: 2 } };

/** The canonical answer the "provider" gives: text, or a tool call when tools are offered. */
function canonicalAnswer(request: ResponsesDecoded): { completion: ChatCompletion; chunks: ChatChunk[] } {
  const base = { id: 'chatcmpl-1', created: 1_700_000_000, model: 'gpt-4o-mini' };
  const tools = request.canonical.tools ?? [];
  if (tools.length > 0) {
    const call = { id: 'call_1', type: 'function' as const, function: { name: tools[0]?.function.name ?? '', arguments: '{"query":"cats"}' } };
    return {
      completion: { ...base, object: 'chat.completion', usage, choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: [call] } }] },
      chunks: [
        { ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: call.function.name, arguments: '' } }] }, finish_reason: null }] },
        { ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"query":' } }] }, finish_reason: null }] },
        { ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"cats"}' } }] }, finish_reason: 'tool_calls' }] },
      ],
    };
  }
  const words = ['Echo: ', 'hello ', 'world'];
  return {
    completion: { ...base, object: 'chat.completion', usage, choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: words.join('') } }] },
    chunks: [
      ...words.map((w): ChatChunk => ({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: w }, finish_reason: null }] })),
      { ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
    ],
  };
}

let server: Server;
let client: OpenAI;
/** Each JSON answer served, by response id, to compare the stream's final response with. */
const served = new Map<string, unknown>();
let failMidStream = false;

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString('utf8')));
    req.on('end', () => {
      let decoded: ResponsesDecoded;
      try {
        decoded = responsesDialect.decode(JSON.parse(raw) as Record<string, unknown>);
      } catch (err) {
        const e = err as GatewayError;
        res.writeHead(e.status, { 'content-type': 'application/json' }).end(responsesDialect.errorBody(e));
        return;
      }
      const { completion, chunks } = canonicalAnswer(decoded);
      served.set(decoded.responseId, JSON.parse(responsesDialect.encodeJson(completion, decoded)));
      if (!decoded.stream) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(responsesDialect.encodeJson(completion, decoded));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const encoder = responsesDialect.streamEncoder(decoded);
      for (const chunk of chunks) for (const p of encoder.push(chunk)) res.write(responsesDialect.frame(p));
      if (failMidStream) {
        res.end(responsesDialect.streamErrorFrame(new GatewayError(502, 'upstream_error', 'Provider openai failed: stream broke', null, 'upstream_error')));
        return;
      }
      for (const p of encoder.end(usage)) res.write(responsesDialect.frame(p));
      res.end(responsesDialect.streamEnd);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, LOOPBACK, resolve));
  client = new OpenAI({ baseURL: `http://${LOOPBACK}:${port}/v1`, apiKey: 'sk-test', maxRetries: 0 });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** finalResponse() adds the SDK's parse fields; without them it must be the JSON answer (plus output_text). */
function withoutParsed(response: unknown): unknown {
  return JSON.parse(JSON.stringify(response, (key, value) => (key === 'output_parsed' || key === 'parsed' || key === 'parsed_arguments' ? undefined : value)));
}

describe('responses dialect through the official openai SDK', () => {
  it('responses.create parses the JSON answer, output_text included', async () => {
    const response = await client.responses.create({ model: 'gpt-4o-mini', input: 'hello world', instructions: 'Echo.' });
    expect(response.object).toBe('response');
    expect(response.id).toMatch(/^resp_/);
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe('Echo: hello world');
    expect(response.usage).toEqual({ input_tokens: 8, input_tokens_details: { cached_tokens: 2 }, output_tokens: 4, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 12 });
    expect(response.instructions).toBe('Echo.');
  });

  it('responses.create({stream: true}) yields the event sequence ending in response.completed', async () => {
    const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'hello world', stream: true });
    const events = [];
    for await (const event of stream) events.push(event);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[0]?.type).toBe('response.created');
    const deltas = events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : []));
    expect(deltas.join('')).toBe('Echo: hello world');
    const last = events.at(-1);
    expect(last?.type).toBe('response.completed');
  });

  it('responses.stream().finalResponse() equals the JSON form', async () => {
    const stream = client.responses.stream({ model: 'gpt-4o-mini', input: 'hello world' });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Echo: hello world');
    const json = served.get(final.id) as Record<string, unknown>;
    expect(withoutParsed(final)).toEqual({ ...json, output_text: 'Echo: hello world' });
  });

  it('streams a function call the SDK accumulates, with its arguments', async () => {
    const tools = [{ type: 'function' as const, name: 'search', parameters: { type: 'object', properties: { query: { type: 'string' } } }, strict: false }];
    const stream = client.responses.stream({ model: 'gpt-4o-mini', input: 'cats', tools });
    const fragments: string[] = [];
    stream.on('response.function_call_arguments.delta', (e) => fragments.push(e.delta));
    const final = await stream.finalResponse();
    expect(fragments).toEqual(['{"query":', '"cats"}']);
    expect(final.output).toHaveLength(1);
    expect(final.output[0]).toMatchObject({ type: 'function_call', call_id: 'call_1', name: 'search', arguments: '{"query":"cats"}', status: 'completed' });
    expect(withoutParsed(final)).toEqual({ ...(served.get(final.id) as object), output_text: '' });
    const json = await client.responses.create({ model: 'gpt-4o-mini', input: 'cats', tools });
    expect(json.output[0]).toMatchObject({ type: 'function_call', call_id: 'call_1', arguments: '{"query":"cats"}' });
  });

  it('a 400 in the dialect error shape becomes the SDK BadRequestError with its param', async () => {
    const err = await client.responses.create({ model: 'gpt-4o-mini', input: [{ type: 'function_call_output', call_id: 'nope', output: 'x' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('input[0].call_id');
  });

  it('a stream that fails after it started raises in the SDK, iterating and through finalResponse()', async () => {
    failMidStream = true;
    try {
      const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'hello world', stream: true });
      const seen: string[] = [];
      const iterated = await (async () => {
        for await (const event of stream) seen.push(event.type);
      })().catch((e: unknown) => e);
      expect(iterated).toBeInstanceOf(OpenAI.APIError);
      expect((iterated as Error).message).toContain('stream broke');
      expect(seen).toContain('response.output_text.delta');
      const final = await client.responses.stream({ model: 'gpt-4o-mini', input: 'hello world' }).finalResponse().catch((e: unknown) => e);
      expect(final).toBeInstanceOf(OpenAI.APIError);
    } finally {
      failMidStream = false;
    }
  });
});
