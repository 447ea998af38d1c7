/**
 * Tokens and dollars: every answer's usage goes to `tokens_total` and `cost_usd_total`, and
 * every answer served from cache to `cache_savings_usd_total` (what it would have cost).
 */
import { TokenType } from '@llm-edge/semconv';
import type { Usage } from '../api/types.js';
import type { Telemetry } from './index.js';

/** Records upstream usage; returns its cost in dollars. */
export function recordUsage(t: Telemetry, provider: string, model: string, usage: Usage | undefined): number {
  if (!usage) return 0;
  const m = t.metrics;
  const label = m.modelLabel(model);
  m.child('tokensTotal', provider, label, TokenType.prompt).inc(usage.prompt_tokens);
  m.child('tokensTotal', provider, label, TokenType.completion).inc(usage.completion_tokens);
  const cost = t.prices.cost(model, usage);
  if (cost > 0) m.child('costUsdTotal', provider, label).inc(cost);
  return cost;
}

/** Records what a cache hit saved; returns the amount. */
export function recordSavings(t: Telemetry, model: string, usage: Usage | undefined): number {
  const saved = t.prices.cost(model, usage);
  if (saved > 0) t.metrics.child('cacheSavingsUsdTotal', t.metrics.modelLabel(model)).inc(saved);
  return saved;
}
