/**
 * The settle step: what an answer used and cost, estimated from text when the provider reported
 * no usage, counted in tokens_total and cost_usd_total, and the caller's token limit corrected
 * with the real figure.
 */
import type { Usage } from '../api/types.js';
import type { Caller } from '../auth/api-keys.js';
import type { RateLimiter } from '../limits/rate-limiter.js';
import type { Target } from '../routing/router.js';
import type { Telemetry } from '../telemetry/index.js';
import { estimateTextTokens } from '../telemetry/tokens.js';
import { recordUsage } from '../telemetry/usage.js';

export interface Settlement {
  readonly usage: Usage;
  readonly usageEstimated: boolean;
  readonly costUsd: number;
}

export interface SettleInput {
  readonly caller: Caller;
  readonly target: Target;
  /** Tokens the request was admitted for. */
  readonly admittedTokens: number;
  /** What the provider reported, if anything. */
  readonly usage: Usage | undefined;
  /** Prompt tokens by estimate, for when the provider reported none. */
  readonly estimatedPrompt: () => number;
  /** The answer's text, for the completion estimate (read only when needed). */
  readonly text: () => string;
}

export function settle(telemetry: Telemetry, limits: RateLimiter, s: SettleInput): Settlement {
  let usage = s.usage;
  const usageEstimated = usage === undefined;
  if (!usage) {
    const prompt = s.estimatedPrompt();
    const completion = estimateTextTokens(s.text());
    usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  }
  const costUsd = recordUsage(telemetry, s.target.provider.name, s.target.model, usage);
  void limits.reconcile(s.caller, s.admittedTokens, usage.total_tokens);
  return { usage, usageEstimated, costUsd };
}
