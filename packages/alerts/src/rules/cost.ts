/** Cost: upstream spend, routed to Slack #finops rather than on-call. */
import { Metrics } from '@llm-edge/semconv';
import { usd } from '../format.js';
import { Dashboard } from '../model.js';
import { num } from '../promql.js';
import type { CategoryRules, RuleContext } from './context.js';

export const costRules = {
  category: 'cost',
  build: ({ config, gateway }: RuleContext) => {
    const spend = (range: string, offset = '') =>
      `sum(increase(${gateway(Metrics.costUsdTotal.name)}[${range}]${offset && ` offset ${offset}`}))`;
    return {
      HighDailyCost: {
        expr: `${spend('24h')} > ${num(config.dailyCostUsd)}`,
        severity: 'warning',
        summary: `Upstream LLM spend over the last 24h is above ${usd(config.dailyCostUsd)}.`,
        description:
          'Upstream spend over the last 24h is ${{ printf "%.2f" $value }} ' +
          `(threshold ${usd(config.dailyCostUsd)}).`,
        dashboard: Dashboard.costAnalytics,
      },
      CostSpike: {
        // Yesterday's hour is filtered to > 0: with no spend (or no data) yesterday there is no
        // baseline and the rule stays quiet; HighDailyCost still watches the absolute amount.
        // The floor on the last hour keeps cents from looking like a spike.
        expr:
          `${spend('1h')} / (${spend('1h', '1d')} > 0) > ${num(config.costSpikeRatio)} ` +
          `and on () ${spend('1h')} >= ${num(config.costSpikeMinUsd)}`,
        severity: 'info',
        summary: `Upstream LLM spend in the last hour is more than ${config.costSpikeRatio}x the same hour yesterday.`,
        description:
          'Spend in the last hour is {{ printf "%.2f" $value }}x the spend in the same hour yesterday ' +
          `(threshold ${config.costSpikeRatio}x; hours under ${usd(config.costSpikeMinUsd)}, and hours with no spend yesterday, are ignored).`,
        dashboard: Dashboard.costAnalytics,
      },
    };
  },
} satisfies CategoryRules<'HighDailyCost' | 'CostSpike'>;
