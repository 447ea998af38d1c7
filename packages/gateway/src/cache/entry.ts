/**
 * A cached answer and its compact binary form for L2. The response bytes and stream chunks are
 * stored as they are, behind a small header of lengths, so nothing is JSON-encoded twice and a
 * value round-trips byte for byte.
 *
 * Layout (big-endian):
 *   magic "LEC" | version u8 | kind u8 (0 json, 1 stream) | flags u8 (bit 0: usage present)
 *   createdAt f64 | [prompt f64 | completion f64 | total f64]
 *   model u32 len + utf8 | provider u32 len + utf8
 *   json:   body u32 len + bytes
 *   stream: count u32, then each event u32 len + utf8
 */

export interface CachedAnswer {
  readonly kind: 'json' | 'stream';
  /** json: the exact response bytes (an OpenAI chat.completion or embeddings list). */
  readonly body?: Buffer;
  /** stream: the chunk payloads in order (the JSON after `data: `), without `[DONE]`. */
  readonly events?: readonly string[];
  /** The model the caller asked for. */
  readonly model: string;
  readonly provider: string;
  /** ms since the epoch, for the `age` header. */
  readonly createdAt: number;
  readonly usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

const MAGIC = Buffer.from('LEC', 'latin1');
const VERSION = 1;
const KIND_JSON = 0;
const KIND_STREAM = 1;
const FLAG_USAGE = 1;
const FIXED = MAGIC.length + 3 + 8;

/** The encoded size of `a`, computed without encoding it (the L1 byte bound uses it). */
export function entryBytes(a: CachedAnswer): number {
  let n = FIXED + (a.usage ? 24 : 0) + 8 + Buffer.byteLength(a.model) + Buffer.byteLength(a.provider);
  if (a.kind === 'json') n += 4 + (a.body?.length ?? 0);
  else {
    n += 4;
    for (const e of a.events ?? []) n += 4 + Buffer.byteLength(e);
  }
  return n;
}

/** @throws Error naming the field when `a` is not encodable (a json answer without body, ...) */
export function encodeEntry(a: CachedAnswer): Buffer {
  if (a.kind === 'json' && !a.body) throw new Error('encodeEntry: a json answer needs body');
  if (a.kind === 'stream' && !a.events) throw new Error('encodeEntry: a stream answer needs events');
  if (a.kind !== 'json' && a.kind !== 'stream') throw new Error(`encodeEntry: kind must be json or stream, got ${String(a.kind)}`);
  const out = Buffer.allocUnsafe(entryBytes(a));
  let at = MAGIC.copy(out, 0);
  at = out.writeUInt8(VERSION, at);
  at = out.writeUInt8(a.kind === 'json' ? KIND_JSON : KIND_STREAM, at);
  at = out.writeUInt8(a.usage ? FLAG_USAGE : 0, at);
  at = out.writeDoubleBE(a.createdAt, at);
  if (a.usage) {
    at = out.writeDoubleBE(a.usage.prompt_tokens, at);
    at = out.writeDoubleBE(a.usage.completion_tokens, at);
    at = out.writeDoubleBE(a.usage.total_tokens, at);
  }
  const text = (s: string) => {
    const len = out.write(s, at + 4, 'utf8');
    out.writeUInt32BE(len, at);
    at += 4 + len;
  };
  text(a.model);
  text(a.provider);
  if (a.kind === 'json') {
    at = out.writeUInt32BE(a.body!.length, at);
    at += a.body!.copy(out, at);
  } else {
    at = out.writeUInt32BE(a.events!.length, at);
    for (const e of a.events!) text(e);
  }
  return out;
}

/** The answer in `b`, or undefined for anything that is not a complete entry of this version. */
export function decodeEntry(b: Buffer): CachedAnswer | undefined {
  if (!Buffer.isBuffer(b) || b.length < FIXED || !b.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  let at = MAGIC.length;
  if (b.readUInt8(at++) !== VERSION) return undefined;
  const kind = b.readUInt8(at++);
  const flags = b.readUInt8(at++);
  if ((kind !== KIND_JSON && kind !== KIND_STREAM) || (flags & ~FLAG_USAGE) !== 0) return undefined;
  const need = (n: number) => at + n <= b.length;
  const createdAt = b.readDoubleBE(at);
  at += 8;
  let usage: CachedAnswer['usage'];
  if (flags & FLAG_USAGE) {
    if (!need(24)) return undefined;
    usage = { prompt_tokens: b.readDoubleBE(at), completion_tokens: b.readDoubleBE(at + 8), total_tokens: b.readDoubleBE(at + 16) };
    at += 24;
  }
  const bytes = (): Buffer | undefined => {
    if (!need(4)) return undefined;
    const len = b.readUInt32BE(at);
    if (!need(4 + len)) return undefined;
    const slice = b.subarray(at + 4, at + 4 + len);
    at += 4 + len;
    return slice;
  };
  const model = bytes()?.toString('utf8');
  const provider = bytes()?.toString('utf8');
  if (model === undefined || provider === undefined) return undefined;
  let answer: CachedAnswer;
  if (kind === KIND_JSON) {
    const body = bytes();
    if (!body) return undefined;
    // A copy, so the entry does not pin the whole network buffer it arrived in.
    answer = { kind: 'json', body: Buffer.from(body), model, provider, createdAt, ...(usage && { usage }) };
  } else {
    if (!need(4)) return undefined;
    const count = b.readUInt32BE(at);
    at += 4;
    // Each event takes at least its 4-byte length: a count beyond that is corrupt.
    if (count > (b.length - at) / 4) return undefined;
    const events: string[] = [];
    for (let i = 0; i < count; i++) {
      const e = bytes();
      if (!e) return undefined;
      events.push(e.toString('utf8'));
    }
    answer = { kind: 'stream', events, model, provider, createdAt, ...(usage && { usage }) };
  }
  return at === b.length ? answer : undefined;
}
