/**
 * A map that keeps at most `capacity` entries, forgetting the least recently used first.
 * Per-target state (breakers, latency averages) is keyed by `provider/model`, and callers choose
 * the model: without a bound, one caller sending endless made-up model names would grow the
 * gateway's memory forever.
 *
 * Recency is a use counter stamped on the entry, not the Map's insertion order: re-inserting on
 * every use (delete + set) makes V8 rebuild the Map's table every few hundred uses, which on the
 * hot path (every attempt reads a breaker and records a latency) was a steady stream of garbage
 * that outlived the young generation. Eviction scans for the oldest stamp; it runs only when a
 * new key arrives at a full map.
 */
interface Slot<V> {
  value: V;
  used: number;
}

export class RecentMap<K, V> {
  private readonly map = new Map<K, Slot<V>>();
  private clock = 0;

  /**
   * @param capacity entries kept at most
   * @param evictable which entries may go first when the map is full (e.g. closed breakers, whose
   *   state says nothing); when none may, the least recently used goes anyway
   */
  constructor(
    private readonly capacity: number,
    private readonly evictable: (value: V) => boolean = () => true,
  ) {
    if (!(capacity > 0)) throw new Error(`RecentMap: capacity must be > 0, got ${capacity}`);
  }

  get size(): number {
    return this.map.size;
  }

  /** The entry for `key`, marked as just used. */
  get(key: K): V | undefined {
    const slot = this.map.get(key);
    if (slot === undefined) return undefined;
    slot.used = ++this.clock;
    return slot.value;
  }

  /** The entry for `key` without marking it used. */
  peek(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  set(key: K, value: V): void {
    const slot = this.map.get(key);
    if (slot !== undefined) {
      slot.value = value;
      slot.used = ++this.clock;
      return;
    }
    if (this.map.size >= this.capacity) this.evictOne();
    this.map.set(key, { value, used: ++this.clock });
  }

  /** Every value, in no particular order. */
  *values(): IterableIterator<V> {
    for (const slot of this.map.values()) yield slot.value;
  }

  private evictOne(): void {
    let oldest: K | undefined;
    let oldestUsed = Infinity;
    let oldestEvictable: K | undefined;
    let oldestEvictableUsed = Infinity;
    for (const [key, slot] of this.map) {
      if (slot.used < oldestUsed) [oldest, oldestUsed] = [key, slot.used];
      if (slot.used < oldestEvictableUsed && this.evictable(slot.value)) [oldestEvictable, oldestEvictableUsed] = [key, slot.used];
    }
    const victim = oldestEvictable ?? oldest;
    if (victim !== undefined) this.map.delete(victim);
  }
}
