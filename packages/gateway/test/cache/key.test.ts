import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cacheKey, canonicalJson, KEY_FIELDS, type CacheEndpoint } from '../../src/cache/key.js';

const chat = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Say hi', name: 'ann' }],
  temperature: 0.2,
  tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
};

describe('cacheKey', () => {
  it('is v2: plus 64 hex digits', () => {
    expect(cacheKey('t1', 'chat', chat)).toMatch(/^v2:[0-9a-f]{64}$/);
  });

  it('ignores key order at every depth and whitespace of the raw body', () => {
    const raw = `{ "tools": [ { "function": { "parameters": { "properties": { "city": { "type": "string" } }, "type": "object" }, "name": "get_weather" }, "type": "function" } ],
      "temperature":0.2,"messages":[{"name":"ann","content":"Say hi","role":"user"}],   "model":"gpt-4o-mini" }`;
    expect(cacheKey('t1', 'chat', JSON.parse(raw))).toBe(cacheKey('t1', 'chat', chat));
  });

  it('ignores stream, stream_options, user and the other known fields that do not change the answer', () => {
    const variant = { ...chat, stream: true, stream_options: { include_usage: true }, user: 'u-42', metadata: { x: '1' }, store: false, service_tier: 'auto' };
    expect(cacheKey('t1', 'chat', variant)).toBe(cacheKey('t1', 'chat', chat));
    expect(cacheKey('t1', 'embeddings', { model: 'e', input: 'x', user: 'a' })).toBe(cacheKey('t1', 'embeddings', { model: 'e', input: 'x' }));
  });

  it('gives no key (the request bypasses the cache) for a field it does not know', () => {
    expect(cacheKey('t1', 'chat', { ...chat, some_new_knob: 3 })).toBeUndefined();
    expect(cacheKey('t1', 'embeddings', { model: 'e', input: 'x', truncate: 'END' })).toBeUndefined();
  });

  it('keys a seed beyond 2^53 by its digits, and bypasses when they cannot be told', () => {
    const a = '{"model":"m","messages":[],"seed":9007199254740993}';
    const b = '{"model":"m","messages":[],"seed":9007199254740992}';
    expect(JSON.parse(a).seed).toBe(JSON.parse(b).seed); // JSON.parse cannot tell them apart
    expect(cacheKey('t1', 'chat', JSON.parse(a), a)).not.toBe(cacheKey('t1', 'chat', JSON.parse(b), b));
    expect(cacheKey('t1', 'chat', JSON.parse(a), a)).toMatch(/^v2:/);
    expect(cacheKey('t1', 'chat', JSON.parse(a))).toBeUndefined(); // no raw body to read them from
    const escaped = '{"model":"m","messages":[],"se\\u0065d":9007199254740993}';
    expect(cacheKey('t1', 'chat', JSON.parse(escaped), escaped)).toBeUndefined();
  });

  it('treats an explicit null like an absent field', () => {
    expect(cacheKey('t1', 'chat', { ...chat, seed: null, stop: undefined })).toBe(cacheKey('t1', 'chat', chat));
  });

  it('separates tenants, endpoints and every included field', () => {
    const base = cacheKey('t1', 'chat', chat);
    expect(cacheKey('t2', 'chat', chat)).not.toBe(base);
    expect(cacheKey('t1', 'embeddings', chat)).not.toBe(cacheKey('t1', 'chat', chat));
    const seen = new Set([base]);
    for (const field of KEY_FIELDS.chat) {
      const k = cacheKey('t1', 'chat', { ...chat, [field]: field === 'messages' ? [{ role: 'user', content: 'other' }] : 7 });
      expect(seen.has(k), field).toBe(false);
      seen.add(k);
    }
    // message content is compared exactly, whitespace included
    expect(cacheKey('t1', 'chat', { ...chat, messages: [{ role: 'user', content: 'Say hi ', name: 'ann' }] })).not.toBe(base);
    // array order matters
    expect(cacheKey('t1', 'embeddings', { model: 'e', input: ['a', 'b'] })).not.toBe(cacheKey('t1', 'embeddings', { model: 'e', input: ['b', 'a'] }));
  });

  it('cannot be forged across tenants by field content', () => {
    // a tenant name that looks like JSON stays a string in the canonical form
    expect(cacheKey('a","tenant":"b', 'chat', chat)).not.toBe(cacheKey('b', 'chat', chat));
  });

  it('is the v2 encoding exactly: the digest of the canonical JSON of { endpoint, fields, tenant }', () => {
    // The key is written without building that object; v2 entries in L2 stay readable only if
    // the bytes hashed are the same. The reference is the definition, built the slow way.
    const reference = (tenant: string, endpoint: CacheEndpoint, body: Record<string, unknown>) => {
      const fields = Object.fromEntries(KEY_FIELDS[endpoint].filter((f) => body[f] != null).map((f) => [f, body[f]]));
      return `v2:${createHash('sha256').update(canonicalJson({ endpoint, fields, tenant })).digest('hex')}`;
    };
    const wide = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`p${(i * 7) % 40}`, { type: i % 2 ? 'string' : 'number' }]));
    const bodies: Array<[CacheEndpoint, Record<string, unknown>]> = [
      ['chat', chat],
      ['chat', { ...chat, seed: 42, stop: ['\u2028', 'é'], logit_bias: { '50256': -100, '1': 2 }, top_p: null }],
      ['chat', { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }], tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: wide } } }] }],
      ['chat', { model: 'm', messages: [], response_format: { type: 'json_schema', json_schema: { name: 'n', schema: { 'z-a': 1, 'Z': 2, 'é': 3, '\ud83d\ude00': 4, '"q"': 5 } } } }],
      ['embeddings', { model: 'text-embedding-3-small', input: ['a', 'b'], dimensions: 256 }],
      ['messages', { model: 'claude', messages: [{ role: 'user', content: 'hi' }], max_tokens: 10, 'anthropic-version': '2023-06-01' }],
      ['responses', { model: 'gpt-4o', input: 'hi', instructions: 'be brief', reasoning: { effort: 'low' } }],
      ['chat', {}],
    ];
    for (const [endpoint, body] of bodies) {
      expect(cacheKey('team-a', endpoint, body)).toBe(reference('team-a', endpoint, body));
    }
  });
});

describe('canonicalJson', () => {
  it('sorts keys recursively and follows JSON.stringify for values', () => {
    const v = { b: [3, { d: 1, c: [null, undefined, NaN] }], a: 'é"\n', u: undefined, z: -0, t: true };
    expect(canonicalJson(v)).toBe('{"a":"é\\"\\n","b":[3,{"c":[null,null,null],"d":1}],"t":true,"z":0}');
    expect(JSON.parse(canonicalJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
  });

  it('orders small and large objects alike, as Array.prototype.sort does', () => {
    for (const n of [2, 16, 17, 300]) {
      const names = Array.from({ length: n }, (_, i) => `k${(i * 37) % n}${i % 3 ? 'é' : 'A'}`);
      const obj = Object.fromEntries(names.map((k, i) => [k, i]));
      expect(Object.keys(JSON.parse(canonicalJson(obj)))).toEqual(Object.keys(obj).sort());
    }
  });
});
