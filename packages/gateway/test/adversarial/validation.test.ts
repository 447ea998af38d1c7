/**
 * Caller mistakes deep inside a request: each is a 400 in the OpenAI shape that names the field,
 * for OpenAI models and for Claude (whose translator reads every one of these fields), streamed
 * or not, never a 500 and never counted as a 5xx (one tenant must not be able to page the
 * on-call through HighErrorRate).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue } from '../cache/metric-value.js';
import { rawRequest, startHarness, type Harness } from '../harness.js';

const KEY = 'sk-validation';
const headers = { 'content-type': 'application/json', authorization: `Bearer ${KEY}` };
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { LLM_EDGE_API_KEYS: KEY } });
});
afterAll(() => h.stop());

const user = { role: 'user', content: 'hi' };
type Case = [name: string, param: string, patch: Record<string, unknown>];
const cases: Case[] = [
  ['content [null]', 'messages[0].content[0]', { messages: [{ role: 'user', content: [null] }] }],
  ['a content part without a type', 'messages[0].content[0].type', { messages: [{ role: 'user', content: [{ text: 'x' }] }] }],
  ['a text part whose text is a number', 'messages[0].content[0].text', { messages: [{ role: 'user', content: [{ type: 'text', text: 5 }] }] }],
  ['an image part without image_url.url', 'messages[0].content[0].image_url.url', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] }],
  ['an image part without image_url', 'messages[0].content[0].image_url', { messages: [{ role: 'user', content: [{ type: 'image_url' }] }] }],
  ['tool_calls that is not an array', 'messages[1].tool_calls', { messages: [user, { role: 'assistant', tool_calls: { id: 'c' } }] }],
  ['a tool call without function', 'messages[1].tool_calls[0].function', { messages: [user, { role: 'assistant', tool_calls: [{ id: 'c', type: 'function' }] }] }],
  ['a tool call whose arguments are a number', 'messages[1].tool_calls[0].function.arguments', { messages: [user, { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: 7 } }] }] }],
  ['a tool call that is null', 'messages[1].tool_calls[0]', { messages: [user, { role: 'assistant', tool_calls: [null] }] }],
  ['a tool message without tool_call_id', 'messages[1].tool_call_id', { messages: [user, { role: 'tool', content: 'r' }] }],
  ['tool_choice function without a name', 'tool_choice.function', { tool_choice: { type: 'function' } }],
  ['tool_choice function with a numeric name', 'tool_choice.function.name', { tool_choice: { type: 'function', function: { name: 1 } } }],
  ['tool_choice an unknown string', 'tool_choice', { tool_choice: 'sometimes' }],
  ['a tool that is null', 'tools[0]', { tools: [null] }],
  ['a function tool without a name', 'tools[0].function.name', { tools: [{ type: 'function', function: {} }] }],
  ['tool parameters that are a string', 'tools[0].function.parameters', { tools: [{ type: 'function', function: { name: 'f', parameters: 'x' } }] }],
  ['response_format without a type', 'response_format.type', { response_format: {} }],
  ['json_schema without a schema object', 'response_format.json_schema', { response_format: { type: 'json_schema' } }],
  ['stream_options that is a string', 'stream_options', { stream_options: 'x' }],
  ['a seed that is not an integer', 'seed', { seed: 1.5 }],
  ['logit_bias with a string value', 'logit_bias.50256', { logit_bias: { '50256': 'x' } }],
  ['functions with a nameless entry', 'functions[0].name', { functions: [{}] }],
  ['a model name of 10 KB', 'model', { model: 'openai/' + 'm'.repeat(10_000) }],
];

describe.each(['gpt-4o-mini', 'claude-haiku-4-5'])('%s', (model) => {
  it.each(cases)('%s -> 400 naming %s', async (_name, param, patch) => {
    for (const stream of [false, true]) {
      const body = JSON.stringify({ model, messages: [user], ...patch, ...(stream ? { stream: true } : {}) });
      const res = await rawRequest(h.gateway.url, '/v1/chat/completions', { body, headers });
      expect(res.status, `stream: ${stream}`).toBe(400);
      expect(res.json.error).toMatchObject({ type: 'invalid_request_error', param });
      expect(res.json.error.message).not.toMatch(/\n\s+at /);
    }
  });
});

describe('what only the Claude translator cannot take', () => {
  it.each([
    ['a custom tool', { tools: [{ type: 'custom', custom: { name: 'grammar' } }] }, 'tools[0].type'],
    ['an allowed_tools tool_choice', { tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: { type: 'allowed_tools', allowed_tools: {} } }, 'tool_choice'],
    ['tool arguments that are not a JSON object', { messages: [user, { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '[1' } }] }, { role: 'tool', tool_call_id: 'c', content: 'r' }] }, 'messages'],
  ])('%s is a 400 for Claude', async (_name, patch, param) => {
    const res = await rawRequest(h.gateway.url, '/v1/chat/completions', { body: JSON.stringify({ model: 'claude-haiku-4-5', messages: [user], ...patch }), headers });
    expect(res.status).toBe(400);
    expect(res.json.error.param).toBe(param);
  });
});

describe('after all of the above', () => {
  it('counted no request as a 5xx and answers normally', async () => {
    const metrics = h.gateway.gateway.metrics;
    for (const status of ['500', '502', '503']) expect(await metricValue(metrics, 'llm_edge_requests_total', { status })).toBe(0);
    expect(h.logs.filter((l) => l.msg === 'internal error')).toEqual([]);
    const ok = await h.client(KEY).chat.completions.create({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'fine' }] });
    expect(ok.choices[0]?.message.content).toBe('Echo: fine');
  });

  it('gives Claude answers the nullable refusal OpenAI\'s schema requires', async () => {
    const res = await rawRequest(h.gateway.url, '/v1/chat/completions', { body: JSON.stringify({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'schema' }] }), headers });
    expect(res.status).toBe(200);
    expect(res.json.choices[0].message).toHaveProperty('refusal', null);
  });
});
