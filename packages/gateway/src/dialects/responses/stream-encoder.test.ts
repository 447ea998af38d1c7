import { describe, expect, it } from 'vitest';
import type { ChatChunk, Usage } from '../../api/types.js';
import { decode } from './decode.js';
import { streamEncoder } from './stream-encoder.js';

const usage: Usage = { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 };

function chunk(delta: ChatChunk['choices'][number]['delta'], finish: ChatChunk['choices'][number]['finish_reason'] = null): ChatChunk {
  return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] };
}
const usageChunk: ChatChunk = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-4o-mini', choices: [], usage };

function run(chunks: ChatChunk[], u: Usage | undefined = usage, body: Record<string, unknown> = { model: 'gpt-4o-mini', input: 'hi', stream: true }) {
  const request = decode(body);
  const enc = streamEncoder(request);
  const payloads = [...chunks.flatMap((c) => enc.push(c)), ...enc.end(u)];
  return { request, events: payloads.map((p) => JSON.parse(p)), payloads, enc };
}

describe('responses stream encoder', () => {
  it('writes the text event sequence and ends with response.completed carrying the whole response', () => {
    const { events, request } = run([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Echo: ' }), chunk({ content: 'hi' }), chunk({}, 'stop'), usageChunk]);
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[0].response).toMatchObject({ id: request.responseId, status: 'in_progress', output: [], usage: null });
    expect(events[2]).toMatchObject({ output_index: 0, item: { type: 'message', status: 'in_progress', role: 'assistant', content: [] } });
    expect(events[3]).toMatchObject({ item_id: events[2].item.id, output_index: 0, content_index: 0, part: { type: 'output_text', text: '' } });
    expect(events.slice(4, 6).map((e) => e.delta)).toEqual(['Echo: ', 'hi']);
    expect(events[6].text).toBe('Echo: hi');
    const done = events.at(-1).response;
    expect(done).toMatchObject({ id: request.responseId, status: 'completed', usage: { input_tokens: 9, output_tokens: 3, total_tokens: 12 } });
    expect(done.output).toEqual([events[8].item]);
    expect(done.output[0].content[0].text).toBe('Echo: hi');
  });

  it('writes function calls as function_call items with argument deltas, one after the other', () => {
    const { events } = run([
      chunk({ role: 'assistant', content: null }),
      chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'search', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"query":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"cats"}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'weather', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events[2].item).toMatchObject({ type: 'function_call', call_id: 'call_1', name: 'search', arguments: '', status: 'in_progress' });
    expect(events[5]).toMatchObject({ name: 'search', arguments: '{"query":"cats"}', output_index: 0 });
    expect(events[7]).toMatchObject({ output_index: 1, item: { call_id: 'call_2', name: 'weather' } });
    expect(events.at(-1).response.output.map((o: { arguments: string; status: string }) => [o.arguments, o.status])).toEqual([
      ['{"query":"cats"}', 'completed'],
      ['{}', 'completed'],
    ]);
  });

  it('closes the message before a tool call that follows its text', () => {
    const { events } = run([chunk({ content: 'Looking.' }), chunk({ tool_calls: [{ index: 0, id: 'c', function: { name: 'f', arguments: '{}' } }] }), chunk({}, 'tool_calls')]);
    const types = events.map((e) => e.type);
    expect(types.indexOf('response.output_item.done')).toBeLessThan(types.lastIndexOf('response.output_item.added'));
    expect(events.at(-1).response.output.map((o: { type: string }) => o.type)).toEqual(['message', 'function_call']);
  });

  it('ends with response.incomplete when the answer was cut by length', () => {
    const { events } = run([chunk({ content: 'Echo:' }), chunk({}, 'length')]);
    const last = events.at(-1);
    expect(last.type).toBe('response.incomplete');
    expect(last.response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
    expect(last.response.output[0].status).toBe('incomplete');
  });

  it('counts the sequence for the error event and still answers an empty stream', () => {
    const enc = streamEncoder(decode({ model: 'gpt-4o-mini', input: 'hi', stream: true }));
    const events = enc.end(undefined).map((p) => JSON.parse(p));
    expect(events.map((e) => e.type)).toEqual(['response.created', 'response.in_progress', 'response.completed']);
    expect(events[2].response).toMatchObject({ output: [], usage: null });
    expect(enc.sequenceNumber).toBe(3);
  });
});
