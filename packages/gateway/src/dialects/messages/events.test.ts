import { describe, expect, it } from 'vitest';
import { eventsToJson, jsonToEvents } from './events.js';
import { frame } from './frame.js';
import { richMessage } from '../../../test/fixtures/messages.js';

describe('messages jsonToEvents / eventsToJson', () => {
  it('streams a message as the API would: start with empty content, block start/delta/stop, final delta with usage', () => {
    const events = jsonToEvents(Buffer.from(JSON.stringify(richMessage))).map((p) => JSON.parse(p));
    expect(events[0]).toEqual({
      type: 'message_start',
      message: { ...richMessage, content: [], stop_reason: null, stop_sequence: null, usage: { ...richMessage.usage, output_tokens: 0 } },
    });
    expect(events.map((e) => e.type + (e.delta?.type ? `:${e.delta.type}` : ''))).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta:thinking_delta',
      'content_block_delta:signature_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_stop',
      'content_block_start',
      'content_block_delta:text_delta',
      'content_block_delta:citations_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta:input_json_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events.at(-2)).toEqual({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: richMessage.usage });
    // Every payload leads with its type, so framing needs no parse.
    for (const p of jsonToEvents(JSON.stringify(richMessage))) expect(frame(p).startsWith(`event: ${JSON.parse(p).type}\n`)).toBe(true);
  });

  it('round trips: eventsToJson(jsonToEvents(m)) is m', () => {
    expect(JSON.parse(eventsToJson(jsonToEvents(JSON.stringify(richMessage))).toString())).toEqual(richMessage);
    const plain = { ...richMessage, content: [{ type: 'text', text: 'hi' }], stop_reason: 'stop_sequence', stop_sequence: 'END' };
    expect(JSON.parse(eventsToJson(jsonToEvents(JSON.stringify(plain))).toString())).toEqual(plain);
  });

  it('accumulates an API-shaped stream: pings ignored, input fragments joined, usage totals overwritten when present', () => {
    const events = [
      { type: 'message_start', message: { id: 'msg_2', type: 'message', role: 'assistant', model: 'm', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 1, cache_read_input_tokens: 0 } } },
      { type: 'ping' },
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't', name: 'n', input: {} } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"a"' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: ':1}' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 9, cache_read_input_tokens: null, input_tokens: 6 } },
      { type: 'message_stop' },
    ].map((e) => JSON.stringify(e));
    expect(JSON.parse(eventsToJson(events).toString())).toEqual({
      id: 'msg_2',
      type: 'message',
      role: 'assistant',
      model: 'm',
      content: [{ type: 'tool_use', id: 't', name: 'n', input: { a: 1 } }],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 6, output_tokens: 9, cache_read_input_tokens: 0 },
    });
  });

  it('refuses an incomplete sequence', () => {
    const events = jsonToEvents(JSON.stringify(richMessage));
    expect(() => eventsToJson(events.slice(0, -1))).toThrow(/not a complete/);
    expect(() => eventsToJson(events.slice(1))).toThrow(/not a complete/);
  });
});
