import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ChurnTable } from '../../src/cache/churn-table.js';

/** V8's `gc`, without starting the test process with --expose-gc. */
function gcFunction(): (options?: { type: 'minor' | 'major' }) => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;
}

const oldSpaceUsed = () => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!.space_used_size;

interface Table {
  set(key: string, value: unknown): void;
  delete(key: string): void;
}

/**
 * Bytes promoted to the old generation by two young-generation GCs after a table that is itself
 * old saw 2,000 entries (4 KB each) come and go, three at a time, as flights do: all of them are
 * garbage, so none should be promoted.
 */
function promotedByChurn(table: Table): number {
  const gc = gcFunction();
  for (let i = 0; i < 4; i++) table.set(`warm${i}`, {});
  for (let i = 0; i < 4; i++) table.delete(`warm${i}`);
  gc(); // the table is in the old generation now, as a long-lived one is in the gateway
  const before = oldSpaceUsed();
  for (let i = 0; i < 2_000; i++) {
    table.set(`k${i}`, new Array(500).fill(i));
    if (i >= 3) table.delete(`k${i - 3}`);
  }
  for (let i = 1_997; i < 2_000; i++) table.delete(`k${i}`);
  gc({ type: 'minor' });
  gc({ type: 'minor' });
  return oldSpaceUsed() - before;
}

describe('ChurnTable', () => {
  it('gets, sets, replaces, deletes and counts, with keys that are names on an object', () => {
    const t = new ChurnTable<number>();
    t.set('a', 1);
    t.set('__proto__', 2);
    t.set('constructor', 3);
    t.set('a', 4);
    expect(t.size).toBe(3);
    expect([t.get('a'), t.get('__proto__'), t.get('constructor'), t.get('toString')]).toEqual([4, 2, 3, undefined]);
    expect(t.has('__proto__')).toBe(true);
    expect(t.delete('__proto__')).toBe(true);
    expect(t.delete('__proto__')).toBe(false);
    expect(t.size).toBe(2);
    expect(t.values().sort()).toEqual([3, 4]);
  });

  it('lets entries that came and went die young, where a Map keeps them for the old generation', () => {
    const churned = 2_000 * 4_000;
    // The control shows the measurement sees the effect: a Map's replaced tables hold them.
    expect(promotedByChurn(new Map())).toBeGreaterThan(churned * 0.25);
    expect(promotedByChurn(new ChurnTable())).toBeLessThan(churned * 0.05);
  });
});
