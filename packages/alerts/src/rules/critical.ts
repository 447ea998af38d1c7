/** Critical: the gateway cannot serve. These page (PagerDuty and Slack #incidents). */
import { ExternalMetrics, Metrics } from '@llm-edge/semconv';
import { Dashboards, errorRatio, num, percent } from '@llm-edge/monitoring';
import type { CategoryRules, RuleContext } from './context.js';

export const criticalRules = {
  category: 'critical',
  build: ({ config, scope, gateway }: RuleContext) => {
    const up = gateway(ExternalMetrics.up);
    const upByTarget = `max by (job, instance) (${up})`;
    return {
      LLMEdgeAgentDown: {
        // `up == 0` covers a target Prometheus cannot scrape; absent() covers every target
        // vanishing from service discovery (scaled to zero, wrong labels), when `up` has no series.
        expr: `${up} == 0 or absent(${up})`,
        severity: 'critical',
        summary: 'A gateway scrape target is down or no gateway target exists.',
        description:
          `{{ if $labels.instance }}Prometheus cannot scrape gateway target {{ $labels.instance }} (job {{ $labels.job }}).` +
          `{{ else }}No scrape target matches ${config.gatewaySelector}.{{ end }}`,
        dashboard: Dashboards.systemHealth.title,
      },
      HighErrorRate: {
        // The measure filters an idle denominator away: an idle gateway gives no sample, not NaN.
        expr: `${errorRatio(scope)} > ${num(config.errorRatio)}`,
        severity: 'critical',
        summary: `More than ${percent(config.errorRatio)} of gateway responses are 5xx errors.`,
        description:
          `{{ $value | humanizePercentage }} of gateway responses over the last ${config.rateWindow} ` +
          `had a 5xx status (threshold ${percent(config.errorRatio)}).`,
        dashboard: Dashboards.requestOverview.title,
      },
      AllProvidersDown: {
        // Per gateway instance: each replica routes on its own health view. An instance that is up
        // but exports no provider_health series at all (no provider configured, none registered)
        // counts as 0 through the `or`; an instance that is down is left to LLMEdgeAgentDown.
        expr:
          `(max by (job, instance) (${gateway(Metrics.providerHealth)}) or on (job, instance) ${upByTarget} * 0) < 1 ` +
          `and on (job, instance) ${upByTarget} == 1`,
        severity: 'critical',
        summary: 'A gateway instance has no healthy LLM provider to route to.',
        description:
          `Gateway instance {{ $labels.instance }} reports no provider with ${Metrics.providerHealth.name} = 1, ` +
          'so every request it routes upstream fails.',
        dashboard: Dashboards.providerMetrics.title,
      },
    };
  },
} satisfies CategoryRules<'LLMEdgeAgentDown' | 'HighErrorRate' | 'AllProvidersDown'>;
