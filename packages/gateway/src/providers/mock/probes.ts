/**
 * The mock provider's models: `mock/echo` answers (echo-model.ts); `mock/fail-<status>` fails the
 * way a provider does with that HTTP status (429 with `retry-after: 1`, 5xx a server error), so
 * operators can probe retries, breakers, fallbacks and alerts without a real provider.
 */

/** Models `GET /v1/models` lists for the mock (any `fail-<400..599>` works, these are the usual ones). */
export const MOCK_MODELS = ['mock/echo', 'mock/fail-429', 'mock/fail-500', 'mock/fail-503'] as const;

export type MockBehaviour = { readonly kind: 'echo' } | { readonly kind: 'fail'; readonly status: number } | { readonly kind: 'unknown' };

/** What a model name asks the mock to do (the name without the `mock/` prefix, as routing sends it). */
export function behaviourOf(model: string): MockBehaviour {
  const name = model.startsWith('mock/') ? model.slice('mock/'.length) : model;
  if (name === 'echo') return { kind: 'echo' };
  const fail = /^fail-([45]\d\d)$/.exec(name);
  if (fail) return { kind: 'fail', status: Number(fail[1]) };
  return { kind: 'unknown' };
}
