/**
 * A keyed table for entries that come and go with requests (flights in progress, background
 * writes), where a `Map` or `Set` makes the garbage collector keep every request.
 *
 * Why not a Map: V8 replaces a Map's hash table every few insertions and deletions, and the table
 * it replaced keeps a link to its successor (for iterators still walking it) and the entries it
 * held. Once one of those tables is in the old generation (a mark-compact moves every live young
 * object there), the young-generation GC treats its links as roots until the next mark-compact:
 * every later table, every request its entries point to, survives and is promoted, which brings
 * the next mark-compact sooner, which promotes the table of that moment. Measured on the miss path
 * at 2,800 req/s (bench/README.md, "The tail"): ~300 KB promoted per scavenge and a mark-compact
 * every ~1.5 s with the flights in a Map, 58 KB and none with this table.
 *
 * A null-prototype object (V8 makes it a dictionary from the start, so keys coming and going make
 * no hidden classes) rehashes too, but a replaced dictionary links to nothing. Lookups stay O(1);
 * there is no insertion order (nothing here iterates in order).
 */
export class ChurnTable<V> {
  private entries: Record<string, V> = Object.create(null) as Record<string, V>;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    return this.entries[key];
  }

  has(key: string): boolean {
    return this.entries[key] !== undefined;
  }

  /** Adds or replaces; `value` must not be undefined (undefined means absent). */
  set(key: string, value: V): void {
    if (this.entries[key] === undefined) this.count++;
    this.entries[key] = value;
  }

  delete(key: string): boolean {
    if (this.entries[key] === undefined) return false;
    delete this.entries[key];
    this.count--;
    return true;
  }

  values(): V[] {
    return Object.values(this.entries);
  }
}
