import { describe, expect, it } from 'vitest';
import type { ChatCompletion } from '../../api/types.js';
import { decode } from './decode.js';
import { encodeJson } from './encode-json.js';

const usage = { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16, prompt_tokens_details: { cached_tokens: 3 }, completion_tokens_details: { reasoning_tokens: 1 } };

function completion(message: ChatCompletion['choices'][number]['message'], finish: ChatCompletion['choices'][number]['finish_reason'] = 'stop'): ChatCompletion {
  return { id: 'chatcmpl-1', object: 'chat.completion', created: 1_700_000_000, model: 'gpt-4o-mini-2024-07-18', choices: [{ index: 0, message, finish_reason: finish }], usage };
}

describe('responses encodeJson', () => {
  const request = decode({ model: 'gpt-4o-mini', instructions: 'Be brief.', input: 'hi', metadata: { a: 'b' }, store: false });

  it('writes a completed Response with a message item, usage and the echoed request fields', () => {
    const body = JSON.parse(encodeJson(completion({ role: 'assistant', content: 'Hello there' }), request));
    expect(body).toMatchObject({
      id: request.responseId,
      object: 'response',
      created_at: 1_700_000_000,
      status: 'completed',
      error: null,
      incomplete_details: null,
      model: 'gpt-4o-mini-2024-07-18',
      instructions: 'Be brief.',
      tools: [],
      tool_choice: 'auto',
      text: { format: { type: 'text' } },
      temperature: 1,
      top_p: 1,
      parallel_tool_calls: true,
      previous_response_id: null,
      store: false,
      metadata: { a: 'b' },
      usage: { input_tokens: 12, input_tokens_details: { cached_tokens: 3 }, output_tokens: 4, output_tokens_details: { reasoning_tokens: 1 }, total_tokens: 16 },
    });
    expect(body.output).toEqual([
      { type: 'message', id: expect.stringMatching(/^msg_/), status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello there', annotations: [], logprobs: [] }] },
    ]);
    expect(body).not.toHaveProperty('output_text'); // the SDK computes it
  });

  it('writes text and tool calls as a message item then function_call items', () => {
    const body = JSON.parse(
      encodeJson(
        completion(
          {
            role: 'assistant',
            content: 'Let me look.',
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'search', arguments: '{"q":"a"}' } },
              { id: 'call_2', type: 'function', function: { name: 'weather', arguments: '{}' } },
            ],
          },
          'tool_calls',
        ),
        request,
      ),
    );
    expect(body.status).toBe('completed');
    expect(body.output.map((o: { type: string }) => o.type)).toEqual(['message', 'function_call', 'function_call']);
    expect(body.output[1]).toEqual({ type: 'function_call', id: expect.stringMatching(/^fc_/), call_id: 'call_1', name: 'search', arguments: '{"q":"a"}', status: 'completed' });
    expect(new Set(body.output.map((o: { id: string }) => o.id)).size).toBe(3);
  });

  it('writes only function_call items when the answer has no text', () => {
    const body = JSON.parse(encodeJson(completion({ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }, 'tool_calls'), request));
    expect(body.output.map((o: { type: string }) => o.type)).toEqual(['function_call']);
  });

  it('is incomplete with max_output_tokens when the answer was cut by length', () => {
    const body = JSON.parse(encodeJson(completion({ role: 'assistant', content: 'Echo: one' }, 'length'), request));
    expect(body.status).toBe('incomplete');
    expect(body.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(body.output[0].status).toBe('incomplete');
  });

  it('writes a refusal as a refusal part', () => {
    const body = JSON.parse(encodeJson(completion({ role: 'assistant', content: null, refusal: 'No.' }), request));
    expect(body.output[0].content).toEqual([{ type: 'refusal', refusal: 'No.' }]);
  });
});
