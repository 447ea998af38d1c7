/** The shape of one alert, independent of how it is rendered (Prometheus rule file, README). */

export type Severity = 'critical' | 'warning' | 'info';

/** SEED.md's five categories; each becomes one Prometheus rule group. */
export const ALERT_CATEGORIES = ['critical', 'performance', 'cache', 'resilience', 'cost'] as const;
export type AlertCategory = (typeof ALERT_CATEGORIES)[number];

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

/** The Grafana dashboards of `packages/dashboards`, by title: where a runbook sends you first. */
export const Dashboard = {
  requestOverview: 'LLM Edge Agent / Request Overview',
  cachePerformance: 'LLM Edge Agent / Cache Performance',
  costAnalytics: 'LLM Edge Agent / Cost Analytics',
  systemHealth: 'LLM Edge Agent / System Health',
  providerMetrics: 'LLM Edge Agent / Provider Metrics',
} as const;
export type DashboardTitle = (typeof Dashboard)[keyof typeof Dashboard];

export interface AlertRule {
  /** CamelCase alert name; also the runbook's anchor. */
  readonly name: string;
  /** PromQL; every metric name in it comes from `@llm-edge/semconv`. */
  readonly expr: string;
  /** How long `expr` must hold before the alert fires (Prometheus duration). */
  readonly for: string;
  readonly severity: Severity;
  readonly category: AlertCategory;
  /** Static, one sentence: what is wrong. */
  readonly summary: string;
  /** Prometheus template that shows the value (`$value`, `$labels`). */
  readonly description: string;
  /** Filled in centrally from the name (`AlertConfig.runbookBaseUrl`). */
  readonly runbookUrl: string;
  /** The dashboard to open first; rendered as the `dashboard` annotation. Every built-in rule has one. */
  readonly dashboard?: string;
  /** Extra labels, rendered after `severity` and `category`. */
  readonly labels?: Readonly<Record<string, string>>;
}
