import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../http/errors.js';
import { countTokens, decodeCountTokens } from './count-tokens.js';
import { decode } from './decode.js';

const base = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };
const toolUse = { type: 'tool_use', id: 'toolu_1', name: 'search', input: { query: 'x' } };
const userTurn = (content: unknown) => ({ role: 'user', content });

/** The GatewayError decode throws for a body, or a failure naming the body that passed. */
function refusal(body: Record<string, unknown>): GatewayError {
  try {
    decode(body);
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error(`decode accepted ${JSON.stringify(body)}`);
}

describe('messages decode: validation', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['model missing', { max_tokens: 1, messages: base.messages }, 'model'],
    ['model empty', { ...base, model: '' }, 'model'],
    ['model not a string', { ...base, model: 7 }, 'model'],
    ['max_tokens missing', { model: 'm', messages: base.messages }, 'max_tokens'],
    ['max_tokens 0', { ...base, max_tokens: 0 }, 'max_tokens'],
    ['max_tokens fractional', { ...base, max_tokens: 1.5 }, 'max_tokens'],
    ['max_tokens a string', { ...base, max_tokens: '10' }, 'max_tokens'],
    ['messages missing', { model: 'm', max_tokens: 1 }, 'messages'],
    ['messages empty', { ...base, messages: [] }, 'messages'],
    ['messages an object', { ...base, messages: {} }, 'messages'],
    ['message not an object', { ...base, messages: ['hi'] }, 'messages[0]'],
    ['role system', { ...base, messages: [{ role: 'system', content: 'x' }] }, 'messages[0].role'],
    ['role tool', { ...base, messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].role'],
    ['content missing', { ...base, messages: [{ role: 'user' }] }, 'messages[0].content'],
    ['content a number', { ...base, messages: [userTurn(3)] }, 'messages[0].content'],
    ['content empty string', { ...base, messages: [userTurn('')] }, 'messages[0].content'],
    ['content empty array (not the final assistant)', { ...base, messages: [userTurn([])] }, 'messages[0].content'],
    ['block not an object', { ...base, messages: [userTurn(['hi'])] }, 'messages[0].content[0]'],
    ['block without type', { ...base, messages: [userTurn([{ text: 'hi' }])] }, 'messages[0].content[0].type'],
    ['text block without text', { ...base, messages: [userTurn([{ type: 'text' }])] }, 'messages[0].content[0].text'],
    ['text block text a number', { ...base, messages: [userTurn([{ type: 'text', text: 1 }])] }, 'messages[0].content[0].text'],
    ['image without source', { ...base, messages: [userTurn([{ type: 'image' }])] }, 'messages[0].content[0].source'],
    ['image source type unknown', { ...base, messages: [userTurn([{ type: 'image', source: { type: 'ftp' } }])] }, 'messages[0].content[0].source.type'],
    ['image base64 bad media type', { ...base, messages: [userTurn([{ type: 'image', source: { type: 'base64', media_type: 'image/bmp', data: 'AA' } }])] }, 'messages[0].content[0].source.media_type'],
    ['image base64 no data', { ...base, messages: [userTurn([{ type: 'image', source: { type: 'base64', media_type: 'image/png' } }])] }, 'messages[0].content[0].source.data'],
    ['image url no url', { ...base, messages: [userTurn([{ type: 'image', source: { type: 'url' } }])] }, 'messages[0].content[0].source.url'],
    ['tool_use in a user turn', { ...base, messages: [userTurn([toolUse])] }, 'messages[0].content[0].type'],
    ['tool_use without id', { ...base, messages: [userTurn('q'), { role: 'assistant', content: [{ ...toolUse, id: undefined }] }] }, 'messages[1].content[0].id'],
    ['tool_use without name', { ...base, messages: [userTurn('q'), { role: 'assistant', content: [{ ...toolUse, name: '' }] }] }, 'messages[1].content[0].name'],
    ['tool_use input an array', { ...base, messages: [userTurn('q'), { role: 'assistant', content: [{ ...toolUse, input: [] }] }] }, 'messages[1].content[0].input'],
    ['tool_result in an assistant turn', { ...base, messages: [userTurn('q'), { role: 'assistant', content: [{ type: 'tool_result', tool_use_id: 't' }] }] }, 'messages[1].content[0].type'],
    ['tool_result without tool_use_id', { ...base, messages: [userTurn('q'), { role: 'assistant', content: [toolUse] }, userTurn([{ type: 'tool_result', content: 'r' }])] }, 'messages[2].content[0].tool_use_id'],
    ['tool_result content a number', { ...base, messages: [userTurn([{ type: 'tool_result', tool_use_id: 't', content: 5 }])] }, 'messages[0].content[0].content'],
    ['tool_result inner text without text', { ...base, messages: [userTurn([{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text' }] }])] }, 'messages[0].content[0].content[0].text'],
    ['tool_result holding a tool_use', { ...base, messages: [userTurn([{ type: 'tool_result', tool_use_id: 't', content: [toolUse] }])] }, 'messages[0].content[0].content[0].type'],
    ['tool_result is_error a string', { ...base, messages: [userTurn([{ type: 'tool_result', tool_use_id: 't', is_error: 'yes' }])] }, 'messages[0].content[0].is_error'],
    ['thinking in a user turn', { ...base, messages: [userTurn([{ type: 'thinking', thinking: 'x', signature: 's' }])] }, 'messages[0].content[0].type'],
    ['thinking without signature', { ...base, messages: [userTurn('q'), { role: 'assistant', content: [{ type: 'thinking', thinking: 'x' }] }] }, 'messages[1].content[0].signature'],
    ['redacted_thinking without data', { ...base, messages: [userTurn('q'), { role: 'assistant', content: [{ type: 'redacted_thinking' }] }] }, 'messages[1].content[0].data'],
    ['document without source', { ...base, messages: [userTurn([{ type: 'document' }])] }, 'messages[0].content[0].source'],
    ['cache_control of another type', { ...base, messages: [userTurn([{ type: 'text', text: 'x', cache_control: { type: 'persistent' } }])] }, 'messages[0].content[0].cache_control.type'],
    ['cache_control bad ttl', { ...base, messages: [userTurn([{ type: 'text', text: 'x', cache_control: { type: 'ephemeral', ttl: '2h' } }])] }, 'messages[0].content[0].cache_control.ttl'],
    ['system a number', { ...base, system: 1 }, 'system'],
    ['system block not text', { ...base, system: [{ type: 'image' }] }, 'system[0].type'],
    ['system block without text', { ...base, system: [{ type: 'text' }] }, 'system[0].text'],
    ['system block bad cache_control', { ...base, system: [{ type: 'text', text: 'x', cache_control: 'ephemeral' }] }, 'system[0].cache_control'],
    ['tools an object', { ...base, tools: {} }, 'tools'],
    ['tool without name', { ...base, tools: [{ input_schema: {} }] }, 'tools[0].name'],
    ['tool without input_schema', { ...base, tools: [{ name: 'a' }] }, 'tools[0].input_schema'],
    ['custom tool input_schema a string', { ...base, tools: [{ type: 'custom', name: 'a', input_schema: 'x' }] }, 'tools[0].input_schema'],
    ['tool description a number', { ...base, tools: [{ name: 'a', description: 1, input_schema: {} }] }, 'tools[0].description'],
    ['tool_choice a string', { ...base, tool_choice: 'auto' }, 'tool_choice'],
    ['tool_choice type unknown', { ...base, tool_choice: { type: 'required' } }, 'tool_choice.type'],
    ['tool_choice tool without name', { ...base, tool_choice: { type: 'tool' } }, 'tool_choice.name'],
    ['tool_choice disable_parallel_tool_use a string', { ...base, tool_choice: { type: 'auto', disable_parallel_tool_use: 'yes' } }, 'tool_choice.disable_parallel_tool_use'],
    ['stop_sequences a string', { ...base, stop_sequences: 'END' }, 'stop_sequences'],
    ['stop_sequences holding a number', { ...base, stop_sequences: ['a', 1] }, 'stop_sequences'],
    ['temperature above 1', { ...base, temperature: 1.5 }, 'temperature'],
    ['temperature negative', { ...base, temperature: -0.1 }, 'temperature'],
    ['top_p above 1', { ...base, top_p: 2 }, 'top_p'],
    ['top_k fractional', { ...base, top_k: 1.5 }, 'top_k'],
    ['stream a string', { ...base, stream: 'true' }, 'stream'],
    ['metadata a string', { ...base, metadata: 'u' }, 'metadata'],
    ['metadata.user_id a number', { ...base, metadata: { user_id: 1 } }, 'metadata.user_id'],
    ['thinking a boolean', { ...base, thinking: true }, 'thinking'],
    ['thinking type unknown', { ...base, thinking: { type: 'on' } }, 'thinking.type'],
    ['thinking enabled without budget', { ...base, thinking: { type: 'enabled' } }, 'thinking.budget_tokens'],
    ['thinking budget below 1024', { ...base, thinking: { type: 'enabled', budget_tokens: 1000 } }, 'thinking.budget_tokens'],
  ];

  it.each(cases)('%s -> 400 naming %s', (_name, body, param) => {
    const err = refusal(body);
    expect(err.status).toBe(400);
    expect(err.type).toBe('invalid_request_error');
    expect(err.param).toBe(param);
  });

  it('accepts what the API accepts: a final empty assistant prefill, consecutive user turns, cache_control, thinking, unknown fields', () => {
    const decoded = decode({
      ...base,
      messages: [userTurn('a'), userTurn([{ type: 'text', text: 'b', cache_control: { type: 'ephemeral', ttl: '1h' } }]), { role: 'assistant', content: '' }],
      system: [{ type: 'text', text: 'sys', cache_control: { type: 'ephemeral' } }],
      thinking: { type: 'enabled', budget_tokens: 2048 },
      service_tier: 'auto',
    });
    expect(decoded.untranslatable).toBeUndefined();
    expect(decoded.body.service_tier).toBe('auto');
    expect(decoded.canonical).not.toHaveProperty('service_tier');
    expect(decoded.canonical).not.toHaveProperty('thinking');
    expect(decoded.canonical.messages.map((m) => m.role)).toEqual(['system', 'user', 'user']);
  });
});

describe('messages decode: translation to the canonical request', () => {
  it('translates a full tool-use conversation', () => {
    const decoded = decode({
      model: 'gpt-4o-mini',
      max_tokens: 256,
      stream: true,
      system: [{ type: 'text', text: 'Be brief.' }, { type: 'text', text: 'Use tools.', cache_control: { type: 'ephemeral' } }],
      messages: [
        userTurn([
          { type: 'text', text: 'What is in these?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0' } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } },
        ]),
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 'sig' },
            { type: 'text', text: 'Let me look.' },
            toolUse,
            { type: 'tool_use', id: 'toolu_2', name: 'weather', input: {} },
          ],
        },
        userTurn([
          { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'found' }, { type: 'image', source: { type: 'url', url: 'https://example.com/shot.png' } }] },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: 'no such city', is_error: true },
          { type: 'text', text: 'Thanks' },
        ]),
      ],
      tools: [
        { name: 'search', description: 'web search', input_schema: { type: 'object', properties: { query: { type: 'string' } } } },
        { name: 'weather', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      stop_sequences: ['END'],
      temperature: 0.5,
      top_p: 0.9,
      top_k: 5,
      metadata: { user_id: 'u-1' },
    });
    expect(decoded.model).toBe('gpt-4o-mini');
    expect(decoded.stream).toBe(true);
    expect(decoded.includeUsage).toBe(true);
    expect(decoded.untranslatable).toBeUndefined();
    expect(decoded.canonical).toEqual({
      model: 'gpt-4o-mini',
      max_tokens: 256,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.5,
      top_p: 0.9,
      stop: ['END'],
      user: 'u-1',
      messages: [
        { role: 'system', content: 'Be brief.\nUse tools.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in these?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0' } },
            { type: 'image_url', image_url: { url: 'https://example.com/a.jpg' } },
          ],
        },
        {
          role: 'assistant',
          content: 'Let me look.',
          tool_calls: [
            { id: 'toolu_1', type: 'function', function: { name: 'search', arguments: '{"query":"x"}' } },
            { id: 'toolu_2', type: 'function', function: { name: 'weather', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: 'found' },
        { role: 'tool', tool_call_id: 'toolu_2', content: 'Error: no such city' },
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/shot.png' } }, { type: 'text', text: 'Thanks' }] },
      ],
      tools: [
        { type: 'function', function: { name: 'search', description: 'web search', parameters: { type: 'object', properties: { query: { type: 'string' } } } } },
        { type: 'function', function: { name: 'weather', parameters: { type: 'object' } } },
      ],
      tool_choice: 'required',
      parallel_tool_calls: false,
    });
  });

  it('maps tool_choice tool, none and auto; drops tool_choice without tools', () => {
    const tools = [{ name: 'search', input_schema: { type: 'object' } }];
    expect(decode({ ...base, tools, tool_choice: { type: 'tool', name: 'search' } }).canonical.tool_choice).toEqual({ type: 'function', function: { name: 'search' } });
    expect(decode({ ...base, tools, tool_choice: { type: 'none' } }).canonical.tool_choice).toBe('none');
    expect(decode({ ...base, tools, tool_choice: { type: 'auto' } }).canonical.tool_choice).toBe('auto');
    const noTools = decode({ ...base, tool_choice: { type: 'none' } }).canonical;
    expect(noTools).not.toHaveProperty('tool_choice');
    expect(noTools).not.toHaveProperty('tools');
  });

  it('a string system prompt and string turns stay strings; a JSON caller gets no stream fields', () => {
    const { canonical, stream } = decode({ ...base, system: 'sys', messages: [userTurn('q'), { role: 'assistant', content: 'a' }, userTurn('r')] });
    expect(stream).toBe(false);
    expect(canonical.messages).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'a' },
      { role: 'user', content: 'r' },
    ]);
    expect(canonical).not.toHaveProperty('stream');
    expect(canonical).not.toHaveProperty('stream_options');
  });

  it('translates text documents and base64 PDFs; an assistant turn of tool calls only has null content', () => {
    const { canonical } = decode({
      ...base,
      messages: [
        userTurn([
          { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'the doc' } },
          { type: 'document', title: 'a.pdf', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBE' } },
        ]),
        { role: 'assistant', content: [toolUse] },
        userTurn([{ type: 'tool_result', tool_use_id: 'toolu_1' }]),
      ],
    });
    expect(canonical.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'the doc' },
        { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBE' } },
      ],
    });
    expect(canonical.messages[1]).toMatchObject({ role: 'assistant', content: null });
    expect(canonical.messages[2]).toEqual({ role: 'tool', tool_call_id: 'toolu_1', content: '' });
  });

  it('records what only a native provider takes (server tools, unknown blocks) instead of failing the decode', () => {
    const server = decode({ ...base, tools: [{ name: 'search', input_schema: {} }, { type: 'web_search_20250305', name: 'web_search', max_uses: 3 }] });
    expect(server.untranslatable?.status).toBe(400);
    expect(server.untranslatable?.param).toBe('tools[1].type');
    expect(server.canonical.tools).toHaveLength(1);
    const block = decode({ ...base, messages: [userTurn([{ type: 'search_result', source: 'x', title: 't', content: [] }])] });
    expect(block.untranslatable?.param).toBe('messages[0].content[0].type');
    const file = decode({ ...base, messages: [userTurn([{ type: 'image', source: { type: 'file', file_id: 'file_1' } }])] });
    expect(file.untranslatable?.param).toBe('messages[0].content[0].source.type');
    expect(decode(base).untranslatable).toBeUndefined();
  });
});

describe('messages count_tokens', () => {
  it('needs no max_tokens and estimates the canonical prompt', () => {
    const short = countTokens({ model: 'gpt-4o-mini', messages: [userTurn('hi')] });
    const long = countTokens({ model: 'gpt-4o-mini', system: 'x'.repeat(400), messages: [userTurn('hi')] });
    expect(short.input_tokens).toBeGreaterThan(0);
    expect(long.input_tokens - short.input_tokens).toBeGreaterThanOrEqual(100);
  });

  it('decodes for routing and a native call: the model and the body as sent', () => {
    const raw = { model: 'claude-sonnet-4-5', messages: [userTurn('hi')], tools: [{ type: 'web_search_20250305', name: 'web_search' }] };
    const decoded = decodeCountTokens(raw);
    expect(decoded.model).toBe('claude-sonnet-4-5');
    expect(decoded.body).toBe(raw);
    expect(decoded.canonical.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('validates like decode', () => {
    expect(() => countTokens({ model: 'm', messages: [] })).toThrow(GatewayError);
    try {
      countTokens({ model: 'm', messages: [userTurn([{ type: 'tool_result' }])] });
      expect.unreachable();
    } catch (err) {
      expect((err as GatewayError).param).toBe('messages[0].content[0].tool_use_id');
    }
  });
});
