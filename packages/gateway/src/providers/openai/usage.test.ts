import { describe, expect, it } from 'vitest';
import { usageIn } from './index.js';

describe('usageIn', () => {
  it('finds the usage object without parsing the rest', () => {
    const body = JSON.stringify({ id: 'x', choices: [{ message: { content: '{"usage": {"prompt_tokens": 1}}' } }], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, prompt_tokens_details: { cached_tokens: 1 } } });
    expect(usageIn(body)).toEqual({ prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, prompt_tokens_details: { cached_tokens: 1 } });
  });

  it('returns undefined for no usage or a null one', () => {
    expect(usageIn('{"id":"x"}')).toBeUndefined();
    expect(usageIn('{"usage":null,"choices":[{"message":{"content":"{}"}}]}')).toBeUndefined();
  });
});
