import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alertRules, Receiver, renderAlertmanagerYaml } from '../src/index.js';
import { hasBinary, run, tempFiles } from './tools.js';

const amtool = hasBinary('amtool');

/** The receiver amtool's routing tree picks for a label set. */
function routeOf(configText: string, labels: Readonly<Record<string, string>>): string {
  const files = tempFiles({ 'alertmanager.yml': configText });
  try {
    const args = ['config', 'routes', 'test', '--config.file=alertmanager.yml', ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)];
    const result = run('amtool', args, files.dir);
    expect(result.status, result.output).toBe(0);
    // amtool warns on stderr; the receiver is the last line of its answer.
    return result.output.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('Warning:')).pop() ?? '';
  } finally {
    files.remove();
  }
}

/** Every key anywhere in a parsed YAML document. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)]);
  }
  return [];
}

describe('alertmanager.yml', () => {
  it.skipIf(!amtool)('passes amtool check-config', () => {
    const files = tempFiles({ 'alertmanager.yml': renderAlertmanagerYaml() });
    try {
      const result = run('amtool', ['check-config', 'alertmanager.yml'], files.dir);
      expect(result.output).toContain('SUCCESS');
      expect(result.status, result.output).toBe(0);
    } finally {
      files.remove();
    }
  });

  it.skipIf(!amtool)('routes every alert as the seed says: critical to PagerDuty + #incidents, warning to #llm-edge-agent, cost to #finops', () => {
    const config = renderAlertmanagerYaml();
    const routed = Object.fromEntries(
      alertRules().map((r) => [r.name, routeOf(config, { alertname: r.name, severity: r.severity, category: r.category })]),
    );
    expect(routed).toEqual({
      LLMEdgeAgentDown: Receiver.critical,
      HighErrorRate: Receiver.critical,
      AllProvidersDown: Receiver.critical,
      HighLatency: Receiver.warnings,
      LowCacheHitRate: Receiver.warnings,
      HighMemoryUsage: Receiver.warnings,
      CircuitBreakerOpen: Receiver.warnings,
      RedisDown: Receiver.warnings,
      HighCPUUsage: Receiver.warnings,
      HighConnectionCount: Receiver.warnings,
      HighDailyCost: Receiver.finops,
      CostSpike: Receiver.finops,
      BudgetNearlyExhausted: Receiver.finops,
      ConfigReloadFailed: Receiver.warnings,
    });
  });

  it('sends the critical receiver to both PagerDuty and Slack #incidents', () => {
    const config = parse(renderAlertmanagerYaml());
    const receivers = Object.fromEntries(config.receivers.map((r: { name: string }) => [r.name, r]));
    expect(receivers[Receiver.critical].pagerduty_configs).toHaveLength(1);
    expect(receivers[Receiver.critical].slack_configs[0].channel).toBe('#incidents');
    expect(receivers[Receiver.warnings].slack_configs[0].channel).toBe('#llm-edge-agent');
    expect(receivers[Receiver.finops].slack_configs[0].channel).toBe('#finops');
  });

  it('reads every secret from a file and never inlines one', () => {
    const text = renderAlertmanagerYaml({
      slackApiUrlFiles: { finops: '/run/secrets/finops-webhook' },
      channels: { finops: '#budget' },
    });
    const keys = keysOf(parse(text));
    for (const inline of ['api_url', 'slack_api_url', 'routing_key', 'service_key', 'url', 'pagerduty_url']) {
      expect(keys, inline).not.toContain(inline);
    }
    expect(keys).toEqual(expect.arrayContaining(['slack_api_url_file', 'routing_key_file', 'api_url_file']));
    expect(text).toContain('/run/secrets/finops-webhook');
    expect(text).toContain('#budget');
    expect(text).not.toMatch(/https?:\/\/hooks\.slack\.com/);
  });

  it("sends PagerDuty the alert's own severity, its labels and its runbook", () => {
    const [pd] = parse(renderAlertmanagerYaml()).receivers.find((r: { name: string }) => r.name === Receiver.critical).pagerduty_configs;
    expect(pd.severity).toContain('.CommonLabels.severity');
    expect(pd.details.alertname).toBe('{{ .CommonLabels.alertname }}');
    expect(pd.details.labels).toContain('.Labels.SortedPairs');
    expect(pd.details.runbook_url).toBe('{{ .CommonAnnotations.runbook_url }}');
    expect(pd.links[0].href).toBe('{{ .CommonAnnotations.runbook_url }}');
    for (const r of parse(renderAlertmanagerYaml()).receivers) {
      for (const slack of r.slack_configs) {
        expect(slack.send_resolved, r.name).toBe(true);
        expect(slack.text, r.name).toMatch(/\.Labels\.alertname[\s\S]*\.Labels\.SortedPairs[\s\S]*\.Annotations\.runbook_url/);
      }
    }
  });

  it('lets LLMEdgeAgentDown mute the other alerts of the same gateway target only', () => {
    expect(parse(renderAlertmanagerYaml()).inhibit_rules).toEqual([
      { source_matchers: ['alertname="LLMEdgeAgentDown"'], target_matchers: ['alertname!="LLMEdgeAgentDown"'], equal: ['job', 'instance'] },
    ]);
  });

  it.skipIf(!amtool)('passes amtool check-config with every option set', () => {
    const text = renderAlertmanagerYaml({
      pagerdutyUrl: 'http://127.0.0.1:9/v2/enqueue',
      slackApiUrlFiles: { incidents: '/s/incidents', warnings: '/s/warnings', finops: '/s/finops' },
      groupWait: '1s',
      groupInterval: '1s',
      repeatInterval: '1h',
    });
    expect(parse(text).global.pagerduty_url).toBe('http://127.0.0.1:9/v2/enqueue');
    const files = tempFiles({ 'alertmanager.yml': text });
    try {
      const result = run('amtool', ['check-config', 'alertmanager.yml'], files.dir);
      expect(result.status, result.output).toBe(0);
    } finally {
      files.remove();
    }
  });

  it('renders byte-identical text for the same options', () => {
    expect(renderAlertmanagerYaml({ groupWait: '10s' })).toBe(renderAlertmanagerYaml({ groupWait: '10s' }));
    expect(renderAlertmanagerYaml()).toMatch(/^# Generated by @llm-edge\/alerts/);
  });

  it('names the bad field in its errors', () => {
    expect(() => renderAlertmanagerYaml({ groupWait: 'soon' })).toThrow(/AlertmanagerOptions\.groupWait/);
    expect(() => renderAlertmanagerYaml({ pagerdutyRoutingKeyFile: '' })).toThrow(/AlertmanagerOptions\.pagerdutyRoutingKeyFile/);
    expect(() => renderAlertmanagerYaml({ channels: { finops: '' } })).toThrow(/AlertmanagerOptions\.channels\.finops/);
    expect(() => renderAlertmanagerYaml({ groupBy: ['alert name'] })).toThrow(/AlertmanagerOptions\.groupBy/);
    expect(() => renderAlertmanagerYaml({ slackUrl: 'x' } as never)).toThrow(/AlertmanagerOptions has no field "slackUrl"/);
    expect(() => renderAlertmanagerYaml({ pagerdutyUrl: 'events.pagerduty.com' })).toThrow(/AlertmanagerOptions\.pagerdutyUrl/);
  });
});
