/**
 * The limit counters in Redis, shared by every gateway replica. One small hash per key id,
 * `<prefix>{<keyId>}`, updated by one Lua script so that check-and-count is atomic across
 * replicas; the `{keyId}` hash tag keeps a key's counters in one Redis Cluster slot. The script
 * reads the time from Redis (`TIME`), so replicas with skewed clocks still share one window.
 * It is called with EVALSHA, and loaded with EVAL when Redis answers NOSCRIPT (after a restart or
 * a `SCRIPT FLUSH`).
 */
import { createHash } from 'node:crypto';
import type { RedisClient } from '../redis/client.js';
import type { WindowState } from './window.js';

/**
 * KEYS[1]: the key's hash. ARGV: mode ('admit' | 'adjust'), window ms, then for admit: request
 * limit, token limit (0 = none), token cost; for adjust: token delta.
 * Returns {admitted 0/1, now ms, ws, rc, rp, tc, tp} with the state after the call.
 */
export const LIMIT_SCRIPT = `
local mode = ARGV[1]
local W = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local start = now - (now % W)
local h = redis.call('HMGET', KEYS[1], 'ws', 'rc', 'rp', 'tc', 'tp')
local ws = tonumber(h[1]) or start
local rc = tonumber(h[2]) or 0
local rp = tonumber(h[3]) or 0
local tc = tonumber(h[4]) or 0
local tp = tonumber(h[5]) or 0
if ws ~= start then
  if start - ws == W then rp = rc; tp = tc else rp = 0; tp = 0 end
  rc = 0; tc = 0; ws = start
end
local ok = 1
if mode == 'admit' then
  local reqLimit = tonumber(ARGV[3])
  local tokLimit = tonumber(ARGV[4])
  local cost = tonumber(ARGV[5])
  local weight = (W - (now - ws)) / W
  if reqLimit > 0 and rp * weight + rc + 1 > reqLimit then ok = 0 end
  if ok == 1 and tokLimit > 0 and tp * weight + tc + cost > tokLimit then ok = 0 end
  if ok == 1 then rc = rc + 1; tc = tc + cost end
else
  tc = tc + tonumber(ARGV[3])
  if tc < 0 then tp = math.max(0, tp + tc); tc = 0 end
end
redis.call('HSET', KEYS[1], 'ws', string.format('%d', ws), 'rc', string.format('%d', rc), 'rp', string.format('%d', rp), 'tc', string.format('%d', tc), 'tp', string.format('%d', tp))
redis.call('PEXPIRE', KEYS[1], 2 * W)
return {ok, now, ws, rc, rp, tc, tp}
`;

const SCRIPT_SHA = createHash('sha1').update(LIMIT_SCRIPT).digest('hex');

export interface StoreAnswer {
  readonly admitted: boolean;
  /** Redis's clock, ms. */
  readonly now: number;
  readonly state: WindowState;
}

/** The Redis key of one API key's counters. Braces in the id would break the hash tag. */
export function limitKey(prefix: string, keyId: string): string {
  return `${prefix}{${keyId.replace(/[{}]/g, '_')}}`;
}

export class RedisLimitStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly windowMs: number,
  ) {}

  /** Ready to take commands now (commands to a disconnected client would only fail). */
  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  admit(keyId: string, requests: number, tokens: number, cost: number): Promise<StoreAnswer> {
    return this.call(keyId, ['admit', this.windowMs, requests, tokens, cost]);
  }

  adjust(keyId: string, delta: number): Promise<StoreAnswer> {
    return this.call(keyId, ['adjust', this.windowMs, delta]);
  }

  private async call(keyId: string, args: Array<string | number>): Promise<StoreAnswer> {
    const key = limitKey(this.prefix, keyId);
    let reply: unknown;
    try {
      reply = await this.redis.evalsha(SCRIPT_SHA, 1, key, ...args);
    } catch (err) {
      if (!/NOSCRIPT/.test((err as Error).message)) throw err;
      reply = await this.redis.eval(LIMIT_SCRIPT, 1, key, ...args);
    }
    const [ok, now, ws, rc, rp, tc, tp] = (reply as number[]).map(Number) as [number, number, number, number, number, number, number];
    return { admitted: ok === 1, now, state: { ws, rc, rp, tc, tp } };
  }
}
