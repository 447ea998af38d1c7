/** The shape of one alert, independent of how it is rendered (Prometheus rule file, README). */
export { ALERT_NAMES, type AlertName, type DashboardTitle } from '@llm-edge/monitoring';

export type Severity = 'critical' | 'warning' | 'info';

/** SEED.md's five categories; each becomes one Prometheus rule group. */
export const ALERT_CATEGORIES = ['critical', 'performance', 'cache', 'resilience', 'cost'] as const;
export type AlertCategory = (typeof ALERT_CATEGORIES)[number];

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
