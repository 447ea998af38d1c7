import { describe, expect, it } from 'vitest';
import type { ChatChunk, ChatCompletion, Usage } from '../../api/types.js';
import { decode } from './decode.js';
import { encodeJson } from './encode-json.js';
import { eventsToJson, frame, jsonToEvents } from './replay.js';
import { streamEncoder } from './stream-encoder.js';

const usage: Usage = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 };
const request = decode({ model: 'gpt-4o-mini', input: 'hi', tools: [{ type: 'function', name: 'f' }] });

function chunk(delta: ChatChunk['choices'][number]['delta'], finish: ChatChunk['choices'][number]['finish_reason'] = null): ChatChunk {
  return { id: 'x', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] };
}

describe('responses jsonToEvents / eventsToJson', () => {
  const completion: ChatCompletion = {
    id: 'x', object: 'chat.completion', created: 1_700_000_000, model: 'gpt-4o-mini', usage,
    choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: 'Let me see.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] } }],
  };

  it('replays a JSON answer as the events a live stream of it sends, and back to the same JSON', () => {
    const json = encodeJson(completion, request);
    const events = jsonToEvents(Buffer.from(json));
    const live = streamEncoder(request);
    const streamed = [
      ...live.push(chunk({ content: 'Let me see.' })),
      ...live.push(chunk({ tool_calls: [{ index: 0, id: 'call_1', function: { name: 'f', arguments: '{"a":1}' } }] })),
      ...live.push(chunk({}, 'tool_calls')),
      ...live.end(usage),
    ];
    expect(events.map((e) => JSON.parse(e).type)).toEqual(streamed.map((e) => JSON.parse(e).type));
    expect(events.map((e) => JSON.parse(e).sequence_number)).toEqual(events.map((_, i) => i));
    expect(JSON.parse(eventsToJson(events).toString())).toEqual(JSON.parse(json));
    // The live stream's final response is the JSON answer itself.
    expect(JSON.parse(eventsToJson(streamed).toString())).toEqual(JSON.parse(json));
  });

  it('replays an incomplete answer with response.incomplete, and items it does not know as added and done', () => {
    const native = { id: 'resp_1', object: 'response', status: 'incomplete', output: [{ type: 'reasoning', id: 'rs_1', summary: [] }], usage: null };
    const events = jsonToEvents(Buffer.from(JSON.stringify(native))).map((e) => JSON.parse(e));
    expect(events.map((e) => e.type)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.output_item.done', 'response.incomplete']);
    expect(events.at(-1).response).toEqual(native);
  });

  it('refuses what is not a Response, and a stream without a terminal event', () => {
    expect(() => jsonToEvents(Buffer.from('{"object":"chat.completion"}'))).toThrow();
    expect(() => eventsToJson(['{"type":"response.created","sequence_number":0,"response":{}}'])).toThrow();
  });

  it('frames each payload with its event name, reading it without a parse when type comes first', () => {
    expect(frame('{"type":"response.created","sequence_number":0}')).toBe('event: response.created\ndata: {"type":"response.created","sequence_number":0}\n\n');
    expect(frame('{"sequence_number":3,"type":"response.completed"}')).toBe('event: response.completed\ndata: {"sequence_number":3,"type":"response.completed"}\n\n');
  });
});
