import { describe, expect, it } from 'vitest';
import { validateChatRequest } from '../../api/validate.js';
import type { ChatCompletion } from '../../api/types.js';
import { GatewayError } from '../../http/errors.js';
import { decode, translationRefusal } from './decode.js';
import { conversationAfter, conversationAfterResponse, withHistory } from './history.js';

const search = { type: 'function', name: 'search', description: 'web search', parameters: { type: 'object', properties: { query: { type: 'string' } } } };

function paramOf(body: Record<string, unknown>): string | null {
  try {
    decode(body);
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).status).toBe(400);
    return (err as GatewayError).param;
  }
  throw new Error('decode accepted a malformed body');
}

describe('responses decode: malformed input is a 400 naming the field', () => {
  const base = { model: 'gpt-4o-mini', input: 'hi' };
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['model missing', { input: 'hi' }, 'model'],
    ['model not a string', { model: 7, input: 'hi' }, 'model'],
    ['input missing', { model: 'gpt-4o' }, 'input'],
    ['input a number', { ...base, input: 3 }, 'input'],
    ['input empty', { ...base, input: [] }, 'input'],
    ['unknown top-level field', { ...base, messages: [] }, 'messages'],
    ['item not an object', { ...base, input: ['hi'] }, 'input[0]'],
    ['item type unknown', { ...base, input: [{ type: 'bogus' }] }, 'input[0].type'],
    ['message role missing', { ...base, input: [{ content: 'x' }] }, 'input[0].role'],
    ['message role bad', { ...base, input: [{ role: 'tool', content: 'x' }] }, 'input[0].role'],
    ['message content missing', { ...base, input: [{ role: 'user' }] }, 'input[0].content'],
    ['message content a number', { ...base, input: [{ role: 'user', content: 1 }] }, 'input[0].content'],
    ['part not an object', { ...base, input: [{ role: 'user', content: ['x'] }] }, 'input[0].content[0]'],
    ['part text not a string', { ...base, input: [{ role: 'user', content: [{ type: 'input_text', text: 1 }] }] }, 'input[0].content[0].text'],
    ['output_text in a user message', { ...base, input: [{ role: 'user', content: [{ type: 'output_text', text: 'x' }] }] }, 'input[0].content[0].type'],
    ['input_image in an assistant message', { ...base, input: [{ role: 'assistant', content: [{ type: 'input_image', image_url: 'u' }] }] }, 'input[0].content[0].type'],
    ['image without url or file', { ...base, input: [{ role: 'user', content: [{ type: 'input_image' }] }] }, 'input[0].content[0].image_url'],
    ['image detail bad', { ...base, input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'u', detail: 'max' }] }] }, 'input[0].content[0].detail'],
    ['function_call without call_id', { ...base, input: [{ role: 'user', content: 'x' }, { type: 'function_call', name: 'f', arguments: '{}' }] }, 'input[1].call_id'],
    ['function_call arguments an object', { ...base, input: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: {} }] }, 'input[0].arguments'],
    ['function_call_output without output', { ...base, input: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' }, { type: 'function_call_output', call_id: 'c' }] }, 'input[1].output'],
    ['function_call_output answering nothing', { ...base, input: [{ role: 'user', content: 'x' }, { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' }, { type: 'function_call_output', call_id: 'c2', output: 'r' }] }, 'input[2].call_id'],
    ['reasoning summary not an array', { ...base, input: [{ type: 'reasoning', summary: 'x' }] }, 'input[0].summary'],
    ['item_reference without id', { ...base, input: [{ type: 'item_reference' }] }, 'input[0].id'],
    ['instructions not a string', { ...base, instructions: ['x'] }, 'instructions'],
    ['tools not an array', { ...base, tools: {} }, 'tools'],
    ['tool in the chat shape', { ...base, tools: [{ type: 'function', function: { name: 'search' } }] }, 'tools[0].name'],
    ['tool name with spaces', { ...base, tools: [{ type: 'function', name: 'web search' }] }, 'tools[0].name'],
    ['tool parameters a string', { ...base, tools: [{ type: 'function', name: 's', parameters: 'x' }] }, 'tools[0].parameters'],
    ['tool without type', { ...base, tools: [{ name: 's' }] }, 'tools[0].type'],
    ['tool_choice bad string', { ...base, tool_choice: 'always' }, 'tool_choice'],
    ['tool_choice names an unknown function', { ...base, tools: [search], tool_choice: { type: 'function', name: 'other' } }, 'tool_choice'],
    ['tool_choice function without name', { ...base, tools: [search], tool_choice: { type: 'function' } }, 'tool_choice.name'],
    ['text not an object', { ...base, text: 'json' }, 'text'],
    ['text.format type bad', { ...base, text: { format: { type: 'xml' } } }, 'text.format.type'],
    ['json_schema without name', { ...base, text: { format: { type: 'json_schema', schema: {} } } }, 'text.format.name'],
    ['json_schema without schema', { ...base, text: { format: { type: 'json_schema', name: 'x' } } }, 'text.format.schema'],
    ['json_schema strict not boolean', { ...base, text: { format: { type: 'json_schema', name: 'x', schema: {}, strict: 'yes' } } }, 'text.format.strict'],
    ['verbosity bad', { ...base, text: { verbosity: 'loud' } }, 'text.verbosity'],
    ['max_output_tokens zero', { ...base, max_output_tokens: 0 }, 'max_output_tokens'],
    ['max_output_tokens fractional', { ...base, max_output_tokens: 1.5 }, 'max_output_tokens'],
    ['temperature too high', { ...base, temperature: 3 }, 'temperature'],
    ['top_p a string', { ...base, top_p: '1' }, 'top_p'],
    ['parallel_tool_calls a string', { ...base, parallel_tool_calls: 'yes' }, 'parallel_tool_calls'],
    ['stream a string', { ...base, stream: 'true' }, 'stream'],
    ['stream_options without stream', { ...base, stream_options: {} }, 'stream_options'],
    ['store a number', { ...base, store: 1 }, 'store'],
    ['previous_response_id empty', { ...base, previous_response_id: '' }, 'previous_response_id'],
    ['metadata value a number', { ...base, metadata: { a: 1 } }, 'metadata.a'],
    ['user a number', { ...base, user: 1 }, 'user'],
    ['reasoning a string', { ...base, reasoning: 'high' }, 'reasoning'],
    ['reasoning effort a number', { ...base, reasoning: { effort: 1 } }, 'reasoning.effort'],
    ['truncation bad', { ...base, truncation: 'middle' }, 'truncation'],
    ['include not strings', { ...base, include: [1] }, 'include'],
  ];
  it.each(cases)('%s', (_name, body, param) => {
    expect(paramOf(body)).toBe(param);
  });
});

describe('responses decode: translation to the canonical request', () => {
  it('translates items, tools, tool_choice, text.format and sampling in order', () => {
    const d = decode({
      model: 'gpt-4o-mini',
      instructions: 'Be brief.',
      input: [
        { role: 'developer', content: 'Use tools.' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Look at' }, { type: 'input_image', image_url: 'https://x/cat.png', detail: 'low' }] },
        { type: 'reasoning', id: 'rs_1', summary: [] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Searching.', annotations: [] }] },
        { type: 'function_call', call_id: 'call_a', name: 'search', arguments: '{"query":"cat"}' },
        { type: 'function_call', call_id: 'call_b', name: 'search', arguments: '{"query":"dog"}', id: 'fc_2' },
        { type: 'function_call_output', call_id: 'call_a', output: 'a cat' },
        { type: 'function_call_output', call_id: 'call_b', output: [{ type: 'input_text', text: 'a dog' }] },
        { role: 'user', content: 'thanks' },
      ],
      tools: [search, { ...search, name: 'weather', strict: true }],
      tool_choice: { type: 'function', name: 'weather' },
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true }, verbosity: 'low' },
      max_output_tokens: 50,
      temperature: 0.2,
      top_p: 0.9,
      parallel_tool_calls: false,
      reasoning: { effort: 'low' },
      user: 'u1',
      stream: true,
      store: false,
      metadata: { run: '7' },
    });
    expect(d.canonical).toEqual({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: 'Use tools.' },
        { role: 'user', content: [{ type: 'text', text: 'Look at' }, { type: 'image_url', image_url: { url: 'https://x/cat.png', detail: 'low' } }] },
        {
          role: 'assistant',
          content: 'Searching.',
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'search', arguments: '{"query":"cat"}' } },
            { id: 'call_b', type: 'function', function: { name: 'search', arguments: '{"query":"dog"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_a', content: 'a cat' },
        { role: 'tool', tool_call_id: 'call_b', content: 'a dog' },
        { role: 'user', content: 'thanks' },
      ],
      tools: [
        { type: 'function', function: { name: 'search', description: 'web search', parameters: search.parameters } },
        { type: 'function', function: { name: 'weather', description: 'web search', parameters: search.parameters, strict: true } },
      ],
      tool_choice: { type: 'function', function: { name: 'weather' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
      verbosity: 'low',
      max_completion_tokens: 50,
      temperature: 0.2,
      top_p: 0.9,
      reasoning_effort: 'low',
      user: 'u1',
    });
    // The canonical request is one the chat path accepts as it is.
    expect(() => validateChatRequest(d.canonical as unknown as Record<string, unknown>)).not.toThrow();
    expect(d).toMatchObject({ model: 'gpt-4o-mini', stream: true, includeUsage: true, store: false, previousResponseId: null, untranslatable: null });
    expect(d.responseId).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(d.echo).toMatchObject({
      instructions: 'Be brief.',
      tool_choice: { type: 'function', name: 'weather' },
      temperature: 0.2,
      top_p: 0.9,
      max_output_tokens: 50,
      parallel_tool_calls: false,
      store: false,
      metadata: { run: '7' },
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true }, verbosity: 'low' },
    });
    expect(d.echo.tools[0]).toEqual({ type: 'function', name: 'search', description: 'web search', parameters: search.parameters, strict: null });
  });

  it('gives a string input one user message, defaults store to true and echoes the API defaults', () => {
    const d = decode({ model: 'gpt-4o', input: 'hello' });
    expect(d.canonical).toEqual({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] });
    expect(d.stream).toBe(false);
    expect(d.store).toBe(true);
    expect(d.echo).toMatchObject({ instructions: null, tools: [], tool_choice: 'auto', temperature: 1, top_p: 1, parallel_tool_calls: true, text: { format: { type: 'text' } } });
    expect(decode({ model: 'gpt-4o', input: 'x' }).responseId).not.toBe(d.responseId);
  });

  it('maps json_object and leaves text format text out', () => {
    expect(decode({ model: 'm', input: 'x', text: { format: { type: 'json_object' } } }).canonical.response_format).toEqual({ type: 'json_object' });
    expect(decode({ model: 'm', input: 'x', text: { format: { type: 'text' } } }).canonical.response_format).toBeUndefined();
  });

  it('marks what only OpenAI can run as untranslatable, keeping the request valid natively', () => {
    expect(decode({ model: 'm', input: 'x', tools: [{ type: 'web_search' }] }).untranslatable).toBe('tools[0].type');
    expect(decode({ model: 'm', input: [{ type: 'item_reference', id: 'msg_1' }] }).untranslatable).toBe('input[0]');
    expect(decode({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1' }] }] }).untranslatable).toBe('input[0].content[0].file_id');
    expect(decode({ model: 'm', input: 'x', background: true }).untranslatable).toBe('background');
    expect(decode({ model: 'm', input: 'x', tool_choice: { type: 'web_search_preview' } }).untranslatable).toBe('tool_choice');
    expect(translationRefusal(decode({ model: 'm', input: 'x', tools: [{ type: 'web_search' }] }))).toMatchObject({ status: 400, param: 'tools[0].type' });
    expect(translationRefusal(decode({ model: 'm', input: 'x' }))).toBeNull();
    // Reasoning items are dropped in translation, not refused.
    expect(decode({ model: 'm', input: [{ type: 'reasoning', summary: [] }, { role: 'user', content: 'x' }] }).untranslatable).toBeNull();
  });
});

describe('responses history', () => {
  const stored = [
    { role: 'user' as const, content: 'weather?' },
    { role: 'assistant' as const, content: null, tool_calls: [{ id: 'call_1', type: 'function' as const, function: { name: 'weather', arguments: '{}' } }] },
  ];

  it('decodes a follow-up without history, then prepends the stored conversation after the new instructions', () => {
    const d = decode({ model: 'm', instructions: 'New rules.', previous_response_id: 'resp_1', input: [{ type: 'function_call_output', call_id: 'call_1', output: 'sunny' }] });
    expect(d.previousResponseId).toBe('resp_1');
    expect(d.canonical.messages).toEqual([{ role: 'system', content: 'New rules.' }, { role: 'tool', tool_call_id: 'call_1', content: 'sunny' }]);
    const next = withHistory(d, stored);
    expect(next.canonical.messages).toEqual([{ role: 'system', content: 'New rules.' }, ...stored, { role: 'tool', tool_call_id: 'call_1', content: 'sunny' }]);
    expect(next.responseId).toBe(d.responseId);
    expect(d.canonical.messages).toHaveLength(2); // the decoded request is not changed
  });

  it('refuses an output whose call the history does not hold either', () => {
    const d = decode({ model: 'm', previous_response_id: 'resp_1', input: [{ type: 'function_call_output', call_id: 'call_9', output: 'x' }] });
    expect(() => withHistory(d, stored)).toThrow(expect.objectContaining({ status: 400, param: 'input[0].call_id' }));
  });

  it('stores history, input and the answer, without the instructions', () => {
    const d = withHistory(decode({ model: 'm', instructions: 'Rules.', previous_response_id: 'resp_1', input: [{ type: 'function_call_output', call_id: 'call_1', output: 'sunny' }] }), stored);
    const completion: ChatCompletion = {
      id: 'c', object: 'chat.completion', created: 1, model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: 'It is sunny.' }, finish_reason: 'stop' }],
    };
    expect(conversationAfter(d, completion)).toEqual([...stored, { role: 'tool', tool_call_id: 'call_1', content: 'sunny' }, { role: 'assistant', content: 'It is sunny.' }]);
    const native = { object: 'response', output: [{ type: 'reasoning', id: 'rs', summary: [] }, { type: 'function_call', id: 'fc', call_id: 'call_2', name: 'f', arguments: '{}', status: 'completed' }] };
    expect(conversationAfterResponse(d, native).at(-1)).toEqual({ role: 'assistant', content: null, tool_calls: [{ id: 'call_2', type: 'function', function: { name: 'f', arguments: '{}' } }] });
  });
});
