import { describe, expect, it } from 'vitest';
import { completionToEvents, streamToCompletion } from '../../src/cache/convert.js';
import { decodeEntry, encodeEntry, entryBytes, type CachedAnswer } from '../../src/cache/entry.js';

const jsonAnswer: CachedAnswer = {
  kind: 'json',
  body: Buffer.from('{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"héllo 👋"}}]}'),
  model: 'gpt-4o-mini',
  provider: 'openai',
  createdAt: 1_760_000_000_123,
  usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 },
};
const streamAnswer: CachedAnswer = {
  kind: 'stream',
  events: ['{"a":1}', '{"b":"ünïcode 日本"}', '', '{"c":[]}'],
  model: 'claude-3-5-haiku',
  provider: 'anthropic',
  createdAt: 1_760_000_000_456,
};

describe('encodeEntry / decodeEntry', () => {
  it('round-trips json and stream answers byte for byte', () => {
    for (const a of [jsonAnswer, streamAnswer]) {
      const b = encodeEntry(a);
      expect(b.length).toBe(entryBytes(a));
      expect(decodeEntry(b)).toEqual(a);
    }
    expect(decodeEntry(encodeEntry(jsonAnswer))!.body!.equals(jsonAnswer.body!)).toBe(true);
  });

  it('stores the body as raw bytes, not JSON inside JSON', () => {
    const b = encodeEntry(jsonAnswer);
    expect(b.includes(jsonAnswer.body!)).toBe(true);
    expect(b.length - jsonAnswer.body!.length).toBeLessThan(80);
  });

  it('answers undefined, never throws, for anything that is not a whole entry', () => {
    const good = encodeEntry(streamAnswer);
    const corrupt: Buffer[] = [
      Buffer.alloc(0),
      Buffer.from('{"kind":"json"}'),
      Buffer.from('hello world, this is not an entry at all'),
      good.subarray(0, good.length - 1),
      Buffer.concat([good, Buffer.from([0])]),
      Buffer.from(good).fill(0xff, 3, 4), // version
      Buffer.from(good).fill(0x07, 4, 5), // kind
    ];
    const huge = Buffer.from(good);
    huge.writeUInt32BE(0xffffffff, good.length - 8 - 4); // length of the last event (8 bytes)
    corrupt.push(huge);
    for (let cut = 0; cut < good.length; cut += 3) corrupt.push(good.subarray(0, cut));
    for (const b of corrupt) expect(decodeEntry(b)).toBeUndefined();
  });

  it('names the missing field of an answer it cannot encode', () => {
    expect(() => encodeEntry({ ...jsonAnswer, body: undefined })).toThrow(/body/);
    expect(() => encodeEntry({ ...streamAnswer, events: undefined })).toThrow(/events/);
  });
});

const chunk = (choices: unknown[], extra: object = {}) =>
  JSON.stringify({ id: 'chatcmpl-9', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4o-mini-2024', choices, ...extra });

describe('streamToCompletion', () => {
  it('assembles content, tool calls by index, finish_reason and usage', () => {
    const events = [
      chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]),
      chunk([{ index: 0, delta: { content: 'Let me ' }, finish_reason: null }]),
      chunk([{ index: 0, delta: { content: 'check.' }, finish_reason: null }]),
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] }, finish_reason: null }]),
      chunk([{ index: 0, delta: { tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"tz":' } }] }, finish_reason: null }]),
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":"Paris"}' } }] }, finish_reason: null }]),
      chunk([{ index: 0, delta: { tool_calls: [{ index: 1, function: { arguments: '"CET"}' } }] }, finish_reason: null }]),
      chunk([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]),
      chunk([], { usage: { prompt_tokens: 20, completion_tokens: 11, total_tokens: 31 } }),
    ];
    const c = JSON.parse(streamToCompletion(events).toString());
    expect(c).toMatchObject({ id: 'chatcmpl-9', object: 'chat.completion', created: 1700000000, model: 'gpt-4o-mini-2024' });
    expect(c.choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: 'Let me check.',
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"tz":"CET"}' } },
          ],
          refusal: null,
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    ]);
    expect(c.usage).toEqual({ prompt_tokens: 20, completion_tokens: 11, total_tokens: 31 });
  });

  it('gives a pure tool call null content, and keeps choices apart', () => {
    const c = JSON.parse(
      streamToCompletion([
        chunk([{ index: 1, delta: { role: 'assistant', content: 'B' }, finish_reason: null }]),
        chunk([{ index: 0, delta: { role: 'assistant', tool_calls: [{ index: 0, id: 'x', type: 'function', function: { name: 'f', arguments: '{}' } }] }, finish_reason: null }]),
        chunk([{ index: 1, delta: {}, finish_reason: 'length' }, { index: 0, delta: {}, finish_reason: 'tool_calls' }]),
      ]).toString(),
    );
    expect(c.choices.map((ch: any) => [ch.index, ch.message.content, ch.finish_reason])).toEqual([
      [0, null, 'tool_calls'],
      [1, 'B', 'length'],
    ]);
    expect(c.usage).toBeUndefined();
  });
});

describe('completionToEvents', () => {
  it('turns a JSON completion into role, content, tool call, finish and usage chunks', () => {
    const completion = {
      id: 'chatcmpl-7', object: 'chat.completion', created: 1700000001, model: 'gpt-4o-mini', system_fingerprint: 'fp_1',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Sunny.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'w', arguments: '{"c":"P"}' } }] }, finish_reason: 'tool_calls' }],
      usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
    };
    const events = completionToEvents(Buffer.from(JSON.stringify(completion))).map((e) => JSON.parse(e));
    expect(events.map((e) => e.choices[0]?.delta ?? 'usage')).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Sunny.' },
      { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'w', arguments: '{"c":"P"}' } }] },
      {},
      'usage',
    ]);
    for (const e of events) expect(e).toMatchObject({ id: 'chatcmpl-7', object: 'chat.completion.chunk', created: 1700000001, model: 'gpt-4o-mini', system_fingerprint: 'fp_1' });
    expect(events[3].choices[0].finish_reason).toBe('tool_calls');
    expect(events[4]).toMatchObject({ choices: [], usage: completion.usage });
  });

  it('round-trips through streamToCompletion', () => {
    const completion = {
      id: 'chatcmpl-8', object: 'chat.completion', created: 1700000002, model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    };
    const back = JSON.parse(streamToCompletion(completionToEvents(Buffer.from(JSON.stringify(completion)))).toString());
    expect(back).toEqual(completion);
  });

  it('names the problem with input that is not a completion', () => {
    expect(() => completionToEvents(Buffer.from('nope'))).toThrow(/not JSON/);
    expect(() => completionToEvents(Buffer.from('{"object":"list"}'))).toThrow(/choices/);
  });
});
