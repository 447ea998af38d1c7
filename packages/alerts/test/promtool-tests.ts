/** Turns `promtoolCases` into a `promtool test rules` file for one alert. */
import { stringify } from 'yaml';
import { parseDuration, type AlertRule } from '../src/index.js';
import type { AlertCases } from './promtool-cases.js';

/** The evaluation interval of every generated test; also the step of the "still pending" check. */
export const EVALUATION_INTERVAL = '1m';

/** Milliseconds back to a Prometheus duration: 3_900_000 -> "1h5m". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const units: [string, number][] = [['h', 3_600_000], ['m', 60_000], ['s', 1_000], ['ms', 1]];
  let rest = ms;
  let text = '';
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) text += `${n}${unit}`;
    rest -= n * size;
  }
  return text;
}

function ms(duration: string): number {
  const value = parseDuration(duration);
  if (value === undefined) throw new Error(`bad duration ${duration} in a promtool case`);
  return value;
}

/** The rule file plus one test group per case, checking only `rule.name`. */
export function promtoolTestFile(ruleFile: string, rule: AlertRule, cases: AlertCases): string {
  const step = ms(EVALUATION_INTERVAL);
  const forMs = ms(rule.for);
  const annotations = (description: string) => ({
    summary: rule.summary,
    description,
    runbook_url: rule.runbookUrl,
    ...(rule.dashboard !== undefined ? { dashboard: rule.dashboard } : {}),
  });
  const tests = [
    ...cases.fires.map((c) => {
      const firesAt = ms(c.activeAt) + forMs;
      const checks = [];
      if (firesAt - step >= ms(c.activeAt) && forMs > 0) {
        checks.push({ eval_time: formatDuration(firesAt - step), alertname: rule.name, exp_alerts: [] });
      }
      checks.push({
        eval_time: formatDuration(firesAt),
        alertname: rule.name,
        exp_alerts: [
          {
            exp_labels: { ...c.labels, severity: rule.severity, category: rule.category, ...rule.labels },
            exp_annotations: annotations(c.description),
          },
        ],
      });
      return { name: `${rule.name} fires: ${c.name}`, interval: c.interval ?? '1m', input_series: c.series, alert_rule_test: checks };
    }),
    ...cases.quiet.map((c) => ({
      name: `${rule.name} stays quiet: ${c.name}`,
      interval: c.interval ?? '1m',
      input_series: c.series,
      alert_rule_test: c.quietAt.map((at) => ({ eval_time: at, alertname: rule.name, exp_alerts: [] })),
    })),
  ];
  return stringify(
    { rule_files: [ruleFile], evaluation_interval: EVALUATION_INTERVAL, tests },
    { lineWidth: 0 },
  );
}
