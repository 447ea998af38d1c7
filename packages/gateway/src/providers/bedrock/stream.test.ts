import { ProviderErrorReason } from '@llm-edge/semconv';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../upstream-error.js';
import { EventStreamMessages, type StreamMessage } from './event-stream.js';
import { ConverseStreamTranslator } from './stream.js';

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const frame = (type: string, payload: unknown, kind = 'event') =>
  Buffer.from(
    codec.encode({
      headers: {
        [kind === 'exception' ? ':exception-type' : ':event-type']: { type: 'string', value: type },
        ':message-type': { type: 'string', value: kind },
        ':content-type': { type: 'string', value: 'application/json' },
      },
      body: fromUtf8(JSON.stringify(payload)),
    }),
  );
const event = (type: string, payload: unknown): StreamMessage => ({ headers: { ':event-type': type, ':message-type': 'event' }, payload: JSON.stringify(payload) });

describe('EventStreamMessages', () => {
  it('decodes messages split across reads at any byte', () => {
    const bytes = Buffer.concat([frame('messageStart', { role: 'assistant' }), frame('contentBlockDelta', { delta: { text: 'hé' } })]);
    for (const cut of [1, 3, 4, 11, 40, bytes.length - 1]) {
      const messages = new EventStreamMessages('bedrock');
      const out = [...messages.push(bytes.subarray(0, cut)), ...messages.push(bytes.subarray(cut))];
      expect(out.map((m) => m.headers[':event-type']), `cut at ${cut}`).toEqual(['messageStart', 'contentBlockDelta']);
      expect(JSON.parse(out[1]!.payload).delta.text).toBe('hé');
    }
  });

  it('refuses a frame whose checksum does not match', () => {
    const bad = frame('messageStart', { role: 'assistant' });
    bad[bad.length - 6] ^= 0xff;
    expect(() => new EventStreamMessages('bedrock').push(bad)).toThrow(UpstreamError);
    const tiny = Buffer.alloc(8);
    tiny.writeUInt32BE(3, 0);
    expect(() => new EventStreamMessages('bedrock').push(tiny)).toThrow(/corrupt/);
  });
});

describe('ConverseStreamTranslator', () => {
  it('maps text deltas, the stop reason and ends with a usage-only chunk after messageStop + metadata', () => {
    const t = new ConverseStreamTranslator('bedrock', 'chatcmpl-1', 'amazon.nova-lite-v1:0', undefined);
    const out = [
      event('messageStart', { role: 'assistant' }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Echo: ' } }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'hi' } }),
      event('contentBlockStop', { contentBlockIndex: 0 }),
      event('messageStop', { stopReason: 'max_tokens' }),
    ].flatMap((m) => t.translate(m));
    expect(t.done).toBe(false);
    expect(out.map((e) => e.chunk!.choices[0]!.delta)).toEqual([{ role: 'assistant', content: '' }, { content: 'Echo: ' }, { content: 'hi' }, {}]);
    expect(out.at(-1)!.chunk!.choices[0]!.finish_reason).toBe('length');
    const last = t.translate(event('metadata', { usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 }, metrics: { latencyMs: 1 } }));
    expect(t.done).toBe(true);
    expect(last).toHaveLength(1);
    expect(last[0]).toMatchObject({ usageOnly: true, usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } });
    expect(JSON.parse(last[0]!.payload).choices).toEqual([]);
  });

  it('metadata before messageStop does not end the stream', () => {
    const t = new ConverseStreamTranslator('bedrock', 'id', 'm', undefined);
    t.translate(event('metadata', { usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } }));
    expect(t.done).toBe(false);
  });

  it('opens tool calls with id and name and streams their arguments', () => {
    const t = new ConverseStreamTranslator('bedrock', 'id', 'm', undefined);
    const out = [
      event('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tu_1', name: 'search' } } }),
      event('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{"q":' } } }),
      event('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '"x"}' } } }),
      event('messageStop', { stopReason: 'tool_use' }),
    ].flatMap((m) => t.translate(m));
    expect(out.map((e) => e.chunk!.choices[0]!.delta)).toEqual([
      { tool_calls: [{ index: 0, id: 'tu_1', type: 'function', function: { name: 'search', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"q":' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] },
      {},
    ]);
    expect(out.at(-1)!.chunk!.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('streams the forced answer tool as content, finishing with stop', () => {
    const t = new ConverseStreamTranslator('bedrock', 'id', 'm', 'city');
    const out = [
      event('contentBlockStart', { contentBlockIndex: 0, start: { toolUse: { toolUseId: 'tu', name: 'city' } } }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: '{"city":"Paris"}' } } }),
      event('messageStop', { stopReason: 'tool_use' }),
    ].flatMap((m) => t.translate(m));
    expect(out.map((e) => e.chunk!.choices[0]!.delta)).toEqual([{ content: '{"city":"Paris"}' }, {}]);
    expect(out.at(-1)!.chunk!.choices[0]!.finish_reason).toBe('stop');
  });

  it('raises exception messages as UpstreamErrors', () => {
    const t = new ConverseStreamTranslator('bedrock', 'id', 'm', undefined);
    const [msg] = new EventStreamMessages('bedrock').push(frame('throttlingException', { message: 'slow down' }, 'exception'));
    expect(() => t.translate(msg!)).toThrow(expect.objectContaining({ reason: ProviderErrorReason.rateLimited }));
    const [broken] = new EventStreamMessages('bedrock').push(frame('modelStreamErrorException', { message: 'failed' }, 'exception'));
    expect(() => t.translate(broken!)).toThrow(expect.objectContaining({ reason: ProviderErrorReason.streamBroken, message: 'ModelStreamErrorException: failed' }));
  });
});
