import { describe, expect, it } from 'vitest';
import type { CachedAnswer } from '../../src/cache/entry.js';
import { Flights } from '../../src/cache/flights.js';

const answer: CachedAnswer = { kind: 'stream', events: ['a', 'b', 'c'], model: 'm', provider: 'p', createdAt: 1 };
const tick = () => new Promise((r) => setImmediate(r));

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const p of it) out.push(p);
  return out;
}

describe('Flights', () => {
  it('lets concurrent misses find one flight, and forgets it when it ends', async () => {
    const flights = new Flights();
    expect(flights.get('k')).toBeUndefined();
    const f = flights.start('k');
    expect(flights.get('k')).toBe(f);
    expect(() => flights.start('k')).toThrow(/already in progress/);
    const waiting = [flights.get('k')!.wait(), flights.get('k')!.wait()];
    expect(f.waiters).toBe(2);
    f.complete(answer);
    expect(flights.get('k')).toBeUndefined();
    expect(await Promise.all(waiting)).toEqual([answer, answer]);
    expect(flights.start('k')).not.toBe(f); // a new miss starts a new flight
  });

  it('fans stream events out to every subscriber as they arrive', async () => {
    const f = new Flights().start('k');
    const subs = [f.subscribe(), f.subscribe(), f.subscribe()];
    const seen: string[][] = subs.map(() => []);
    const done = subs.map(async (s, i) => {
      for await (const p of s) seen[i]!.push(p);
    });
    f.push('a');
    await tick();
    expect(seen).toEqual([['a'], ['a'], ['a']]); // live, before the flight ends
    f.push('b');
    f.push('c');
    await tick();
    expect(seen.every((s) => s.length === 3)).toBe(true);
    f.complete(answer);
    await Promise.all(done);
    expect(seen).toEqual([['a', 'b', 'c'], ['a', 'b', 'c'], ['a', 'b', 'c']]);
    expect(f.waiters).toBe(3);
  });

  it('replays everything so far to a late joiner, then continues live', async () => {
    const f = new Flights().start('k');
    f.push('a');
    f.push('b');
    const late = f.subscribe();
    expect((await late.next()).value).toBe('a');
    expect((await late.next()).value).toBe('b');
    const third = late.next();
    f.push('c');
    expect((await third).value).toBe('c');
    f.complete(answer);
    expect((await late.next()).done).toBe(true);
    // joining after the end still gets the whole stream
    expect(await collect(f.subscribe())).toEqual(['a', 'b', 'c']);
  });

  it('fails every waiter with the leader error, after the events that did arrive', async () => {
    const flights = new Flights();
    const f = flights.start('k');
    const sub = f.subscribe();
    const json = f.wait();
    const got: string[] = [];
    const streaming = (async () => {
      for await (const p of sub) got.push(p);
    })();
    f.push('a');
    const boom = new Error('upstream broke');
    f.fail(boom);
    await expect(streaming).rejects.toBe(boom);
    await expect(json).rejects.toBe(boom);
    expect(got).toEqual(['a']);
    expect(flights.get('k')).toBeUndefined();
    f.push('ignored');
    f.complete(answer); // no effect once ended
    await expect(f.result).rejects.toBe(boom);
  });

  it('a failed flight nobody joined raises no unhandled rejection', async () => {
    new Flights().start('k').fail(new Error('nobody listens'));
    await tick();
  });

  it('a waiter that leaves does not disturb the others or the leader', async () => {
    const f = new Flights().start('k');
    const leaver = f.subscribe();
    const stayer = f.subscribe();
    const stayed = collect(stayer);
    f.push('a');
    expect((await leaver.next()).value).toBe('a');
    await leaver.return!(undefined); // the caller disconnected
    expect((await leaver.next()).done).toBe(true);
    f.push('b');
    f.complete(answer);
    expect(await stayed).toEqual(['a', 'b']);
    expect(await f.result).toBe(answer);
  });

  it('a waiter that stops mid-wait (next pending) does not block the others', async () => {
    const f = new Flights().start('k');
    const abandoned = f.subscribe();
    const pending = abandoned.next(); // never awaited again by its caller
    const other = collect(f.subscribe());
    f.push('x');
    f.complete(answer);
    expect(await other).toEqual(['x']);
    expect((await pending).value).toBe('x');
  });

  it('is abandoned only when the last caller on it leaves: then its signal aborts and it leaves the map', () => {
    const flights = new Flights();
    const f = flights.start('k', { streaming: false });
    expect(f.streaming).toBe(false);
    void f.wait();
    void f.wait();
    f.leave(); // the leader left: two joiners still wait
    f.leave();
    expect(f.signal.aborted).toBe(false);
    expect(flights.get('k')).toBe(f);
    f.leave(); // the last one
    expect(f.signal.aborted).toBe(true);
    expect(flights.get('k')).toBeUndefined();
    expect(flights.start('k')).not.toBe(f); // a new request starts afresh
  });

  it('ignores leaving once it ended', () => {
    const f = new Flights().start('k');
    f.complete(answer);
    f.leave();
    expect(f.signal.aborted).toBe(false);
  });
});
