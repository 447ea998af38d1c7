/**
 * Cache keys: `v1:` + SHA-256 of the canonical JSON of the tenant, the endpoint and an explicit
 * include-list of request fields. Canonical means object keys sorted at every depth, so two
 * requests that differ only in key order or whitespace share a key; fields outside the list
 * (`stream`, `stream_options`, `user`, unknown extensions) never split an entry. Bump the version
 * when the list or the encoding changes, so old entries are never read.
 */
import { sha256Hex } from '../http/sha256.js';

export type CacheEndpoint = 'chat' | 'embeddings';

export const KEY_VERSION = 'v1';

/** The request fields that decide the answer, per endpoint. */
export const KEY_FIELDS: Readonly<Record<CacheEndpoint, readonly string[]>> = {
  chat: [
    'model', 'messages', 'tools', 'tool_choice', 'parallel_tool_calls', 'response_format',
    'temperature', 'top_p', 'n', 'max_tokens', 'max_completion_tokens', 'stop', 'seed',
    'presence_penalty', 'frequency_penalty', 'logit_bias', 'logprobs', 'top_logprobs',
  ],
  embeddings: ['model', 'input', 'encoding_format', 'dimensions'],
};

/**
 * @param tenant the caller's key id: two tenants never share an entry
 * @example
 * cacheKey('team-a', 'chat', { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
 * // 'v1:3f2a…' (64 hex digits)
 */
export function cacheKey(tenant: string, endpoint: CacheEndpoint, body: Record<string, unknown>): string {
  const fields: Record<string, unknown> = {};
  for (const name of KEY_FIELDS[endpoint]) {
    const value = body[name];
    // An explicit null asks for the default, as an absent field does (SDKs send both).
    if (value !== undefined && value !== null) fields[name] = value;
  }
  const text = canonicalJson({ endpoint, fields, tenant });
  return `${KEY_VERSION}:${sha256Hex(text)}`;
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
      for (const k of Object.keys(obj).sort()) {
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
