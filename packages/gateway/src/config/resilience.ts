/**
 * Resilience settings: retries, the retry budget, circuit breakers, least-latency scoring and where
 * per-key limits are kept. Per-attempt timeouts live with each provider
 * (`providers.<name>.timeouts`); the limits themselves with each key (`auth.keys[].limits`).
 */
import { z } from 'zod';

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

export const RetrySchema = z
  .object({
    /** Attempts on one target, the first included (1 = never retry; the fallback chain still applies). */
    maxAttempts: positiveInt.max(10).default(3),
    /** First retry waits up to this long (full jitter: a random delay in [0, cap)). */
    baseDelayMs: nonNegativeInt.default(100),
    /** Ceiling of the exponential cap `baseDelayMs * 2^(retry-1)`. */
    maxDelayMs: nonNegativeInt.default(2_000),
    /**
     * Longest `retry-after` the gateway waits for before retrying the same target; a provider
     * that asks for longer is passed over for the next target at once.
     */
    retryAfterCapMs: nonNegativeInt.default(5_000),
    /** Provider statuses retried on the same target (network errors and timeouts always are). */
    statuses: z.array(z.number().int().min(400).max(599)).default([408, 429, 500, 502, 503, 504, 529]),
  })
  .strict()
  .refine((r) => r.maxDelayMs >= r.baseDelayMs, { message: 'maxDelayMs must be >= baseDelayMs', path: ['maxDelayMs'] });

export const RetryBudgetSchema = z
  .object({
    /** Retries to a provider may be at most this share of its requests over the window. */
    ratio: z.number().min(0).max(1).default(0.2),
    /** Retries always allowed per window, so a quiet gateway can still retry. */
    minRetries: nonNegativeInt.default(10),
    windowMs: positiveInt.default(10_000),
  })
  .strict();

export const BreakerSchema = z
  .object({
    /** Consecutive failures that open a closed breaker. */
    failureThreshold: positiveInt.default(5),
    /** Failure share over `windowMs` that opens it, once `minRequests` were seen. */
    errorRatio: z.number().gt(0).max(1).default(0.5),
    windowMs: positiveInt.default(30_000),
    minRequests: positiveInt.default(20),
    /** How long an open breaker refuses calls before letting probes through. */
    coolDownMs: positiveInt.default(30_000),
    /** Concurrent probes a half-open breaker lets through. */
    halfOpenProbes: positiveInt.default(1),
  })
  .strict();

export const LeastLatencySchema = z
  .object({
    /** Weight of the newest latency sample in the moving average. */
    ewmaAlpha: z.number().gt(0).max(1).default(0.3),
    /** A target with no sample this recent is measured again as if untried. */
    staleAfterMs: positiveInt.default(60_000),
  })
  .strict();

export const LimitsStoreSchema = z
  .object({
    /** Redis key prefix of the limit counters: apart from the cache's, so eviction there never drops a limit. */
    keyPrefix: z.string().min(1).default('llm-edge:ratelimit:'),
    /** Bound on each Redis limit check; slower answers fall back to the local limiter. */
    redisTimeoutMs: positiveInt.default(50),
  })
  .strict();

export const ResilienceSchema = z
  .object({
    /**
     * The whole request's deadline across attempts, retries and fallbacks, until the answer starts
     * (a JSON answer complete, a stream's first event); callers may ask for less with
     * `x-llm-edge-timeout`. Ten minutes: the OpenAI SDKs' own timeout, past which the caller
     * has given up anyway.
     */
    requestTimeoutMs: positiveInt.default(600_000),
    retry: RetrySchema.default(RetrySchema.parse({})),
    budget: RetryBudgetSchema.default(RetryBudgetSchema.parse({})),
    breaker: BreakerSchema.default(BreakerSchema.parse({})),
    leastLatency: LeastLatencySchema.default(LeastLatencySchema.parse({})),
    limits: LimitsStoreSchema.default(LimitsStoreSchema.parse({})),
  })
  .strict();

export type ResilienceConfig = z.infer<typeof ResilienceSchema>;
export type RetryConfig = z.infer<typeof RetrySchema>;
export type RetryBudgetConfig = z.infer<typeof RetryBudgetSchema>;
export type BreakerConfig = z.infer<typeof BreakerSchema>;
export type LeastLatencyConfig = z.infer<typeof LeastLatencySchema>;
export type LimitsStoreConfig = z.infer<typeof LimitsStoreSchema>;
