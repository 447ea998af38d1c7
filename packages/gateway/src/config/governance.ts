/**
 * Spend governance settings: budgets of keys and teams (`auth.keys[].budget`, `auth.teams[]`),
 * the models a key may use (`auth.keys[].models`), and what budgets do while Redis is down.
 */
import { z } from 'zod';

export const BudgetSchema = z
  .object({
    /** US dollars the period may spend (not rounded to cents). */
    usd: z.number().positive(),
    /** `day` and `month` start at UTC midnight and on the 1st; `total` never resets. */
    period: z.enum(['day', 'month', 'total']),
  })
  .strict();
export type Budget = z.infer<typeof BudgetSchema>;
export type BudgetPeriod = Budget['period'];

export const TeamSchema = z
  .object({
    id: z.string().regex(/^[\w.:-]{1,128}$/, 'expected 1 to 128 letters, digits, or . _ : -'),
    /** A budget every key of the team shares (each key's own still binds). */
    budget: BudgetSchema.optional(),
  })
  .strict();
export type TeamConfig = z.infer<typeof TeamSchema>;

/** An allow-list entry: an exact model name, or a glob where `*` matches any run of characters. */
export const ModelPatternSchema = z.string().min(1).max(256);

export const GovernanceSchema = z
  .object({
    /**
     * With Redis unreachable: `local` (each replica counts from the last spend it knew, and
     * shares its count again when Redis is back) or `deny` (budgeted keys get 503).
     */
    redisDown: z.enum(['local', 'deny']).default('local'),
    /** Redis key prefix of the spend counters: apart from the cache's and the limits'. */
    keyPrefix: z.string().min(1).default('llm-edge:budget:'),
    /** Bound on each Redis budget call; slower answers count as Redis down. */
    redisTimeoutMs: z.number().int().positive().default(100),
  })
  .strict();
export type GovernanceConfig = z.infer<typeof GovernanceSchema>;
