// The Gemini translation without sockets: requests (turn merging, tool results named after their
// calls, refusals of what Gemini cannot take), JSON answers and the stream translator's end rule.
import { ProviderErrorReason } from '@llm-edge/semconv';
import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../api/types.js';
import { GatewayError } from '../../http/errors.js';
import type { StreamEvent } from '../types.js';
import { UpstreamError } from '../upstream-error.js';
import { googleFailure, retryInfoDelay } from './errors.js';
import { toGeminiRequest } from './request.js';
import { finishReason, toChatCompletion, toUsage } from './response.js';
import { GeminiStreamTranslator } from './stream.js';
import { newToolCallId, splitToolCallId } from './tool-ids.js';

const call = (id: string, name: string, args = '{}') => ({ id, type: 'function' as const, function: { name, arguments: args } });

function refusal(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return err as GatewayError;
  }
  throw new Error('expected a refusal');
}

describe('toGeminiRequest', () => {
  it('merges parallel tool results into one user turn, each named after its call, and keeps developer messages as system', () => {
    const body = toGeminiRequest({
      model: 'gemini-2.5-flash',
      n: 2,
      messages: [
        { role: 'developer', content: 'Rule one.' },
        { role: 'system', content: [{ type: 'text', text: 'Rule two.' }] },
        { role: 'user', content: 'weather and time' },
        { role: 'assistant', content: 'Checking.', tool_calls: [call('call_a', 'weather', '{"city":"Oslo"}'), call('call_b', 'clock')] },
        { role: 'tool', tool_call_id: 'call_b', content: 'noon' },
        { role: 'tool', tool_call_id: 'call_a', content: [{ type: 'text', text: 'rain' }] },
        { role: 'user', content: 'thanks' },
      ],
    } as ChatRequest);
    expect(body).toEqual({
      systemInstruction: { parts: [{ text: 'Rule one.\n\nRule two.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'weather and time' }] },
        { role: 'model', parts: [{ text: 'Checking.' }, { functionCall: { name: 'weather', args: { city: 'Oslo' } } }, { functionCall: { name: 'clock', args: {} } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'clock', response: { output: 'noon' } } }, { functionResponse: { name: 'weather', response: { output: 'rain' } } }, { text: 'thanks' }] },
      ],
      generationConfig: { candidateCount: 2 },
    });
  });

  it('sends a thought signature back from the tool call id, and the skip value to Gemini 3 for a call made elsewhere', () => {
    const signed = newToolCallId(undefined, 'c2lnbmF0dXJl');
    expect(splitToolCallId(signed)).toEqual({ base: expect.stringMatching(/^call_[0-9a-f]{24}$/), signature: 'c2lnbmF0dXJl' });
    const messages = (id: string) => [{ role: 'user' as const, content: 'q' }, { role: 'assistant' as const, content: null, tool_calls: [call(id, 'f')] }, { role: 'tool' as const, tool_call_id: id, content: 'r' }];
    const parts = (model: string, id: string) => (toGeminiRequest({ model, messages: messages(id) }).contents as Array<{ parts: unknown[] }>)[1]!.parts;
    expect(parts('gemini-2.5-flash', signed)).toEqual([{ functionCall: { name: 'f', args: {} }, thoughtSignature: 'c2lnbmF0dXJl' }]);
    expect(parts('gemini-3-pro-preview', 'call_x')).toEqual([{ functionCall: { name: 'f', args: {} }, thoughtSignature: 'skip_thought_signature_validator' }]);
    expect(parts('gemini-2.5-flash', 'call_x')).toEqual([{ functionCall: { name: 'f', args: {} } }]);
  });

  it('maps audio and file parts inline, and refuses what Gemini cannot take', () => {
    const body = toGeminiRequest({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }, { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=' } }] }],
    } as ChatRequest);
    expect((body.contents as Array<{ parts: unknown[] }>)[0]!.parts).toEqual([{ inlineData: { mimeType: 'audio/wav', data: 'AAAA' } }, { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } }]);
    const base = { model: 'gemini-2.5-flash' };
    expect(refusal(() => toGeminiRequest({ ...base, messages: [{ role: 'tool', tool_call_id: 'nowhere', content: 'x' }] })).param).toBe('messages[0].tool_call_id');
    expect(refusal(() => toGeminiRequest({ ...base, messages: [{ role: 'assistant', tool_calls: [call('c', 'f', '[1]')] }] })).code).toBe('invalid_tool_arguments');
    expect(refusal(() => toGeminiRequest({ ...base, messages: [{ role: 'system', content: 'only a system prompt' }] })).param).toBe('messages');
    expect(refusal(() => toGeminiRequest({ ...base, messages: [{ role: 'user', content: 'x' }], response_format: { type: 'grammar' } })).param).toBe('response_format.type');
    expect(refusal(() => toGeminiRequest({ ...base, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x/y.png' } }] }] })).status).toBe(400);
    expect(refusal(() => toGeminiRequest({ ...base, messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'custom' } as never] })).param).toBe('tools[0].type');
  });

  it('drops tool_choice without tools and maps none, auto', () => {
    const tools = [{ type: 'function' as const, function: { name: 'f' } }];
    expect(toGeminiRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], tool_choice: 'none' }).toolConfig).toBeUndefined();
    expect(toGeminiRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools, tool_choice: 'none' }).toolConfig).toEqual({ functionCallingConfig: { mode: 'NONE' } });
    expect(toGeminiRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools, tool_choice: 'auto' })).toMatchObject({ tools: [{ functionDeclarations: [{ name: 'f' }] }], toolConfig: { functionCallingConfig: { mode: 'AUTO' } } });
  });
});

describe('Gemini answers', () => {
  it('maps finish reasons and usage', () => {
    expect([finishReason('STOP', false), finishReason('STOP', true), finishReason('MAX_TOKENS', true), finishReason('RECITATION', false), finishReason('MALFORMED_FUNCTION_CALL', false), finishReason(undefined, false)]).toEqual(['stop', 'tool_calls', 'length', 'content_filter', 'stop', null]);
    expect(toUsage({ promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 })).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    expect(toUsage({ promptTokenCount: 'ten' })).toBeUndefined();
    expect(toUsage({ promptTokenCount: 10, thoughtsTokenCount: 2 })).toEqual({ prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, completion_tokens_details: { reasoning_tokens: 2 } });
  });

  it('turns every candidate into a choice, function calls into tool_calls with made-up ids', () => {
    const completion = toChatCompletion({
      candidates: [
        { index: 0, finishReason: 'STOP', content: { role: 'model', parts: [{ functionCall: { name: 'f', args: { a: 1 } }, thoughtSignature: 'sig' }] } },
        { index: 1, finishReason: 'STOP', content: { role: 'model', parts: [{ text: 'plain' }] } },
      ],
    }, 'gemini-x', 1);
    expect(completion.model).toBe('gemini-x');
    expect(completion.choices.map((c) => c.finish_reason)).toEqual(['tool_calls', 'stop']);
    const toolCall = completion.choices[0]!.message.tool_calls![0]!;
    expect(toolCall.function).toEqual({ name: 'f', arguments: '{"a":1}' });
    expect(splitToolCallId(toolCall.id).signature).toBe('sig');
    expect(completion.choices[0]!.message.content).toBeNull();
    expect(completion.choices[1]!.message.content).toBe('plain');
  });
});

describe('GeminiStreamTranslator', () => {
  const event = (v: unknown) => ({ event: undefined, data: JSON.stringify(v) });
  const payloads = (events: StreamEvent[]) => events.map((e) => JSON.parse(e.payload));

  it('is complete at the body end only when every candidate finished, then sends the usage chunk', () => {
    const t = new GeminiStreamTranslator('gemini', 'gemini-2.5-flash');
    const first = payloads(t.decode(event({ responseId: 'r1', candidates: [{ index: 0, content: { parts: [{ text: 'Hi' }] } }, { index: 1, content: { parts: [{ text: 'Yo' }] } }], usageMetadata: { promptTokenCount: 3, totalTokenCount: 3 } })));
    expect(first.map((c) => [c.id, c.choices[0].index, c.choices[0].delta])).toEqual([
      ['chatcmpl-r1', 0, { role: 'assistant', content: '' }], ['chatcmpl-r1', 0, { content: 'Hi' }],
      ['chatcmpl-r1', 1, { role: 'assistant', content: '' }], ['chatcmpl-r1', 1, { content: 'Yo' }],
    ]);
    t.decode(event({ candidates: [{ index: 0, finishReason: 'STOP', content: { parts: [{ text: '' }] } }] }));
    expect(t.end()).toBeUndefined(); // candidate 1 never finished: a broken stream
    t.decode(event({ candidates: [{ index: 1, finishReason: 'MAX_TOKENS' }], usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 4, totalTokenCount: 7 } }));
    const last = t.end()!;
    expect(last).toHaveLength(1);
    expect(last[0]).toMatchObject({ usageOnly: true, usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } });
  });

  it('sends a function call whole as one tool-call delta and finishes with tool_calls', () => {
    const t = new GeminiStreamTranslator('gemini', 'm');
    const out = payloads(t.decode(event({ candidates: [{ content: { parts: [{ functionCall: { name: 'f', args: { q: 'x' } } }, { functionCall: { name: 'g' } }] }, finishReason: 'STOP' }] })));
    expect(out.map((c) => c.choices[0].delta.tool_calls?.[0]?.index ?? c.choices[0].finish_reason ?? 'role')).toEqual(['role', 0, 1, 'tool_calls']);
    expect(out[1].choices[0].delta.tool_calls[0]).toMatchObject({ type: 'function', function: { name: 'f', arguments: '{"q":"x"}' } });
    expect(t.end()).toEqual([]); // no usage reported: complete, nothing more to send
  });

  it('throws a stream error for an error event and malformed JSON, and ends a blocked prompt with content_filter', () => {
    const t = new GeminiStreamTranslator('gemini', 'm');
    const err = (() => {
      try {
        t.decode(event({ error: { code: 503, message: 'overloaded', status: 'UNAVAILABLE' } }));
      } catch (e) {
        return e as UpstreamError;
      }
    })();
    expect(err).toBeInstanceOf(UpstreamError);
    expect([err!.reason, err!.message]).toEqual([ProviderErrorReason.streamBroken, 'UNAVAILABLE: overloaded']);
    expect(() => t.decode({ event: undefined, data: '{"candidates": [' })).toThrow(UpstreamError);
    const blocked = new GeminiStreamTranslator('gemini', 'm');
    expect(payloads(blocked.decode(event({ promptFeedback: { blockReason: 'SAFETY' } }))).at(-1).choices[0].finish_reason).toBe('content_filter');
    expect(blocked.end()).toEqual([]);
  });
});

describe('Google errors', () => {
  it('reads RetryInfo delays and classifies statuses', () => {
    expect(retryInfoDelay([{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.5s' }])).toBe(1.5);
    expect(retryInfoDelay([{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: { seconds: 3, nanos: 500_000_000 } }])).toBe(3.5);
    const body = (code: number, status: string, details?: unknown[]) => Buffer.from(JSON.stringify({ error: { code, message: 'm', status, details } }));
    expect(googleFailure('g', 429, { 'retry-after': '4' }, body(429, 'RESOURCE_EXHAUSTED')).retryAfter).toBe(4);
    expect(googleFailure('g', 503, {}, body(503, 'UNAVAILABLE')).retryable).toBe(true);
    expect(googleFailure('g', 400, {}, body(400, 'FAILED_PRECONDITION')).toGatewayError()).toMatchObject({ status: 400, code: 'FAILED_PRECONDITION', message: 'm' });
    expect(googleFailure('g', 403, {}, body(403, 'PERMISSION_DENIED')).toGatewayError()).toMatchObject({ status: 502, code: 'upstream_auth' });
    expect(googleFailure('g', 404, {}, body(404, 'NOT_FOUND')).toGatewayError()).toMatchObject({ status: 404, type: 'not_found_error' });
    expect(googleFailure('g', 502, {}, Buffer.from('<html>bad gateway</html>')).retryable).toBe(true);
  });
});
