/**
 * Resilience: the gateway is working around a failure: a failing provider, or a config file it
 * refused (it keeps serving the config in force).
 */
import { BreakerState, Metrics } from '@llm-edge/semconv';
import { Dashboards, refusedReloads } from '@llm-edge/monitoring';
import type { CategoryRules, RuleContext } from './context.js';

export const resilienceRules = {
  category: 'resilience',
  build: ({ config, scope, gateway }: RuleContext) => ({
    CircuitBreakerOpen: {
      // "Not closed" rather than "== open": a breaker whose half-open probes keep failing
      // alternates open/half-open, and a scrape that lands on half-open must not reset `for`.
      expr: `${gateway(Metrics.circuitBreakerState)} > ${BreakerState.closed}`,
      severity: 'warning',
      summary: 'A provider circuit breaker has stayed open.',
      description:
        'The circuit breaker of provider {{ $labels.provider }} on gateway instance {{ $labels.instance }} ' +
        `is in state {{ $value }} (${BreakerState.open} open, ${BreakerState.halfOpen} half-open) and has not closed; ` +
        'its traffic goes to fallbacks.',
      dashboard: Dashboards.providerMetrics.title,
    },
    ConfigReloadFailed: {
      // Active for `configReloadWindow` after each refusal; `for` is 0s because a refusal is an
      // event, not a state that has to last.
      expr: refusedReloads(scope, config.configReloadWindow),
      severity: 'warning',
      summary: 'A gateway instance refused a reload of its config file.',
      description:
        `Gateway instance {{ $labels.instance }} refused a reload of its config file in the last ${config.configReloadWindow}; ` +
        'it keeps serving the config it had, so the keys, limits or budgets of the new file are not in force. ' +
        'Its log line "config reload refused" names the bad field.',
      dashboard: Dashboards.costAnalytics.title,
    },
  }),
} satisfies CategoryRules<'CircuitBreakerOpen' | 'ConfigReloadFailed'>;
