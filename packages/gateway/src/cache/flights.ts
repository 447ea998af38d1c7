/**
 * Request coalescing: concurrent identical cache misses share one upstream call. The first
 * request starts a flight and leads it; the others join it. A stream fans out: every joiner gets
 * the chunks so far, then the rest as they arrive. A JSON flight pushes no chunks: a streaming
 * joiner waits for its answer like a JSON one and replays it (each joiner gets its own shape).
 *
 * The flight belongs to everyone on it, not to its leader: the leader and each joiner `leave()`
 * when their caller goes, and only when the last one left is the flight abandoned (its `signal`
 * aborts the upstream call, and it leaves the map so a new request starts afresh). No joiner
 * fails because the leading caller left.
 */
import type { CachedAnswer } from './entry.js';
import { Cancellation, type Signal } from '../http/cancel.js';
import { ChurnTable } from './churn-table.js';

export class Flights {
  /** Not a Map: see churn-table.ts (a Map's replaced tables kept every request alive). */
  private readonly flights = new ChurnTable<Flight>();

  /** The flight in progress for `key`, if any. */
  get(key: string): Flight | undefined {
    return this.flights.get(key);
  }

  /** Flights in progress. */
  get size(): number {
    return this.flights.size;
  }

  /**
   * Starts a flight for `key`: the caller leads it and must end it with complete() or fail().
   * It leaves the map when it ends.
   * @throws Error when a flight for `key` is already in progress (join it with get() instead)
   */
  start(key: string, { streaming = true }: { streaming?: boolean } = {}): Flight {
    if (this.flights.has(key)) throw new Error(`Flights.start: a flight for ${key} is already in progress`);
    const flight = new Flight(streaming, () => {
      if (this.flights.get(key) === flight) this.flights.delete(key);
    });
    this.flights.set(key, flight);
    return flight;
  }
}

type State = { readonly kind: 'open' } | { readonly kind: 'done' } | { readonly kind: 'failed'; readonly error: unknown };

export class Flight {
  /** For JSON waiters: the final answer; rejects with the leader's error. */
  readonly result: Promise<CachedAnswer>;
  /** The provider answering, set by the leader before the first event (for joiners' headers). */
  provider = '';
  private readonly events: string[] = [];
  private wakers: Array<() => void> = [];
  private state: State = { kind: 'open' };
  private joined = 0;
  /** Callers still on the flight, the leader included. */
  private aboard = 1;
  private abandonment: Cancellation | undefined;
  private resolve!: (a: CachedAnswer) => void;
  private reject!: (e: unknown) => void;

  /**
   * @internal created by Flights.start
   * @param streaming whether the leader pushes stream events (else only the final answer comes)
   */
  constructor(
    readonly streaming: boolean,
    private readonly onEnd: () => void,
  ) {
    this.result = new Promise<CachedAnswer>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // A flight nobody joined may fail without anyone awaiting its result.
    this.result.catch(() => undefined);
  }

  /** How many requests joined (subscribe() or wait()): the coalesced requests. */
  get waiters(): number {
    return this.joined;
  }

  /** Aborts when every caller on the flight left: the upstream call serves nobody any more. */
  get signal(): Signal {
    return (this.abandonment ??= new Cancellation()).signal;
  }

  /**
   * One caller on the flight (the leader or a joiner) went away. When it was the last one the
   * flight is abandoned: `signal` aborts and the flight leaves the map (nobody new joins a call
   * being cancelled). Callers who stay to the end need not call it.
   */
  leave(): void {
    if (this.state.kind !== 'open' || --this.aboard > 0) return;
    this.onEnd();
    (this.abandonment ??= new Cancellation()).abort(new Error('every caller on the flight left'));
  }

  /** True once complete() or fail() was called. */
  get ended(): boolean {
    return this.state.kind !== 'open';
  }

  /** Hands one stream event to every subscriber. Ignored after the flight ended. */
  push(payload: string): void {
    if (this.state.kind !== 'open') return;
    this.events.push(payload);
    this.wake();
  }

  complete(answer: CachedAnswer): void {
    if (this.state.kind !== 'open') return;
    this.state = { kind: 'done' };
    this.resolve(answer);
    this.end();
  }

  fail(error: unknown): void {
    if (this.state.kind !== 'open') return;
    this.state = { kind: 'failed', error };
    this.reject(error);
    this.end();
  }

  /** Joins as a JSON waiter: the final answer (counts as one waiter). */
  wait(): Promise<CachedAnswer> {
    this.joined++;
    this.aboard++;
    return this.result;
  }

  /**
   * Joins as a streaming waiter (counts as one waiter): every event pushed so far, then the rest
   * live. Ends when the flight completes, throws the leader's error if it fails. Breaking out of
   * the loop (the caller disconnected) affects no one else.
   * @example
   * for await (const payload of flight.subscribe()) write(`data: ${payload}\n\n`);
   */
  subscribe(): AsyncIterableIterator<string> {
    this.joined++;
    this.aboard++;
    return this.replay();
  }

  private async *replay(): AsyncIterableIterator<string> {
    let next = 0;
    for (;;) {
      while (next < this.events.length) yield this.events[next++]!;
      const state = this.state;
      if (state.kind === 'done') return;
      if (state.kind === 'failed') throw state.error;
      await new Promise<void>((resolve) => this.wakers.push(resolve));
    }
  }

  private wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const w of wakers) w();
  }

  private end(): void {
    this.wake();
    this.onEnd();
  }
}
