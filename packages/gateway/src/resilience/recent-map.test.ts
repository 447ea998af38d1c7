import { describe, expect, it } from 'vitest';
import { RecentMap } from './recent-map.js';

describe('RecentMap', () => {
  it('forgets the least recently used entry when a new key arrives at a full map', () => {
    const m = new RecentMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    expect(m.get('a')).toBe(1); // a is now the most recent; b the least
    m.set('c', 3);
    expect([m.peek('a'), m.peek('b'), m.peek('c')]).toEqual([1, undefined, 3]);
    expect(m.size).toBe(2);
  });

  it('peek does not count as a use; replacing a value does', () => {
    const m = new RecentMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    m.peek('a');
    m.set('c', 3);
    expect(m.peek('a')).toBeUndefined();
    m.set('b', 20); // b used after c
    m.set('d', 4);
    expect([m.peek('b'), m.peek('c'), m.peek('d')]).toEqual([20, undefined, 4]);
  });

  it('evicts the least recently used evictable entry first, and any entry when none is evictable', () => {
    const m = new RecentMap<string, { open: boolean }>(3, (v) => !v.open);
    m.set('open-old', { open: true });
    m.set('closed-1', { open: false });
    m.set('closed-2', { open: false });
    m.set('new', { open: false });
    expect(m.peek('open-old')).toBeDefined();
    expect(m.peek('closed-1')).toBeUndefined();
    const all = new RecentMap<string, number>(2, () => false);
    all.set('a', 1);
    all.set('b', 2);
    all.set('c', 3);
    expect([all.peek('a'), all.peek('b'), all.peek('c')]).toEqual([undefined, 2, 3]);
  });

  it('stays within its capacity under many distinct keys', () => {
    const m = new RecentMap<number, number>(100);
    for (let i = 0; i < 10_000; i++) m.set(i, i);
    expect(m.size).toBe(100);
    expect([...m.values()].sort((a, b) => a - b)[0]).toBe(9_900);
  });

  it('refuses a capacity that is not positive', () => {
    expect(() => new RecentMap(0)).toThrow(/capacity/);
  });
});
