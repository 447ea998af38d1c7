/**
 * The tokens-per-minute limit cannot be switched off by a request: fields a token estimate reads
 * are validated, so no estimate is NaN, and the limit holds both on Redis and on a replica's own
 * counters (Redis down).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, startHarness, type Harness } from '../harness.js';
import { startRedis, type RedisServer } from '../redis.js';
import { estimatePromptTokens, estimateRequestTokens } from '../../src/telemetry/tokens.js';
import type { ChatRequest } from '../../src/api/types.js';

const KEY = 'sk-tpm';
const config = (tokens: number) => `auth:\n  keys:\n    - { id: tpm, key: ${KEY}, limits: { tokensPerMinute: ${tokens} } }\n`;
const headers = { 'content-type': 'application/json', authorization: `Bearer ${KEY}` };
/** The message that made the estimate NaN: tool-call arguments that are a number. */
const poison = { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: 12 } }] };

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

describe.each([
  ['shared through Redis', () => ({ REDIS_URL: redis.url })],
  ['on the replica alone', () => ({})],
])('TPM %s', (_name, env) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: env(), configYaml: config(50) });
  });
  afterAll(() => h.stop());

  it('refuses a request whose estimate would be NaN, and the limit still holds after it', async () => {
    const bad = await rawRequest(h.gateway.url, '/v1/chat/completions', { body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }, poison] }), headers });
    expect(bad.status).toBe(400);
    expect(bad.json.error.param).toBe('messages[1].tool_calls[0].function.arguments');
    // 50 tokens a minute: a request that may use 40 fits once, the second is refused.
    const ask = () => rawRequest(h.gateway.url, '/v1/chat/completions', { body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 30, messages: [{ role: 'user', content: 'one two three' }] }), headers });
    const first = await ask();
    expect(first.status).toBe(200);
    expect(Number(first.headers.get('x-ratelimit-remaining-tokens'))).toBeGreaterThanOrEqual(0);
    const second = await ask();
    expect(second.status).toBe(429);
    expect(second.headers.get('x-ratelimit-remaining-tokens')).toMatch(/^\d+$/);
  });
});

describe('token estimates', () => {
  it('are finite whole numbers for any request shape, however malformed', () => {
    const shapes: unknown[] = [
      { model: 'm', messages: [poison] },
      { model: 'm', messages: [{ role: 'user', content: [null, { type: 'text', text: 5 }, { type: 'text' }] }] },
      { model: 'm', messages: [{ role: 'assistant', tool_calls: [null, {}, { function: null }] }], max_tokens: 'lots' },
      { model: 'm', messages: [{ role: 'user', content: 'x' }], max_completion_tokens: Number.NaN, tools: [{ f: () => 1 }] },
    ];
    for (const shape of shapes) {
      for (const estimate of [estimatePromptTokens(shape as ChatRequest), estimateRequestTokens(shape as ChatRequest)]) {
        expect(Number.isSafeInteger(estimate), JSON.stringify(shape)).toBe(true);
      }
    }
  });
});
