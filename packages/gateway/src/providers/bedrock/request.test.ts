import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../http/errors.js';
import { toConverseRequest } from './request.js';

const search = { type: 'function' as const, function: { name: 'search', description: 'web search', parameters: { type: 'object', properties: { query: { type: 'string' } } } } };

describe('toConverseRequest', () => {
  it('moves system prompts to system blocks and merges consecutive turns of one role', () => {
    const { body } = toConverseRequest({
      model: 'amazon.nova-lite-v1:0',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'developer', content: [{ type: 'text', text: 'and kind' }] },
        { role: 'user', content: 'a' },
        { role: 'user', content: [{ type: 'text', text: 'b' }] },
        { role: 'assistant', content: 'c' },
      ],
    });
    expect(body).toEqual({
      system: [{ text: 'be brief' }, { text: 'and kind' }],
      messages: [
        { role: 'user', content: [{ text: 'a' }, { text: 'b' }] },
        { role: 'assistant', content: [{ text: 'c' }] },
      ],
    });
  });

  it('sends data: URL images as bytes and refuses remote URLs', () => {
    const { body } = toConverseRequest({
      model: 'amazon.nova-pro-v1:0',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'what' }, { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,AAAA' } }] }],
    });
    expect((body.messages as any)[0].content[1]).toEqual({ image: { format: 'jpeg', source: { bytes: 'AAAA' } } });
    expect(() =>
      toConverseRequest({ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] }),
    ).toThrow(GatewayError);
  });

  it('turns tool calls into toolUse and tool results into user toolResult blocks (status for Claude only)', () => {
    const messages = [
      { role: 'user' as const, content: 'weather?' },
      { role: 'assistant' as const, content: null, tool_calls: [{ id: 'call_1', type: 'function' as const, function: { name: 'search', arguments: '{"query":"weather"}' } }, { id: 'call_2', type: 'function' as const, function: { name: 'search', arguments: '{"query":"rain"}' } }] },
      { role: 'tool' as const, tool_call_id: 'call_1', content: 'sunny' },
      { role: 'tool' as const, tool_call_id: 'call_2', content: 'dry' },
    ];
    const claude = toConverseRequest({ model: 'anthropic.claude-3-5-haiku-20241022-v1:0', messages, tools: [search] }).body as any;
    expect(claude.messages).toEqual([
      { role: 'user', content: [{ text: 'weather?' }] },
      { role: 'assistant', content: [{ toolUse: { toolUseId: 'call_1', name: 'search', input: { query: 'weather' } } }, { toolUse: { toolUseId: 'call_2', name: 'search', input: { query: 'rain' } } }] },
      {
        role: 'user',
        content: [
          { toolResult: { toolUseId: 'call_1', content: [{ text: 'sunny' }], status: 'success' } },
          { toolResult: { toolUseId: 'call_2', content: [{ text: 'dry' }], status: 'success' } },
        ],
      },
    ]);
    const nova = toConverseRequest({ model: 'amazon.nova-lite-v1:0', messages, tools: [search] }).body as any;
    expect(nova.messages[2].content[0].toolResult.status).toBeUndefined();
    expect(() => toConverseRequest({ model: 'm', messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '[1]' } }] }] })).toThrow(/JSON object/);
  });

  it('maps sampling to inferenceConfig, clamping temperature to 0..1', () => {
    const { body } = toConverseRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 10, max_completion_tokens: 20, temperature: 1.7, top_p: 0.5, stop: 'END' });
    expect(body.inferenceConfig).toEqual({ maxTokens: 20, temperature: 1, topP: 0.5, stopSequences: ['END'] });
    expect(toConverseRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).body.inferenceConfig).toBeUndefined();
  });

  it('maps tools and tool_choice; none omits them unless the history used tools', () => {
    const msgs = [{ role: 'user' as const, content: 'x' }];
    const spec = { toolSpec: { name: 'search', description: 'web search', inputSchema: { json: search.function.parameters } } };
    expect(toConverseRequest({ model: 'm', messages: msgs, tools: [search] }).body.toolConfig).toEqual({ tools: [spec] });
    expect(toConverseRequest({ model: 'm', messages: msgs, tools: [search], tool_choice: 'auto' }).body.toolConfig).toEqual({ tools: [spec], toolChoice: { auto: {} } });
    expect(toConverseRequest({ model: 'm', messages: msgs, tools: [search], tool_choice: 'required' }).body.toolConfig).toEqual({ tools: [spec], toolChoice: { any: {} } });
    expect(toConverseRequest({ model: 'm', messages: msgs, tools: [search], tool_choice: { type: 'function', function: { name: 'search' } } }).body.toolConfig).toEqual({
      tools: [spec],
      toolChoice: { tool: { name: 'search' } },
    });
    expect(toConverseRequest({ model: 'm', messages: msgs, tools: [search], tool_choice: 'none' }).body.toolConfig).toBeUndefined();
    const history = [
      { role: 'user' as const, content: 'x' },
      { role: 'assistant' as const, tool_calls: [{ id: 'c1', type: 'function' as const, function: { name: 'lookup', arguments: '{}' } }] },
      { role: 'tool' as const, tool_call_id: 'c1', content: 'r' },
    ];
    expect(toConverseRequest({ model: 'm', messages: history }).body.toolConfig).toEqual({ tools: [{ toolSpec: { name: 'lookup', inputSchema: { json: { type: 'object', properties: {} } } } }] });
  });

  it('answers a json_schema response_format through a forced tool', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const call = toConverseRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_schema', json_schema: { name: 'city info', schema } } });
    expect(call.answerTool).toBe('city_info');
    expect(call.body.toolConfig).toEqual({
      tools: [{ toolSpec: { name: 'city_info', description: 'Answer with JSON matching this schema.', inputSchema: { json: schema } } }],
      toolChoice: { tool: { name: 'city_info' } },
    });
    expect(toConverseRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_object' } }).answerTool).toBe('json_object');
    expect(toConverseRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'text' } }).answerTool).toBeUndefined();
    expect(() => toConverseRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [search], response_format: { type: 'json_schema', json_schema: { name: 'a', schema } } })).toThrow(/cannot be combined/);
  });

  it("refuses n > 1 and non-function tools", () => {
    expect(() => toConverseRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], n: 2 })).toThrow(/'n' must be 1/);
    expect(() => toConverseRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'custom' } as any] })).toThrow(/function tools only/);
  });
});
