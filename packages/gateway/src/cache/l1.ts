/**
 * L1: the in-process cache. An LRU bounded by entry count and by bytes, with a TTL per entry.
 * A Map iterates in insertion order, so re-inserting on every hit keeps the least recently used
 * entry first, and get/set/evict are O(1).
 */
import { entryBytes, type CachedAnswer } from './entry.js';

export interface MemoryCacheOptions {
  readonly maxEntries: number;
  readonly maxBytes: number;
  /** The clock (ms); tests pass their own. */
  readonly now?: () => number;
  /** Called once per entry evicted to stay within the bounds (not for expiry or replacement). */
  readonly onEvict?: () => void;
}

interface Slot {
  readonly answer: CachedAnswer;
  readonly bytes: number;
  readonly expiresAt: number;
}

export class MemoryCache {
  private readonly slots = new Map<string, Slot>();
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly now: () => number;
  private readonly onEvict: () => void;
  private size = 0;
  private evicted = 0;

  constructor({ maxEntries, maxBytes, now = Date.now, onEvict = () => undefined }: MemoryCacheOptions) {
    if (!Number.isInteger(maxEntries) || maxEntries <= 0) throw new Error(`cache.l1.maxEntries must be a positive integer, got ${maxEntries}`);
    if (!Number.isInteger(maxBytes) || maxBytes <= 0) throw new Error(`cache.l1.maxBytes must be a positive integer, got ${maxBytes}`);
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.now = now;
    this.onEvict = onEvict;
  }

  /** Entries held (expired ones included until they are touched or purged). */
  get entries(): number {
    return this.slots.size;
  }

  /** Bytes held, as `entryBytes` plus the key. */
  get bytes(): number {
    return this.size;
  }

  /** Entries evicted by the bounds since start. */
  get evictions(): number {
    return this.evicted;
  }

  /** The live entry for `key`, now the most recently used; an expired one is dropped. */
  get(key: string): CachedAnswer | undefined {
    const slot = this.slots.get(key);
    if (!slot) return undefined;
    this.slots.delete(key);
    if (slot.expiresAt <= this.now()) {
      this.size -= slot.bytes;
      return undefined;
    }
    this.slots.set(key, slot);
    return slot.answer;
  }

  /**
   * Stores `answer` for `ttlMs`, evicting the least recently used entries to stay in bounds.
   * @returns false when the entry alone is larger than `maxBytes` (not stored)
   */
  set(key: string, answer: CachedAnswer, ttlMs: number): boolean {
    this.delete(key);
    const bytes = entryBytes(answer) + key.length;
    if (bytes > this.maxBytes || !(ttlMs > 0)) return false;
    this.slots.set(key, { answer, bytes, expiresAt: this.now() + ttlMs });
    this.size += bytes;
    while (this.slots.size > this.maxEntries || this.size > this.maxBytes) {
      const [oldest, slot] = this.slots.entries().next().value as [string, Slot];
      this.slots.delete(oldest);
      this.size -= slot.bytes;
      // An entry that had expired anyway was not pushed out by the bounds.
      if (slot.expiresAt > this.now()) {
        this.evicted++;
        this.onEvict();
      }
    }
    return true;
  }

  delete(key: string): boolean {
    const slot = this.slots.get(key);
    if (!slot) return false;
    this.slots.delete(key);
    this.size -= slot.bytes;
    return true;
  }

  /** Drops every expired entry (O(n)): run now and then so idle expired entries free memory. */
  purgeExpired(): number {
    const now = this.now();
    let dropped = 0;
    for (const [key, slot] of this.slots) {
      if (slot.expiresAt > now) continue;
      this.slots.delete(key);
      this.size -= slot.bytes;
      dropped++;
    }
    return dropped;
  }

  clear(): void {
    this.slots.clear();
    this.size = 0;
  }
}
