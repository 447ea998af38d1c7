/**
 * A map that keeps at most `capacity` entries in order of last use. Per-target state (breakers,
 * latency averages) is keyed by `provider/model`, and callers choose the model: without a bound,
 * one caller sending endless made-up model names would grow the gateway's memory forever.
 */
export class RecentMap<K, V> {
  private readonly map = new Map<K, V>();

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
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  /** The entry for `key` without marking it used. */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    if (!this.map.delete(key) && this.map.size >= this.capacity) this.evictOne();
    this.map.set(key, value);
  }

  /** Entries from least to most recently used. */
  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }

  private evictOne(): void {
    for (const [key, value] of this.map) {
      if (this.evictable(value)) {
        this.map.delete(key);
        return;
      }
    }
    const oldest = this.map.keys().next();
    if (!oldest.done) this.map.delete(oldest.value);
  }
}
