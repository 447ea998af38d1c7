import { ProviderErrorReason } from '@llm-edge/semconv';
import { describe, expect, it } from 'vitest';
import { bedrockFailure, readError, streamException } from './errors.js';
import { finishReason, isConverseAnswer, toChatCompletion, toUsage } from './response.js';

describe('Converse answers', () => {
  it('joins text, turns toolUse into tool_calls and maps stop reasons', () => {
    const completion = toChatCompletion(
      {
        output: { message: { role: 'assistant', content: [{ text: 'let me ' }, { text: 'look' }, { toolUse: { toolUseId: 'tu_1', name: 'search', input: { q: 'x' } } }] } },
        stopReason: 'tool_use',
        usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
      },
      'chatcmpl-1',
      'amazon.nova-lite-v1:0',
      undefined,
      1700000000,
    );
    expect(completion).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1700000000,
      model: 'amazon.nova-lite-v1:0',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'let me look', refusal: null, tool_calls: [{ id: 'tu_1', type: 'function', function: { name: 'search', arguments: '{"q":"x"}' } }] },
          finish_reason: 'tool_calls',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    });
  });

  it('returns the forced answer tool as content with finish_reason stop and no tool_calls', () => {
    const completion = toChatCompletion(
      { output: { message: { role: 'assistant', content: [{ toolUse: { toolUseId: 't', name: 'city', input: { city: 'Paris' } } }] } }, stopReason: 'tool_use' },
      'id',
      'm',
      'city',
    );
    expect(completion.choices[0]!.message).toEqual({ role: 'assistant', content: '{"city":"Paris"}', refusal: null });
    expect(completion.choices[0]!.finish_reason).toBe('stop');
  });

  it('maps every stop reason', () => {
    expect(['end_turn', 'stop_sequence', 'max_tokens', 'tool_use', 'guardrail_intervened', 'content_filtered', undefined].map((r) => finishReason(r))).toEqual([
      'stop', 'stop', 'length', 'tool_calls', 'content_filter', 'content_filter', 'stop',
    ]);
  });

  it('counts cache reads and writes into the prompt and keeps totalTokens as reported', () => {
    expect(toUsage({ inputTokens: 4, outputTokens: 2, totalTokens: 36, cacheReadInputTokens: 20, cacheWriteInputTokens: 10 })).toEqual({
      prompt_tokens: 34,
      completion_tokens: 2,
      total_tokens: 36,
      prompt_tokens_details: { cached_tokens: 20 },
    });
    expect(toUsage({ inputTokens: 1.5, outputTokens: 2 })).toBeUndefined();
    expect(toUsage(undefined)).toBeUndefined();
  });

  it('recognises a whole answer only', () => {
    expect(isConverseAnswer({ output: { message: { role: 'assistant', content: [] } } })).toBe(true);
    expect(isConverseAnswer({ message: 'boom' })).toBe(false);
    expect(isConverseAnswer({ output: {} })).toBe(false);
  });
});

describe('Bedrock errors', () => {
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));

  it('reads the type from x-amzn-errortype, else __type or code', () => {
    expect(readError({ 'x-amzn-errortype': 'ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/' }, json({ message: 'bad' }))).toEqual({ type: 'ValidationException', message: 'bad' });
    expect(readError({}, json({ __type: 'com.amazon.coral.availability#ThrottlingException', message: 'slow' })).type).toBe('ThrottlingException');
    expect(readError({}, json({ code: 'ModelNotReadyException' })).type).toBe('ModelNotReadyException');
    expect(readError({}, Buffer.from('<html>'))).toEqual({ type: '', message: undefined });
  });

  it('ThrottlingException is a retryable 429 with retry-after', () => {
    const err = bedrockFailure('bedrock', 429, { 'x-amzn-errortype': 'ThrottlingException', 'retry-after': '3' }, json({ message: 'Too many requests' }));
    expect(err.reason).toBe(ProviderErrorReason.rateLimited);
    expect(err.retryable).toBe(true);
    expect(err.toGatewayError().status).toBe(429);
    expect(err.toGatewayError().headers['retry-after']).toBe('3');
  });

  it('the service failing is a retryable server error, ModelNotReadyException (429) included', () => {
    for (const [status, type] of [[503, 'ServiceUnavailableException'], [500, 'InternalServerException'], [429, 'ModelNotReadyException'], [424, 'ModelErrorException']] as const) {
      const err = bedrockFailure('bedrock', status, { 'x-amzn-errortype': type }, json({ message: 'x' }));
      expect(err.reason, type).toBe(ProviderErrorReason.server);
      expect(err.retryable).toBe(true);
      expect(err.toGatewayError().status).toBe(502);
    }
  });

  it('a ValidationException goes to the caller as a 400 with Bedrock message', () => {
    const err = bedrockFailure('bedrock', 400, { 'x-amzn-errortype': 'ValidationException' }, json({ message: 'A conversation must alternate...' }));
    expect(err.retryable).toBe(false);
    const g = err.toGatewayError();
    expect([g.status, g.type, g.message, g.code]).toEqual([400, 'invalid_request_error', 'A conversation must alternate...', 'ValidationException']);
  });

  it('refused credentials are a 502 naming the provider, never echoing the message', () => {
    const secretish = 'Credential=AKIASECRET/20250101/us-east-1/bedrock';
    for (const type of ['InvalidSignatureException', 'UnrecognizedClientException', 'AccessDeniedException']) {
      const g = bedrockFailure('bedrock', 403, { 'x-amzn-errortype': type }, json({ message: secretish })).toGatewayError();
      expect(g.status).toBe(502);
      expect(g.message).toContain('bedrock');
      expect(g.message).not.toContain('AKIASECRET');
    }
  });

  it('stream exceptions: throttling is rate limited, the rest a broken stream', () => {
    expect(streamException('bedrock', 'throttlingException', 'slow').reason).toBe(ProviderErrorReason.rateLimited);
    const broken = streamException('bedrock', 'modelStreamErrorException', 'failed');
    expect(broken.reason).toBe(ProviderErrorReason.streamBroken);
    expect(broken.message).toBe('ModelStreamErrorException: failed');
  });
});
