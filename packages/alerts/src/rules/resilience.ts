/** Resilience: the gateway is working around a failing provider. */
import { BreakerState, Metrics } from '@llm-edge/semconv';
import { Dashboards } from '@llm-edge/monitoring';
import type { CategoryRules, RuleContext } from './context.js';

export const resilienceRules = {
  category: 'resilience',
  build: ({ gateway }: RuleContext) => ({
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
  }),
} satisfies CategoryRules<'CircuitBreakerOpen'>;
