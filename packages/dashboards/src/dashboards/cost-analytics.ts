/**
 * Cost Analytics: upstream spend per provider and model, what the cache saved, the trend, and the
 * budgets of keys and teams (spend against budget, refusals, config reloads).
 */
import { BudgetScope, Label, Metrics } from '@llm-edge/semconv';
import { Dashboards, eq, forOf, percent, sumBy, usd } from '@llm-edge/monitoring';
import type { DashboardSpec } from '../build-dashboard.js';
import { barGaugePanel, redAbove, statPanel, timeSeriesPanel } from '../panels.js';
import type { PromLabel } from '@llm-edge/monitoring';
import { alertConfig, budgetGauge, budgetSpendRatio, gateway, increase, rate, spend } from '../queries.js';

const SECONDS_PER_HOUR = 3600;

/** Dollars per hour, from the per-second rate of a dollar counter. */
function usdPerHour(metric: typeof Metrics.costUsdTotal | typeof Metrics.cacheSavingsUsdTotal, by: readonly PromLabel[]): string {
  return `${sumBy(by, rate(gateway(metric)))} * ${SECONDS_PER_HOUR}`;
}

/** A bar gauge of the share of budget spent per key or per team, with BudgetNearlyExhausted's limit. */
function budgetUsedPanel(scope: (typeof BudgetScope)[keyof typeof BudgetScope], title: string) {
  return barGaugePanel({
    title,
    description:
      `Spend in the current period over the budget, per ${scope} id (the freshest replica's view). ` +
      'At 100% its requests are refused with 429 budget_exceeded. ' +
      `BudgetNearlyExhausted fires at ${percent(alertConfig.budgetSpendRatio)} for ${forOf(alertConfig, 'BudgetNearlyExhausted')}.`,
    unit: 'percentunit',
    queries: [{ expr: budgetSpendRatio(eq(Label.scope, scope)), legend: '{{id}}', instant: true }],
    thresholds: redAbove(alertConfig.budgetSpendRatio),
    min: 0,
    max: 1,
  });
}

const saved = (): string => sumBy([], increase(gateway(Metrics.cacheSavingsUsdTotal)));
/** HighDailyCost's measure over its window (24h). */
const dailySpend = (): string => spend(alertConfig.dailyCostWindow);

export function costAnalytics(): DashboardSpec {
  return {
    ...Dashboards.costAnalytics,
    description: 'Upstream spend per provider and model, savings from the cache, and the spend trend against the cost alerts.',
    from: 'now-24h',
    panels: [
      statPanel({
        title: 'Spend, last 24 hours',
        description: `Upstream spend over the last 24 hours. HighDailyCost fires above ${usd(alertConfig.dailyCostUsd)} for ${forOf(alertConfig, 'HighDailyCost')}.`,
        unit: 'currencyUSD',
        queries: [{ expr: dailySpend(), legend: 'spend' }],
        thresholds: redAbove(alertConfig.dailyCostUsd),
      }),
      statPanel({
        title: 'Spend in range',
        description: 'Upstream spend over the selected time range.',
        unit: 'currencyUSD',
        queries: [{ expr: spend(), legend: 'spend', instant: true }],
      }),
      statPanel({
        title: 'Saved by cache in range',
        description: 'Spend avoided by answering from cache, over the selected time range.',
        unit: 'currencyUSD',
        queries: [{ expr: saved(), legend: 'saved', instant: true }],
      }),
      statPanel({
        title: 'Share saved by cache',
        description: 'Saved by cache over what the traffic would have cost without it, over the selected time range.',
        unit: 'percentunit',
        queries: [{ expr: `${saved()} / (${saved()} + ${spend()})`, legend: 'saved', instant: true }],
        min: 0,
        max: 1,
      }),
      timeSeriesPanel({
        title: 'Spend per hour by provider',
        description: 'Upstream spend rate in US dollars per hour, by provider.',
        unit: 'currencyUSD',
        queries: [{ expr: usdPerHour(Metrics.costUsdTotal, ['provider']), legend: '{{provider}}' }],
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Spend per hour by model',
        description: 'Upstream spend rate in US dollars per hour, by provider and model.',
        unit: 'currencyUSD',
        queries: [{ expr: usdPerHour(Metrics.costUsdTotal, ['provider', 'model']), legend: '{{provider}} / {{model}}' }],
        min: 0,
      }),
      barGaugePanel({
        title: 'Spend by model in range',
        description: 'Upstream spend over the selected time range, by provider and model.',
        unit: 'currencyUSD',
        queries: [
          {
            expr: sumBy(['provider', 'model'], increase(gateway(Metrics.costUsdTotal))),
            legend: '{{provider}} / {{model}}',
            instant: true,
          },
        ],
        min: 0,
      }),
      barGaugePanel({
        title: 'Saved by cache by model in range',
        description: 'Spend avoided by answering from cache over the selected time range, by model.',
        unit: 'currencyUSD',
        queries: [
          { expr: sumBy(['model'], increase(gateway(Metrics.cacheSavingsUsdTotal))), legend: '{{model}}', instant: true },
        ],
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Rolling 24-hour spend',
        description: 'Spend over the 24 hours before each point; the dashed line is the HighDailyCost limit.',
        unit: 'currencyUSD',
        queries: [{ expr: dailySpend(), legend: 'last 24h' }],
        thresholds: redAbove(alertConfig.dailyCostUsd),
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Hourly spend vs yesterday',
        description: 'Spend over the hour before each point, and over the same hour one day earlier.',
        unit: 'currencyUSD',
        queries: [
          { expr: spend('1h'), legend: 'last hour' },
          { expr: spend('1h', '1d'), legend: 'same hour yesterday' },
        ],
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Spend growth vs yesterday',
        description: `Last hour's spend over the same hour yesterday. CostSpike fires above ${alertConfig.costSpikeRatio}x for ${forOf(alertConfig, 'CostSpike')}.`,
        unit: 'percentunit',
        queries: [{ expr: `${spend('1h')} / ${spend('1h', '1d')}`, legend: 'today / yesterday' }],
        thresholds: redAbove(alertConfig.costSpikeRatio),
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Saved by cache per hour by model',
        description: 'Spend avoided by answering from cache, in US dollars per hour, by model.',
        unit: 'currencyUSD',
        queries: [{ expr: usdPerHour(Metrics.cacheSavingsUsdTotal, ['model']), legend: '{{model}}' }],
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Tokens per second',
        description: 'Tokens used upstream per second, by provider and type (prompt, completion).',
        unit: 'short',
        queries: [{ expr: sumBy(['provider', 'type'], rate(gateway(Metrics.tokensTotal))), legend: '{{provider}} {{type}}' }],
        min: 0,
        width: 24,
      }),
      budgetUsedPanel(BudgetScope.key, 'Budget used per key'),
      budgetUsedPanel(BudgetScope.team, 'Budget used per team'),
      timeSeriesPanel({
        title: 'Spend against budget',
        description: "Each key's and team's spend in its current period (reservations in flight included) and its budget, in US dollars.",
        unit: 'currencyUSD',
        queries: [
          { expr: budgetGauge(Metrics.budgetSpendUsd), legend: '{{scope}} {{id}} spent' },
          { expr: budgetGauge(Metrics.budgetUsd), legend: '{{scope}} {{id}} budget' },
        ],
        min: 0,
      }),
      barGaugePanel({
        title: 'Budget remaining',
        description: 'What is left of each key and team budget in its current period, in US dollars.',
        unit: 'currencyUSD',
        queries: [{ expr: budgetGauge(Metrics.budgetRemainingUsd), legend: '{{scope}} {{id}}', instant: true }],
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Budget refusals',
        description: 'Requests per second refused with 429 budget_exceeded because a key or team budget could not afford their worst-case cost, by the budget that refused them.',
        unit: 'reqps',
        queries: [{ expr: sumBy([Label.scope, Label.id], rate(gateway(Metrics.budgetRefusalsTotal))), legend: '{{scope}} {{id}}' }],
        min: 0,
      }),
      timeSeriesPanel({
        title: 'Config reloads',
        description:
          'Config file reloads since each gateway instance started, summed over instances, by result: a step in refused is a file ' +
          `the gateway refused (it keeps the config it had). ConfigReloadFailed warns for ${alertConfig.configReloadWindow} after each refusal.`,
        unit: 'short',
        queries: [{ expr: sumBy([Label.result], gateway(Metrics.configReloadsTotal)), legend: '{{result}}' }],
        min: 0,
      }),
    ],
  };
}
