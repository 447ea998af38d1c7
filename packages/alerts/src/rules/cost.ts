/** Cost: upstream spend and budgets, routed to Slack #finops rather than on-call. */
import { budgetSpendRatio, Dashboards, num, percent, spend, usd } from '@llm-edge/monitoring';
import type { CategoryRules, RuleContext } from './context.js';

export const costRules = {
  category: 'cost',
  build: ({ config, scope }: RuleContext) => {
    const lastHour = spend(scope, '1h');
    return {
      HighDailyCost: {
        expr: `${spend(scope, config.dailyCostWindow)} > ${num(config.dailyCostUsd)}`,
        severity: 'warning',
        summary: `Upstream LLM spend over the last ${config.dailyCostWindow} is above ${usd(config.dailyCostUsd)}.`,
        description:
          `Upstream spend over the last ${config.dailyCostWindow} is ` +
          '${{ printf "%.2f" $value }} ' +
          `(threshold ${usd(config.dailyCostUsd)}).`,
        dashboard: Dashboards.costAnalytics.title,
      },
      CostSpike: {
        // Yesterday's hour is filtered to > 0: with no spend (or no data) yesterday there is no
        // baseline and the rule stays quiet; HighDailyCost still watches the absolute amount.
        // The floor on the last hour keeps cents from looking like a spike.
        expr:
          `${lastHour} / (${spend(scope, '1h', '1d')} > 0) > ${num(config.costSpikeRatio)} ` +
          `and on () ${lastHour} >= ${num(config.costSpikeMinUsd)}`,
        severity: 'info',
        summary: `Upstream LLM spend in the last hour is more than ${config.costSpikeRatio}x the same hour yesterday.`,
        description:
          'Spend in the last hour is {{ printf "%.2f" $value }}x the spend in the same hour yesterday ' +
          `(threshold ${config.costSpikeRatio}x; hours under ${usd(config.costSpikeMinUsd)}, and hours with no spend yesterday, are ignored).`,
        dashboard: Dashboards.costAnalytics.title,
      },
      BudgetNearlyExhausted: {
        // Per key and per team (scope, id), over the fleet: each replica exports the spend it last
        // saw, so the measure takes the largest. Reached, not passed: `>=`.
        expr: `${budgetSpendRatio(scope)} >= ${num(config.budgetSpendRatio)}`,
        severity: 'warning',
        summary: `A key or team has spent ${percent(config.budgetSpendRatio)} or more of its budget for the current period.`,
        description:
          'The {{ $labels.scope }} {{ $labels.id }} has spent {{ $value | humanizePercentage }} of its budget for the current period ' +
          `(threshold ${percent(config.budgetSpendRatio)}); once the budget is spent, its requests are refused with 429 budget_exceeded until the period resets.`,
        dashboard: Dashboards.costAnalytics.title,
      },
    };
  },
} satisfies CategoryRules<'HighDailyCost' | 'CostSpike' | 'BudgetNearlyExhausted'>;
