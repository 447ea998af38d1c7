/**
 * L2: cached answers in Redis (standalone or Cluster, the same calls), under their own key prefix
 * so they never share a key space with the rate limiter. Every command is raced against
 * `commandTimeoutMs`: a slow Redis costs a request at most that long, and its late reply is
 * ignored. Failures are reported through `onError` and never thrown.
 */
import { Cluster, type Redis } from 'ioredis';
import { decodeEntry, encodeEntry, type CachedAnswer } from './entry.js';

export interface RedisCacheOptions {
  /** Prepended to every cache key (`llm-edge:cache:`). */
  readonly keyPrefix: string;
  /** Bound on each command, in ms. */
  readonly commandTimeoutMs: number;
  /** Encoded entries larger than this are not written. */
  readonly maxEntryBytes: number;
  /** A command that failed, timed out or read a value that is not an entry. */
  readonly onError: (op: 'get' | 'set' | 'delete' | 'stats', err: Error) => void;
}

export type RedisLookup =
  | { readonly status: 'hit'; readonly answer: CachedAnswer; /** ms left to live; undefined when unknown */ readonly ttlMs: number | undefined }
  | { readonly status: 'miss' }
  | { readonly status: 'error' };

export class CacheTimeoutError extends Error {
  constructor(op: string, ms: number) {
    super(`redis ${op} took longer than ${ms} ms`);
    this.name = 'CacheTimeoutError';
  }
}

export class RedisCache {
  constructor(
    private readonly client: Redis | Cluster,
    private readonly options: RedisCacheOptions,
  ) {}

  async get(key: string): Promise<RedisLookup> {
    try {
      const replies = await this.bounded('get', this.client.pipeline().getBuffer(this.options.keyPrefix + key).pttl(this.options.keyPrefix + key).exec());
      const [got, ttl] = replies ?? [];
      if (!got || got[0]) throw got?.[0] ?? new Error('redis get: no reply');
      const value = got[1] as Buffer | null;
      if (value === null) return { status: 'miss' };
      const answer = decodeEntry(value);
      if (!answer) {
        this.options.onError('get', new Error(`redis get: the value under ${this.options.keyPrefix}${key} is not a cache entry`));
        return { status: 'miss' };
      }
      const ms = ttl && !ttl[0] ? (ttl[1] as number) : -1;
      return { status: 'hit', answer, ttlMs: ms > 0 ? ms : undefined };
    } catch (err) {
      this.options.onError('get', asError(err));
      return { status: 'error' };
    }
  }

  /** @returns true when written; false when too large or the write failed */
  async set(key: string, answer: CachedAnswer, ttlMs: number): Promise<boolean> {
    try {
      const value = encodeEntry(answer);
      if (value.length > this.options.maxEntryBytes) return false;
      await this.bounded('set', this.client.set(this.options.keyPrefix + key, value, 'PX', Math.max(1, Math.round(ttlMs))));
      return true;
    } catch (err) {
      this.options.onError('set', asError(err));
      return false;
    }
  }

  /** @returns true when the key is gone (deleted, or never there); false when Redis failed */
  async delete(key: string): Promise<boolean> {
    try {
      await this.bounded('delete', this.client.del(this.options.keyPrefix + key));
      return true;
    } catch (err) {
      this.options.onError('delete', asError(err));
      return false;
    }
  }

  /**
   * What the Redis holds, approximately: DBSIZE and INFO memory's used_memory, summed over the
   * masters of a Cluster. It counts every key of the database (rate-limit keys too), which is the
   * cheap figure Redis offers; the exact cache share would need a SCAN.
   */
  async stats(): Promise<{ entries: number; bytes: number } | undefined> {
    try {
      const nodes: Redis[] = this.client instanceof Cluster ? this.client.nodes('master') : [this.client];
      const per = await this.bounded('stats', Promise.all(nodes.map(async (n) => {
        const [entries, info] = await Promise.all([n.dbsize(), n.info('memory')]);
        return { entries, bytes: Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? 0) };
      })));
      return per.reduce((a, b) => ({ entries: a.entries + b.entries, bytes: a.bytes + b.bytes }), { entries: 0, bytes: 0 });
    } catch (err) {
      this.options.onError('stats', asError(err));
      return undefined;
    }
  }

  private bounded<T>(op: string, work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CacheTimeoutError(op, this.options.commandTimeoutMs)), this.options.commandTimeoutMs);
    });
    // The reply that loses the race is dropped, its rejection included.
    work.catch(() => undefined);
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
