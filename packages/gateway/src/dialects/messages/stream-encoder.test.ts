import { describe, expect, it } from 'vitest';
import type { ChatChunk } from '../../api/types.js';
import { decode } from './decode.js';
import { eventsToJson } from './events.js';
import { frame } from './frame.js';
import { streamEncoder } from './stream-encoder.js';

const request = decode({ model: 'gpt-4o-mini', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hello there' }] });
type Delta = ChatChunk['choices'][number]['delta'];

function chunk(delta: Delta, finish: ChatChunk['choices'][number]['finish_reason'] = null): ChatChunk {
  return { id: 'chatcmpl-9', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] };
}
const usageChunk: ChatChunk = { id: 'chatcmpl-9', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 } };

function encode(chunks: ChatChunk[], usage = chunks.at(-1)?.usage ?? undefined) {
  const encoder = streamEncoder(request);
  const payloads = chunks.flatMap((c) => encoder.push(c)).concat(encoder.end(usage));
  return payloads.map((p) => JSON.parse(p) as Record<string, any>);
}

describe('messages stream encoder', () => {
  it('text: message_start, one text block, message_delta with stop reason and usage, message_stop', () => {
    const events = encode([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hel' }), chunk({ content: 'lo' }), chunk({}, 'stop'), usageChunk]);
    expect(events.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[0]!.message).toMatchObject({ id: 'msg_chatcmpl-9', type: 'message', role: 'assistant', model: 'gpt-4o-mini', content: [], stop_reason: null });
    expect(events[0]!.message.usage.input_tokens).toBeGreaterThan(0); // an estimate until the provider's count
    expect(events[1]).toEqual({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    expect(events[2]).toEqual({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } });
    expect(events[4]).toEqual({ type: 'content_block_stop', index: 0 });
    expect(events[5]).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 12, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });

  it('tool calls: a tool_use block per call (id and name first), input_json_delta fragments at the right index', () => {
    const events = encode([
      chunk({ role: 'assistant', content: 'Checking' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'search', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"query":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'weather', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
      usageChunk,
    ]);
    const starts = events.filter((e) => e.type === 'content_block_start');
    expect(starts).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_a', name: 'search', input: {} } },
      { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'call_b', name: 'weather', input: {} } },
    ]);
    const json = events.filter((e) => e.delta?.type === 'input_json_delta').map((e) => [e.index, e.delta.partial_json]);
    expect(json).toEqual([[1, '{"query":'], [1, '"x"}'], [2, '{}']]);
    expect(events.filter((e) => e.type === 'content_block_stop').map((e) => e.index)).toEqual([0, 1, 2]);
    // Every block is stopped before the next starts.
    const order = events.filter((e) => e.type === 'content_block_start' || e.type === 'content_block_stop').map((e) => `${e.type === 'content_block_start' ? '+' : '-'}${e.index}`);
    expect(order).toEqual(['+0', '-0', '+1', '-1', '+2', '-2']);
    expect(events.find((e) => e.type === 'message_delta')!.delta.stop_reason).toBe('tool_use');
  });

  it('usage given to end() wins; cached tokens become cache_read_input_tokens; length -> max_tokens', () => {
    const events = encode([chunk({ content: 'a' }, 'length')], { prompt_tokens: 100, completion_tokens: 3, total_tokens: 103, prompt_tokens_details: { cached_tokens: 64 } });
    expect(events.at(-2)).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'max_tokens', stop_sequence: null },
      usage: { input_tokens: 36, output_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 64 },
    });
  });

  it('an empty stream still is a whole message', () => {
    const encoder = streamEncoder(request);
    const events = encoder.end(undefined).map((p) => JSON.parse(p));
    expect(events.map((e) => e.type)).toEqual(['message_start', 'message_delta', 'message_stop']);
    expect(events[1].usage.output_tokens).toBe(0);
  });

  it('gives a tool call without an id a unique one', () => {
    const events = encode([chunk({ tool_calls: [{ index: 0, function: { name: 'a', arguments: '{}' } }] }), chunk({ tool_calls: [{ index: 1, function: { name: 'b', arguments: '{}' } }] })]);
    const ids = events.filter((e) => e.type === 'content_block_start').map((e) => e.content_block.id);
    expect(ids[0]).toMatch(/^toolu_/);
    expect(new Set(ids).size).toBe(2);
  });

  it('accumulates (eventsToJson) into the message the events describe', () => {
    const encoder = streamEncoder(request);
    const payloads = [chunk({ content: 'Hi ' }), chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'search', arguments: '{"q":1}' } }] }), chunk({}, 'tool_calls')]
      .flatMap((c) => encoder.push(c))
      .concat(encoder.end(usageChunk.usage!));
    expect(JSON.parse(eventsToJson(payloads).toString())).toMatchObject({
      content: [{ type: 'text', text: 'Hi ' }, { type: 'tool_use', id: 'call_a', name: 'search', input: { q: 1 } }],
      stop_reason: 'tool_use',
      usage: { input_tokens: 12, output_tokens: 7 },
    });
  });
});

describe('messages frame', () => {
  it('names the event from the leading type, or by parsing', () => {
    expect(frame('{"type":"message_stop"}')).toBe('event: message_stop\ndata: {"type":"message_stop"}\n\n');
    expect(frame('{ "index": 0, "type": "content_block_stop" }')).toBe('event: content_block_stop\ndata: { "index": 0, "type": "content_block_stop" }\n\n');
    expect(frame('not json')).toBe('data: not json\n\n');
  });
});
