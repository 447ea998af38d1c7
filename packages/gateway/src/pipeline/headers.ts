/** The headers every answer carries, from what the steps found so far. */
import type { CacheStatusValue } from '@llm-edge/semconv';
import type { Headers } from '../http/respond.js';

export interface AnswerHeaders {
  readonly requestId: string;
  readonly cache: CacheStatusValue;
  /** The provider that answered, once known. */
  readonly provider: string;
  /** Headers of the caller's admission (`x-ratelimit-*`). */
  readonly extra: Readonly<Record<string, string>>;
}

export function answerHeaders(h: AnswerHeaders, more: Headers = {}): Headers {
  const headers: Headers = { 'x-request-id': h.requestId, 'x-llm-edge-cache': h.cache, ...h.extra, ...more };
  if (h.provider) headers['x-llm-edge-provider'] = h.provider;
  return headers;
}
