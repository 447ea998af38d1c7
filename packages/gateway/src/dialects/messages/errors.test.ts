import { describe, expect, it } from 'vitest';
import { GatewayError, badRequest, payloadTooLarge, unauthorized } from '../../http/errors.js';
import { ProviderErrorReason } from '@llm-edge/semconv';
import { UpstreamError } from '../../providers/upstream-error.js';
import { errorBody, errorType, streamErrorFrame } from './errors.js';

describe('messages errors', () => {
  it.each([
    [badRequest('bad', 'messages[0].role'), 'invalid_request_error'],
    [unauthorized('no key'), 'authentication_error'],
    [new GatewayError(403, 'invalid_request_error', 'model not allowed'), 'permission_error'],
    [new GatewayError(404, 'not_found_error', 'unknown model'), 'not_found_error'],
    [payloadTooLarge(10), 'request_too_large'],
    [new GatewayError(429, 'rate_limit_error', 'slow down', null, 'budget_exceeded'), 'rate_limit_error'],
    [new GatewayError(500, 'api_error', 'oops'), 'api_error'],
    [new UpstreamError('anthropic', ProviderErrorReason.server, 'HTTP 500').toGatewayError(), 'api_error'],
    [new UpstreamError('anthropic', ProviderErrorReason.circuitOpen, 'no provider').toGatewayError(), 'overloaded_error'],
    [new UpstreamError('anthropic', ProviderErrorReason.timeout, 'late').toGatewayError(), 'timeout_error'],
    [new GatewayError(529, 'service_unavailable', 'busy'), 'overloaded_error'],
    [new GatewayError(422, 'invalid_request_error', 'x'), 'invalid_request_error'],
    [new GatewayError(507, 'api_error', 'x'), 'api_error'],
  ])('%s -> %s', (error, type) => {
    expect(errorType(error)).toBe(type);
    expect(JSON.parse(errorBody(error))).toEqual({ type: 'error', error: { type, message: error.message } });
  });

  it('frames a stream error as an `event: error` SSE event', () => {
    const frame = streamErrorFrame(new UpstreamError('anthropic', ProviderErrorReason.streamBroken, 'cut').toGatewayError());
    expect(frame).toMatch(/^event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"Provider anthropic failed: cut"\}\}\n\n$/);
  });
});
