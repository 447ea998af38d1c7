/** The alerts (the seed's twelve, then issue 17's two), assembled from their category modules in ALERT_NAMES' order. */
import { forOf, resolveAlertConfig, type AlertConfig, type AlertConfigInput } from '@llm-edge/monitoring';
import { ALERT_NAMES, type AlertName, type AlertRule } from '../model.js';
import { cacheRules } from './cache.js';
import { ruleContext, type RuleDraft } from './context.js';
import { costRules } from './cost.js';
import { criticalRules } from './critical.js';
import { performanceRules } from './performance.js';
import { resilienceRules } from './resilience.js';

const CATEGORY_MODULES = [criticalRules, performanceRules, cacheRules, resilienceRules, costRules];

/** `https://…/README.md#highlatency`: the README's runbook heading for the alert. */
export function runbookUrl(config: AlertConfig, name: string): string {
  return `${config.runbookBaseUrl}#${name.toLowerCase()}`;
}

/**
 * The alert rules, in `ALERT_NAMES`' order (DESIGN.md's twelve, then BudgetNearlyExhausted and
 * ConfigReloadFailed), built from `config` over the defaults.
 * @example alertRules({ forOverride: '0s', gatewaySelector: 'job="gw"' })
 */
export function alertRules(config: AlertConfigInput = {}): AlertRule[] {
  const resolved = resolveAlertConfig(config);
  const ctx = ruleContext(resolved);
  const drafts = new Map<AlertName, { draft: RuleDraft; category: AlertRule['category'] }>();
  for (const module of CATEGORY_MODULES) {
    for (const [name, draft] of Object.entries(module.build(ctx)) as [AlertName, RuleDraft][]) {
      drafts.set(name, { draft, category: module.category });
    }
  }
  return ALERT_NAMES.map((name) => {
    const entry = drafts.get(name);
    if (entry === undefined) throw new Error(`alert ${name} has no rule in any category module`);
    const labels = Object.keys(resolved.extraLabels).length > 0 ? { labels: { ...resolved.extraLabels } } : {};
    return {
      name,
      expr: entry.draft.expr,
      for: forOf(resolved, name),
      severity: entry.draft.severity,
      category: entry.category,
      summary: entry.draft.summary,
      description: entry.draft.description,
      runbookUrl: runbookUrl(resolved, name),
      dashboard: entry.draft.dashboard,
      ...labels,
    };
  });
}
