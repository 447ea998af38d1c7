/** What every rule builder gets: the resolved config and selectors bound to it. */
import type { AlertConfig } from '../config.js';
import type { AlertCategory, AlertName, AlertRule, DashboardTitle } from '../model.js';
import { series } from '../promql.js';

export interface RuleContext {
  readonly config: AlertConfig;
  /** `metric{<gatewaySelector>,...matchers}` */
  gateway(metric: string, ...matchers: string[]): string;
  /** `metric{<redisSelector>,...matchers}` */
  redis(metric: string, ...matchers: string[]): string;
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

export function ruleContext(config: AlertConfig): RuleContext {
  return {
    config,
    gateway: (metric, ...matchers) => series(metric, config.gatewaySelector, ...matchers),
    redis: (metric, ...matchers) => series(metric, config.redisSelector, ...matchers),
  };
}
