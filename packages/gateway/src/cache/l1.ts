/**
 * L1: the in-process cache. An LRU bounded by entry count and by bytes, with a TTL per entry.
 * Recency is a doubly linked list threaded through the entries (least recently used at the
 * head), so a hit moves two pointers. Re-inserting into a Map on every hit would be simpler but
 * is not O(1) in V8: a deleted Map entry stays in its hash chain until the table is rebuilt, so a
 * hot key's chain grows with every hit (measured at 50+ µs a hit with 20k entries).
 */
import { entryBytes, type CachedAnswer } from './entry.js';

/**
 * What an entry costs beyond its encoded bytes and key: its objects on the heap (slot, answer,
 * usage, the Buffer) and the body's own backing store with the allocator's bookkeeping. Measured
 * on Node 20 with 650-byte answers: 1.3 KB (heap + external) to 1.9 KB (RSS) per entry beyond the
 * 0.8 KB of bytes it would count alone, so a bound of bytes alone let the cache take 2.5-3.4x its
 * `maxBytes` of memory.
 */
export const L1_ENTRY_OVERHEAD_BYTES = 1536;

/** The bytes an entry counts against `maxBytes`. */
export function l1EntryCost(key: string, answer: CachedAnswer): number {
  return entryBytes(answer) + key.length + L1_ENTRY_OVERHEAD_BYTES;
}

export interface MemoryCacheOptions {
  readonly maxEntries: number;
  readonly maxBytes: number;
  /** The clock (ms); tests pass their own. */
  readonly now?: () => number;
  /** Called once per entry evicted to stay within the bounds (not for expiry or replacement). */
  readonly onEvict?: () => void;
}

interface Slot {
  readonly key: string;
  readonly answer: CachedAnswer;
  readonly bytes: number;
  readonly expiresAt: number;
  /** Neighbours in recency order: `prev` was used less recently. */
  prev: Slot | undefined;
  next: Slot | undefined;
}

export class MemoryCache {
  private readonly slots = new Map<string, Slot>();
  /** Least recently used. */
  private head: Slot | undefined;
  /** Most recently used. */
  private tail: Slot | undefined;
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

  /** Bytes held, as `l1EntryCost` counts them. */
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
    if (slot.expiresAt <= this.now()) {
      this.remove(slot);
      return undefined;
    }
    if (slot !== this.tail) {
      this.unlink(slot);
      this.append(slot);
    }
    return slot.answer;
  }

  /**
   * Stores `answer` for `ttlMs`, evicting the least recently used entries to stay in bounds.
   * @returns false when the entry alone is larger than `maxBytes` (not stored)
   */
  set(key: string, answer: CachedAnswer, ttlMs: number): boolean {
    this.delete(key);
    const bytes = l1EntryCost(key, answer);
    if (bytes > this.maxBytes || !(ttlMs > 0)) return false;
    const slot: Slot = { key, answer, bytes, expiresAt: this.now() + ttlMs, prev: undefined, next: undefined };
    this.slots.set(key, slot);
    this.append(slot);
    this.size += bytes;
    while (this.slots.size > this.maxEntries || this.size > this.maxBytes) {
      const oldest = this.head!;
      this.remove(oldest);
      // An entry that had expired anyway was not pushed out by the bounds.
      if (oldest.expiresAt > this.now()) {
        this.evicted++;
        this.onEvict();
      }
    }
    return true;
  }

  delete(key: string): boolean {
    const slot = this.slots.get(key);
    if (!slot) return false;
    this.remove(slot);
    return true;
  }

  /** Drops every expired entry (O(n)): run now and then so idle expired entries free memory. */
  purgeExpired(): number {
    const now = this.now();
    let dropped = 0;
    for (const slot of this.slots.values()) {
      if (slot.expiresAt > now) continue;
      this.remove(slot);
      dropped++;
    }
    return dropped;
  }

  clear(): void {
    this.slots.clear();
    this.head = this.tail = undefined;
    this.size = 0;
  }

  private remove(slot: Slot): void {
    this.slots.delete(slot.key);
    this.unlink(slot);
    this.size -= slot.bytes;
  }

  private append(slot: Slot): void {
    slot.prev = this.tail;
    slot.next = undefined;
    if (this.tail) this.tail.next = slot;
    else this.head = slot;
    this.tail = slot;
  }

  private unlink(slot: Slot): void {
    if (slot.prev) slot.prev.next = slot.next;
    else this.head = slot.next;
    if (slot.next) slot.next.prev = slot.prev;
    else this.tail = slot.prev;
    slot.prev = slot.next = undefined;
  }
}
