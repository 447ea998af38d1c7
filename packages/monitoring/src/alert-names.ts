/** The twelve alerts, by name: what the config's `for` map, the rules and the panels refer to. */

/** The twelve alerts, in DESIGN.md's table order. */
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
] as const;
export type AlertName = (typeof ALERT_NAMES)[number];
