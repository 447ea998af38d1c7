/**
 * The whole pipeline without sockets: a request in, an answer in a MemoryResponder, an Outcome
 * out; the in-memory provider is the upstream API.
 */
import { describe, expect, it } from 'vitest';
import { chatCompletions } from '../../src/endpoints/chat-completions.js';
import { MemoryResponder } from '../../src/pipeline/responder.js';
import { runPipeline } from '../../src/pipeline/run.js';
import { memoryGateway, requestOf } from './memory.js';

const body = (content: string, extra: Record<string, unknown> = {}) => Buffer.from(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...extra }));

async function run(gw: ReturnType<typeof memoryGateway>['gateway'], raw: Buffer, headers: Record<string, string> = {}) {
  const res = new MemoryResponder();
  const outcome = await runPipeline(gw, chatCompletions, requestOf(gw, chatCompletions.route, headers), res, () => Promise.resolve(raw));
  return { res, outcome };
}

describe('the pipeline', () => {
  it('answers a miss from the provider, then the same request from L1', async () => {
    const { gateway, provider } = memoryGateway();
    const first = await run(gateway, body('hello'));
    expect(first.res.status).toBe(200);
    expect(JSON.parse(first.res.body).choices[0].message.content).toBe('Echo: hello');
    expect(first.outcome).toMatchObject({ keyId: 'anonymous', model: 'gpt-4o-mini', provider: 'openai', cache: 'miss', usage: { total_tokens: 5 }, usageEstimated: false });
    const second = await run(gateway, body('hello'));
    expect(second.outcome.cache).toBe('hit-l1');
    expect(second.res.body).toBe(first.res.body);
    expect(provider.calls).toHaveLength(1);
  });

  it('streams, and answers a later JSON caller from the stored stream', async () => {
    const { gateway, provider } = memoryGateway();
    const streamed = await run(gateway, body('flow', { stream: true }));
    expect(streamed.res.headers['content-type']).toContain('text/event-stream');
    expect(streamed.res.body).toContain('Echo: flow');
    expect(streamed.outcome.firstByteAt).toEqual(expect.any(Number));
    const json = await run(gateway, body('flow'));
    expect(json.outcome.cache).toBe('hit-l1');
    expect(JSON.parse(json.res.body).choices[0].message.content).toBe('Echo: flow');
    expect(provider.calls).toHaveLength(1);
  });

  it('answers every refusal in the dialect\'s shape, with what was known in the outcome', async () => {
    const { gateway } = memoryGateway('auth:\n  keys:\n    - { id: tenant, key: sk-t }\n');
    const unauthorized = await run(gateway, body('x'));
    expect(unauthorized.res.status).toBe(401);
    expect(JSON.parse(unauthorized.res.body).error.type).toBe('authentication_error');
    const unknown = await run(gateway, Buffer.from(JSON.stringify({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })), { authorization: 'Bearer sk-t' });
    expect(unknown.res.status).toBe(404);
    expect(unknown.outcome).toMatchObject({ keyId: 'tenant', model: '' });
  });

  it('is a 502 in the outcome and the answer when every attempt fails', async () => {
    const { gateway, provider } = memoryGateway('resilience:\n  retry: { maxAttempts: 1 }\n');
    provider.script.push('fail');
    const failed = await run(gateway, body('down'));
    expect(failed.res.status).toBe(502);
    expect(failed.outcome).toMatchObject({ cache: 'miss', provider: '' });
  });
});
