/**
 * Spend counters in Redis, shared by every replica: one integer per budget and period, in
 * nano-dollars (exact sums, no float drift), changed only by one Lua script so that
 * check-and-reserve is atomic. A key's counter and its team's share the team's hash tag
 * (`{team:<id>}`; a key without a team has `{key:<id>}`), so one script can reserve on both in
 * Redis Cluster too.
 */
import { createHash } from 'node:crypto';
import type { RedisClient } from '../redis/client.js';

/**
 * KEYS: the counters. ARGV[1]: 'reserve' | 'adjust' | 'read'; ARGV[2]: the amount (nano-USD);
 * then per key its limit and TTL in seconds (0: none).
 * reserve: when every counter has room for the amount, adds it to each; returns {1, spent...}
 * with the counts after, else {0, spent...} and changes nothing. adjust adds the amount (it may
 * be negative; never below zero). read returns the counts.
 */
export const SPEND_SCRIPT = `
local mode = ARGV[1]
local amount = tonumber(ARGV[2])
local spent = {}
for i, key in ipairs(KEYS) do spent[i] = tonumber(redis.call('GET', key) or '0') end
local ok = 1
if mode == 'reserve' then
  for i = 1, #KEYS do
    if spent[i] + amount > tonumber(ARGV[1 + 2 * i]) then ok = 0 end
  end
end
if (mode == 'reserve' and ok == 1) or mode == 'adjust' then
  for i, key in ipairs(KEYS) do
    local v = spent[i] + amount
    if v < 0 then v = 0 end
    spent[i] = v
    local ttl = tonumber(ARGV[2 + 2 * i])
    if ttl > 0 then redis.call('SET', key, string.format('%d', v), 'EX', ttl) else redis.call('SET', key, string.format('%d', v)) end
  end
end
local out = {ok}
for i = 1, #KEYS do out[i + 1] = string.format('%d', spent[i]) end
return out
`;

const SCRIPT_SHA = createHash('sha1').update(SPEND_SCRIPT).digest('hex');

/** One budget's counter for one period. */
export interface Counter {
  /** The Redis key (hash-tagged). */
  readonly key: string;
  /** The budget, nano-USD. */
  readonly limit: number;
  readonly ttlSeconds: number | undefined;
}

export interface SpendAnswer {
  readonly ok: boolean;
  /** Each counter's spend after the call, nano-USD. */
  readonly spent: number[];
}

export class RedisSpendStore {
  constructor(private readonly redis: RedisClient) {}

  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  call(mode: 'reserve' | 'adjust' | 'read', counters: readonly Counter[], amount: number): Promise<SpendAnswer> {
    const args: Array<string | number> = [mode, Math.round(amount)];
    for (const c of counters) args.push(Math.round(c.limit), c.ttlSeconds ?? 0);
    return this.eval(counters.map((c) => c.key), args);
  }

  private async eval(keys: string[], args: Array<string | number>): Promise<SpendAnswer> {
    let reply: unknown;
    try {
      reply = await this.redis.evalsha(SCRIPT_SHA, keys.length, ...keys, ...args);
    } catch (err) {
      if (!/NOSCRIPT/.test((err as Error).message)) throw err;
      reply = await this.redis.eval(SPEND_SCRIPT, keys.length, ...keys, ...args);
    }
    const [ok, ...spent] = (reply as Array<string | number>).map(Number) as [number, ...number[]];
    return { ok: ok === 1, spent };
  }
}

/**
 * The same counters in this replica's memory: the store without Redis, and the fallback while
 * Redis is down. What it counted while Redis was away is kept as a pending delta per counter,
 * added to Redis once it answers again, so replicas share the spend again.
 */
export class LocalSpendStore {
  private readonly spent = new Map<string, number>();
  private readonly pending = new Map<string, { counter: Counter; delta: number }>();

  call(mode: 'reserve' | 'adjust' | 'read', counters: readonly Counter[], amount: number, trackPending: boolean): SpendAnswer {
    const now = counters.map((c) => this.spent.get(c.key) ?? 0);
    if (mode === 'read') return { ok: true, spent: now };
    if (mode === 'reserve' && counters.some((c, i) => now[i]! + amount > c.limit)) return { ok: false, spent: now };
    const after = counters.map((c, i) => {
      const v = Math.max(0, now[i]! + amount);
      this.spent.set(c.key, v);
      if (trackPending) this.pending.set(c.key, { counter: c, delta: (this.pending.get(c.key)?.delta ?? 0) + amount });
      return v;
    });
    return { ok: true, spent: after };
  }

  /** What Redis said the counters are: this replica's view starts from there. */
  learn(counters: readonly Counter[], spent: readonly number[]): void {
    counters.forEach((c, i) => this.spent.set(c.key, spent[i]!));
  }

  /** Takes the deltas counted while Redis was away. */
  takePending(): Array<{ counter: Counter; delta: number }> {
    const out = [...this.pending.values()];
    this.pending.clear();
    return out;
  }

  /** Puts a delta back that could not be handed to Redis yet. */
  restore(counter: Counter, delta: number): void {
    this.pending.set(counter.key, { counter, delta: (this.pending.get(counter.key)?.delta ?? 0) + delta });
  }

  get hasPending(): boolean {
    return this.pending.size > 0;
  }
}
