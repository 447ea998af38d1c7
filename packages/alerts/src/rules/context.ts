/** What every rule builder gets: the resolved config, and its measure scope and selectors. */
import { gatewaySeries, measureScope, redisSeries, type AlertConfig, type MeasureScope, type Metric } from '@llm-edge/monitoring';
import type { AlertCategory, AlertName, AlertRule, DashboardTitle } from '../model.js';

export interface RuleContext {
  readonly config: AlertConfig;
  /** The config's selectors and rate window, for the measures of `@llm-edge/monitoring`. */
  readonly scope: MeasureScope;
  /** `metric{<gatewaySelector>, ...matchers}` */
  gateway(metric: Metric, ...matchers: string[]): string;
  /** `metric{<redisSelector>, ...matchers}` */
  redis(metric: Metric, ...matchers: string[]): string;
}

/** A rule as its category module writes it; `for`, runbook and labels are filled in centrally. */
export type RuleDraft = Omit<AlertRule, 'name' | 'for' | 'runbookUrl' | 'labels' | 'category' | 'dashboard'> & {
  readonly dashboard: DashboardTitle;
};

/** A category module: one draft per alert it owns. */
export type CategoryRules<N extends AlertName> = {
  readonly category: AlertCategory;
  readonly build: (ctx: RuleContext) => Readonly<Record<N, RuleDraft>>;
};

/** The context `config`'s rules are built in. */
export function ruleContext(config: AlertConfig): RuleContext {
  const scope = measureScope(config);
  return {
    config,
    scope,
    gateway: (metric, ...matchers) => gatewaySeries(scope, metric, ...matchers),
    redis: (metric, ...matchers) => redisSeries(scope, metric, ...matchers),
  };
}
