/**
 * Per-key limits: requests and tokens per minute for each API key (`auth.keys[].limits`).
 * A request is admitted against its estimated tokens before the provider call and the count is
 * corrected with the real usage after it (`reconcile`). With Redis, the counters are shared by
 * every replica (redis-store.ts); when Redis is down, slow (over `redisTimeoutMs`) or not
 * configured, each replica limits on its own counters, so a key gets at most its limit per
 * replica during an outage instead of no limit or no service. A key without limits costs
 * nothing: no counter, no Redis call.
 */
import { LimitsStoreSchema, type LimitsStoreConfig } from '../config/resilience.js';
import type { Caller } from '../auth/api-keys.js';
import { GatewayError } from '../http/errors.js';
import type { RedisClient } from '../redis/client.js';
import { logThrottle } from '../redis/throttle.js';
import type { Logger } from '../telemetry/logger.js';
import type { GatewayMetrics } from '../telemetry/metrics.js';
import { formatDuration, limitHeaders, refusal } from './headers.js';
import { RedisLimitStore, type StoreAnswer } from './redis-store.js';
import { adjustTokens, admit, roll, WINDOW_MS, type Limits, type WindowState } from './window.js';

export interface RateLimiterOptions {
  /** Clock of the local counters (default `Date.now`); the Redis ones use Redis's clock. */
  readonly clock?: () => number;
}

/** Where the counters live right now, for `/ready`. */
export type LimitStoreState = 'redis' | 'local' | 'local-fallback';

export class RateLimiter {
  private readonly local = new Map<string, WindowState>();
  private readonly store: RedisLimitStore | undefined;
  private readonly clock: () => number;
  private readonly warn = logThrottle();
  private fellBack = false;

  /**
   * @param config key prefix and Redis timeout (`resilience.limits`)
   * @param redis shared counters; without it every replica counts alone
   * @example
   * const limits = new RateLimiter(config.resilience.limits, redis, metrics, log);
   * x.extraHeaders = await limits.admit(caller, estimateRequestTokens(request));
   */
  constructor(
    private readonly config: LimitsStoreConfig = LimitsStoreSchema.parse({}),
    redis?: RedisClient,
    private readonly metrics?: GatewayMetrics,
    private readonly log?: Logger,
    options: RateLimiterOptions = {},
  ) {
    this.store = redis ? new RedisLimitStore(redis, config.keyPrefix, WINDOW_MS) : undefined;
    this.clock = options.clock ?? Date.now;
  }

  /** 'redis' when the shared counters are in use, else the local ones. */
  get state(): LimitStoreState {
    if (!this.store) return 'local';
    return this.store.ready && !this.fellBack ? 'redis' : 'local-fallback';
  }

  /**
   * Admits one request of `estimatedTokens` for the caller.
   * @throws GatewayError 429 `rate_limit_error` with `retry-after` and `x-ratelimit-*` headers when over a limit
   * @returns headers to add to the answer (`x-ratelimit-*`; none for a key without limits)
   */
  async admit(caller: Caller, estimatedTokens: number): Promise<Record<string, string>> {
    const limits = limitsOf(caller);
    if (!limits) return {};
    const cost = tokenCost(estimatedTokens);
    const remote = await this.remote((store) => store.admit(caller.keyId, limits.requests, limits.tokens, cost));
    let answer: StoreAnswer;
    if (remote) {
      answer = remote;
      // Keep this replica's own view current, so a fall-back starts from recent counts.
      if (remote.admitted) this.countLocally(caller.keyId, cost);
    } else {
      const now = this.clock();
      const state = this.localState(caller.keyId);
      answer = { admitted: admit(state, limits, cost, now), now, state };
    }
    if (!answer.admitted) {
      this.metrics?.get('rateLimitedTotal').inc();
      throw tooManyRequests(caller.keyId, answer, limits, cost);
    }
    return limitHeaders(answer.state, limits, answer.now);
  }

  /** Corrects the token count once the real usage is known. Never throws. */
  async reconcile(caller: Caller, estimatedTokens: number, actualTokens: number): Promise<void> {
    const limits = limitsOf(caller);
    const delta = Math.round(actualTokens - tokenCost(estimatedTokens));
    if (!limits || limits.tokens === 0 || delta === 0 || !Number.isFinite(delta)) return;
    adjustTokens(this.localState(caller.keyId), delta, this.clock());
    await this.remote((store) => store.adjust(caller.keyId, delta));
  }

  /** The Redis client belongs to whoever created it; there is nothing else to release. */
  async close(): Promise<void> {}

  /** Runs a store call bounded by `redisTimeoutMs`; undefined when Redis cannot answer in time. */
  private async remote(call: (store: RedisLimitStore) => Promise<StoreAnswer>): Promise<StoreAnswer | undefined> {
    const store = this.store;
    if (!store) return undefined;
    if (!store.ready) {
      this.fallBack('redis is not connected');
      return undefined;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const answer = await Promise.race([
        call(store),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${this.config.redisTimeoutMs} ms`)), this.config.redisTimeoutMs);
        }),
      ]);
      if (this.fellBack) {
        this.fellBack = false;
        this.log?.info({ msg: 'rate limits are shared through redis again' });
      }
      return answer;
    } catch (err) {
      this.fallBack((err as Error).message);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  private fallBack(reason: string): void {
    this.fellBack = true;
    this.warn((suppressed) => this.log?.warn({ msg: 'rate limits fall back to this replica\'s local counters', reason, suppressed }));
  }

  private localState(keyId: string): WindowState {
    let state = this.local.get(keyId);
    if (!state) this.local.set(keyId, (state = { ws: 0, rc: 0, rp: 0, tc: 0, tp: 0 }));
    return state;
  }

  private countLocally(keyId: string, cost: number): void {
    const state = this.localState(keyId);
    roll(state, this.clock());
    state.rc += 1;
    state.tc += cost;
  }
}

/**
 * Tokens a request is counted for. Estimates are finite by construction (telemetry/tokens.ts);
 * should one not be, it counts as more than any limit: `NaN` passes every comparison and would
 * switch the limit off.
 */
function tokenCost(estimated: number): number {
  return Number.isFinite(estimated) ? Math.max(0, Math.ceil(estimated)) : Number.MAX_SAFE_INTEGER;
}

function limitsOf(caller: Caller): Limits | undefined {
  const requests = caller.limits.requestsPerMinute ?? 0;
  const tokens = caller.limits.tokensPerMinute ?? 0;
  return requests > 0 || tokens > 0 ? { requests, tokens } : undefined;
}

function tooManyRequests(keyId: string, answer: StoreAnswer, limits: Limits, cost: number): GatewayError {
  const why = refusal(answer.state, limits, cost, answer.now);
  const headers = limitHeaders(answer.state, limits, answer.now);
  if (!Number.isFinite(why.retryAfterMs)) {
    return new GatewayError(429, 'rate_limit_error',
      `Request too large for key '${keyId}' on tokens per minute: Limit ${why.limit}, Requested ${why.requested}. Send fewer tokens (or a lower max_tokens).`,
      null, 'rate_limit_exceeded', { ...headers, 'retry-after': String(WINDOW_MS / 1000) });
  }
  return new GatewayError(429, 'rate_limit_error',
    `Rate limit reached for key '${keyId}' on ${why.dimension} per minute: Limit ${why.limit}, Used ${why.used}, Requested ${why.requested}. Please try again in ${formatDuration(why.retryAfterMs)}.`,
    null, 'rate_limit_exceeded', { ...headers, 'retry-after': String(Math.max(1, Math.ceil(why.retryAfterMs / 1000))) });
}
