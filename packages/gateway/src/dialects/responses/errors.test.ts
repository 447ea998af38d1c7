import { describe, expect, it } from 'vitest';
import { badRequest, GatewayError } from '../../http/errors.js';
import { errorBody, streamErrorFrame } from './errors.js';

describe('responses errors', () => {
  it('uses the OpenAI error body', () => {
    expect(JSON.parse(errorBody(badRequest('bad', 'input[0].role')))).toEqual({ error: { message: 'bad', type: 'invalid_request_error', param: 'input[0].role', code: 'invalid_request' } });
  });

  it('ends a failed stream with an error event numbered after the events sent', () => {
    const frame = streamErrorFrame(new GatewayError(502, 'upstream_error', 'Provider openai failed', null, 'upstream_error'), 7);
    const [event, data] = frame.split('\n');
    expect(event).toBe('event: error');
    expect(frame.endsWith('\n\n')).toBe(true);
    expect(JSON.parse((data ?? '').slice('data: '.length))).toEqual({
      type: 'error',
      sequence_number: 7,
      code: 'upstream_error',
      message: 'Provider openai failed',
      param: null,
      error: { type: 'upstream_error', code: 'upstream_error', message: 'Provider openai failed', param: null },
    });
  });
});
