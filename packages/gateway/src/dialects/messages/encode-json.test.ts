import { describe, expect, it } from 'vitest';
import type { ChatCompletion, FinishReason } from '../../api/types.js';
import { encodeJson } from './encode-json.js';

const request = { model: 'gpt-4o-mini' };

function completion(message: ChatCompletion['choices'][number]['message'], finish: FinishReason | null, usage?: ChatCompletion['usage']): ChatCompletion {
  return { id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini-2024-07-18', choices: [{ index: 0, message, finish_reason: finish }], ...(usage ? { usage } : {}) };
}

describe('messages encodeJson', () => {
  it('a text answer: msg_ id, text block, end_turn, usage with cached tokens moved to cache_read', () => {
    const body = JSON.parse(
      encodeJson(completion({ role: 'assistant', content: 'Hello' }, 'stop', { prompt_tokens: 30, completion_tokens: 2, total_tokens: 32, prompt_tokens_details: { cached_tokens: 20 } }), request),
    );
    expect(body).toEqual({
      id: 'msg_chatcmpl-1',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o-mini-2024-07-18',
      content: [{ type: 'text', text: 'Hello' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 2, cache_creation_input_tokens: 0, cache_read_input_tokens: 20 },
    });
  });

  it('tool calls become tool_use blocks with parsed input after the text', () => {
    const body = JSON.parse(
      encodeJson(
        completion(
          {
            role: 'assistant',
            content: 'Looking',
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'search', arguments: '{"query":"x","n":2}' } },
              { id: 'call_2', type: 'function', function: { name: 'weather', arguments: '' } },
            ],
          },
          'tool_calls',
        ),
        request,
      ),
    );
    expect(body.content).toEqual([
      { type: 'text', text: 'Looking' },
      { type: 'tool_use', id: 'call_1', name: 'search', input: { query: 'x', n: 2 } },
      { type: 'tool_use', id: 'call_2', name: 'weather', input: {} },
    ]);
    expect(body.stop_reason).toBe('tool_use');
  });

  it.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['content_filter', 'refusal'],
  ] as const)('finish_reason %s -> stop_reason %s', (finish, stop) => {
    expect(JSON.parse(encodeJson(completion({ role: 'assistant', content: 'x' }, finish), request)).stop_reason).toBe(stop);
  });

  it('keeps a msg_ id, falls back to the requested model, shows a refusal as text, leaves empty text out', () => {
    const c = { ...completion({ role: 'assistant', content: null, refusal: 'I cannot' }, 'content_filter'), id: 'msg_abc', model: '' };
    const body = JSON.parse(encodeJson(c, request));
    expect(body.id).toBe('msg_abc');
    expect(body.model).toBe('gpt-4o-mini');
    expect(body.content).toEqual([{ type: 'text', text: 'I cannot' }]);
    expect(JSON.parse(encodeJson(completion({ role: 'assistant', content: '' }, 'length'), request)).content).toEqual([]);
  });
});
