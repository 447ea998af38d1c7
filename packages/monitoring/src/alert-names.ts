/** The alerts, by name: what the config's `for` map, the rules and the panels refer to. */

/**
 * The seed's twelve alerts in DESIGN.md's table order, then the additions of issue 17 (spend
 * governance): BudgetNearlyExhausted and ConfigReloadFailed.
 */
export const ALERT_NAMES = [
  'LLMEdgeAgentDown',
  'HighErrorRate',
  'AllProvidersDown',
  'HighLatency',
  'LowCacheHitRate',
  'HighMemoryUsage',
  'CircuitBreakerOpen',
  'RedisDown',
  'HighCPUUsage',
  'HighConnectionCount',
  'HighDailyCost',
  'CostSpike',
  'BudgetNearlyExhausted',
  'ConfigReloadFailed',
] as const;
export type AlertName = (typeof ALERT_NAMES)[number];
