/**
 * Cache keys: `v2:` + SHA-256 of the canonical JSON of the tenant, the endpoint and an explicit
 * include-list of request fields. Canonical means object keys sorted at every depth, so two
 * requests that differ only in key order or whitespace share a key. Fields the gateway knows do
 * not change the answer (`stream`, `user`, ...) never split an entry; a field it does not know
 * at all makes the request uncacheable (no key) rather than being ignored by the key, since it
 * might change the answer. Bump the version when a list or the encoding changes, so old entries
 * are never read (v2: the include-list gained the fields v1 missed, which v1 entries ignored).
 */
import { sha256Hex } from '../http/sha256.js';

export type CacheEndpoint = 'chat' | 'embeddings' | 'messages' | 'responses';

export const KEY_VERSION = 'v2';

/** The request fields that decide the answer, per endpoint. */
export const KEY_FIELDS: Readonly<Record<CacheEndpoint, readonly string[]>> = {
  chat: [
    'model', 'messages', 'tools', 'tool_choice', 'parallel_tool_calls', 'functions', 'function_call',
    'response_format', 'temperature', 'top_p', 'n', 'max_tokens', 'max_completion_tokens', 'stop', 'seed',
    'presence_penalty', 'frequency_penalty', 'logit_bias', 'logprobs', 'top_logprobs',
    'reasoning_effort', 'modalities', 'audio', 'verbosity', 'web_search_options', 'prediction',
  ],
  embeddings: ['model', 'input', 'encoding_format', 'dimensions'],
  // `anthropic-version` and `anthropic-beta` are the headers (the endpoint adds them): they
  // switch features that change answers.
  messages: [
    'model', 'messages', 'system', 'max_tokens', 'temperature', 'top_p', 'top_k', 'stop_sequences',
    'tools', 'tool_choice', 'thinking', 'anthropic-version', 'anthropic-beta',
  ],
  responses: [
    'model', 'input', 'instructions', 'tools', 'tool_choice', 'text', 'max_output_tokens', 'temperature',
    'top_p', 'parallel_tool_calls', 'reasoning', 'truncation', 'previous_response_id', 'include', 'top_logprobs',
  ],
};

/** Fields the gateway knows and that do not change the answer: left out of the key. */
export const IGNORED_FIELDS: Readonly<Record<CacheEndpoint, readonly string[]>> = {
  chat: ['stream', 'stream_options', 'user', 'store', 'metadata', 'service_tier', 'safety_identifier', 'prompt_cache_key', 'prompt_cache_retention'],
  embeddings: ['user'],
  messages: ['stream', 'metadata', 'service_tier'],
  responses: ['stream', 'store', 'metadata', 'user', 'service_tier', 'safety_identifier', 'prompt_cache_key', 'stream_options'],
};

/** KEY_FIELDS in the order canonical JSON writes them (plain ASCII names: no escaping needed). */
const SORTED_FIELDS = Object.fromEntries(
  (Object.keys(KEY_FIELDS) as CacheEndpoint[]).map((e) => [e, [...KEY_FIELDS[e]].sort()]),
) as unknown as Readonly<Record<CacheEndpoint, readonly string[]>>;

const KNOWN = Object.fromEntries(
  (Object.keys(KEY_FIELDS) as CacheEndpoint[]).map((e) => [e, new Set([...KEY_FIELDS[e], ...IGNORED_FIELDS[e]])]),
) as unknown as Readonly<Record<CacheEndpoint, ReadonlySet<string>>>;

/**
 * @param tenant the caller's key id: two tenants never share an entry
 * @param raw the body as received, for the digits of a `seed` beyond 2^53 (JSON.parse rounds them)
 * @returns the key, or undefined when the request cannot be keyed exactly (an unknown field, a
 *   seed whose digits cannot be told apart): such a request bypasses the cache
 * @example
 * cacheKey('team-a', 'chat', { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
 * // 'v2:3f2a…' (64 hex digits)
 */
export function cacheKey(tenant: string, endpoint: CacheEndpoint, body: Record<string, unknown>, raw?: Buffer | string): string | undefined {
  const known = KNOWN[endpoint];
  for (const name in body) if (!known.has(name)) return undefined;
  // The canonical JSON of { endpoint, fields, tenant }, written in key order without building
  // that object or sorting its fields on every request (SORTED_FIELDS is in sort order).
  let fields = '';
  for (const name of SORTED_FIELDS[endpoint]) {
    let value = body[name];
    // An explicit null asks for the default, as an absent field does (SDKs send both).
    if (value === undefined || value === null) continue;
    if (name === 'seed' && typeof value === 'number' && !Number.isSafeInteger(value)) {
      const digits = raw === undefined ? undefined : seedDigits(raw, value);
      if (digits === undefined) return undefined;
      value = { digits };
    }
    const text = write(value);
    if (text !== undefined) fields += (fields ? ',"' : '"') + name + '":' + text;
  }
  const text = `{"endpoint":${JSON.stringify(endpoint)},"fields":{${fields}},"tenant":${JSON.stringify(tenant)}}`;
  return `${KEY_VERSION}:${sha256Hex(text)}`;
}

/**
 * The digits of a `seed` as the caller wrote them. Two seeds beyond 2^53 can parse to the same
 * number while the provider, which reads the digits, answers each differently. Found by a scan
 * of the raw body: when the scan finds no single `"seed": <digits>` that parses to `seed`, the
 * caller gets no cached answer rather than a wrong one.
 */
function seedDigits(raw: Buffer | string, seed: number): string | undefined {
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  const found = [...text.matchAll(/"seed"\s*:\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g)];
  if (found.length !== 1 || Number(found[0]![1]) !== seed) return undefined;
  return found[0]![1];
}

/**
 * JSON with object keys sorted at every depth, built in one pass. Values follow JSON.stringify's
 * rules (undefined members dropped, undefined array items and non-finite numbers become null).
 */
export function canonicalJson(value: unknown): string {
  return write(value) ?? 'null';
}

function write(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + (write(value[i]) ?? 'null');
        return out + ']';
      }
      const obj = value as Record<string, unknown>;
      let out = '{';
      let first = true;
      for (const k of sortedKeys(obj)) {
        const v = write(obj[k]);
        if (v === undefined) continue;
        out += (first ? '' : ',') + JSON.stringify(k) + ':' + v;
        first = false;
      }
      return out + '}';
    }
    default:
      // undefined, functions, symbols, bigints: absent, as in JSON.stringify
      return undefined;
  }
}

/** Below this many keys an insertion sort in place: Array.prototype.sort allocates its state. */
const SMALL_OBJECT = 16;

/** The object's own keys in the order `Array.prototype.sort` puts them (UTF-16 code units). */
function sortedKeys(obj: object): string[] {
  const keys = Object.keys(obj);
  // Large objects (a caller's JSON schema) take the O(n log n) sort: insertion sort is O(n²).
  if (keys.length > SMALL_OBJECT) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    for (; j >= 0 && keys[j]! > key; j--) keys[j + 1] = keys[j]!;
    keys[j + 1] = key;
  }
  return keys;
}
