import { readFileSync } from 'node:fs';
import { GATEWAY_JOB } from '@llm-edge/semconv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  ALERT_NAMES,
  alertRules,
  defaultAlertConfig,
  renderAlertsYaml,
  renderRuleFile,
  resolveAlertConfig,
} from '../src/index.js';

describe('alertRules', () => {
  it("returns DESIGN.md's twelve alerts, in its order, with its severities, then issue 17's two", () => {
    const rules = alertRules();
    expect(rules.map((r) => [r.name, r.severity])).toEqual([
      ['LLMEdgeAgentDown', 'critical'],
      ['HighErrorRate', 'critical'],
      ['AllProvidersDown', 'critical'],
      ['HighLatency', 'warning'],
      ['LowCacheHitRate', 'warning'],
      ['HighMemoryUsage', 'warning'],
      ['CircuitBreakerOpen', 'warning'],
      ['RedisDown', 'warning'],
      ['HighCPUUsage', 'warning'],
      ['HighConnectionCount', 'warning'],
      ['HighDailyCost', 'warning'],
      ['CostSpike', 'info'],
      ['BudgetNearlyExhausted', 'warning'],
      ['ConfigReloadFailed', 'warning'],
    ]);
    expect(rules.map((r) => r.name)).toEqual([...ALERT_NAMES]);
  });

  it("puts the alerts in SEED.md's five categories", () => {
    const byCategory: Record<string, string[]> = {};
    for (const r of alertRules()) (byCategory[r.category] ??= []).push(r.name);
    expect(byCategory).toEqual({
      critical: ['LLMEdgeAgentDown', 'HighErrorRate', 'AllProvidersDown'],
      performance: ['HighLatency', 'HighMemoryUsage', 'HighCPUUsage', 'HighConnectionCount'],
      cache: ['LowCacheHitRate', 'RedisDown'],
      resilience: ['CircuitBreakerOpen', 'ConfigReloadFailed'],
      cost: ['HighDailyCost', 'CostSpike', 'BudgetNearlyExhausted'],
    });
  });

  it('gives every alert a one-sentence summary, a templated description and a central runbook URL', () => {
    for (const r of alertRules({ runbookBaseUrl: 'https://runbooks.example/alerts' })) {
      expect(r.summary, r.name).toMatch(/^[^{}]+\.$/);
      expect(r.summary.split('. ').length, r.name).toBe(1);
      expect(r.description, r.name).toMatch(/\{\{.*\}\}/);
      expect(r.runbookUrl).toBe(`https://runbooks.example/alerts#${r.name.toLowerCase()}`);
    }
  });

  it('selects the gateway by job="llm-edge-agent" by default and by any selector given', () => {
    const gatewayAlerts = alertRules().filter((r) => r.name !== 'RedisDown');
    for (const r of gatewayAlerts) expect(r.expr, r.name).toContain(`job="${GATEWAY_JOB}"`);

    const custom = alertRules({ gatewaySelector: 'namespace="llm",job="gw"', redisSelector: 'job="cache"' });
    for (const r of custom) {
      expect(r.expr, r.name).not.toContain(`job="${GATEWAY_JOB}"`);
      expect(r.expr, r.name).toContain(r.name === 'RedisDown' ? 'job="cache"' : 'namespace="llm",job="gw"');
    }
  });

  it('takes thresholds and windows from the config', () => {
    const byName = Object.fromEntries(
      alertRules({ errorRatio: 0.05, latencySeconds: 4, latencyQuantile: 0.99, connections: 2000, rateWindow: '1m' }).map((r) => [r.name, r]),
    );
    expect(byName.HighErrorRate?.expr).toMatch(/\[1m\].*> 0\.05$/);
    expect(byName.HighErrorRate?.summary).toContain('5%');
    expect(byName.HighLatency?.expr).toMatch(/^histogram_quantile\(0\.99,.*> 4$/);
    expect(byName.HighLatency?.summary).toMatch(/^p99 .* 4s\.$/);
    expect(byName.HighConnectionCount?.expr).toMatch(/> 2000$/);
    const governance = Object.fromEntries(alertRules({ budgetSpendRatio: 0.9, configReloadWindow: '1h' }).map((r) => [r.name, r]));
    expect(governance.BudgetNearlyExhausted?.expr).toMatch(/^max by \(scope, id\) \(llm_edge_budget_spend_usd\{.*\) >= 0\.9$/);
    expect(governance.BudgetNearlyExhausted?.summary).toContain('90%');
    expect(governance.ConfigReloadFailed?.expr).toContain('[1h]');
    expect(governance.ConfigReloadFailed?.expr).toContain('offset 1h');
    expect(governance.ConfigReloadFailed?.description).toContain('in the last 1h');
  });

  it('overrides `for` per alert or all at once, keeping the seed values otherwise', () => {
    const some = alertRules({ for: { HighLatency: '10s' } });
    expect(some.find((r) => r.name === 'HighLatency')?.for).toBe('10s');
    expect(some.find((r) => r.name === 'HighErrorRate')?.for).toBe('5m');
    expect(alertRules({ forOverride: '0s' }).map((r) => r.for)).toEqual(ALERT_NAMES.map(() => '0s'));
    expect(defaultAlertConfig.for.HighDailyCost).toBe('1h');
  });

  it('adds extra labels to every alert', () => {
    const yaml = parse(renderAlertsYaml({ extraLabels: { team: 'platform' } }));
    for (const group of yaml.groups) {
      for (const rule of group.rules) expect(rule.labels).toEqual({ severity: expect.any(String), category: expect.any(String), team: 'platform' });
    }
  });

  it('names the bad field in its errors', () => {
    expect(() => alertRules({ errorRatio: 5 })).toThrow(/AlertConfig\.errorRatio must be a number between 0 and 1/);
    expect(() => alertRules({ connections: -1 })).toThrow(/AlertConfig\.connections/);
    expect(() => alertRules({ for: { HighLatency: '5 minutes' } })).toThrow(/AlertConfig\.for\.HighLatency/);
    expect(() => alertRules({ forOverride: '1x' })).toThrow(/AlertConfig\.forOverride/);
    expect(() => alertRules({ rateWindow: '0s' })).toThrow(/AlertConfig\.rateWindow/);
    expect(() => alertRules({ budgetSpendRatio: 80 })).toThrow(/AlertConfig\.budgetSpendRatio must be a number between 0 and 1/);
    expect(() => alertRules({ configReloadWindow: '0s' })).toThrow(/AlertConfig\.configReloadWindow/);
    expect(() => alertRules({ gatewaySelector: '{job="x"}' })).toThrow(/AlertConfig\.gatewaySelector/);
    expect(() => alertRules({ redisSelector: 'job=redis' })).toThrow(/AlertConfig\.redisSelector/);
    expect(() => alertRules({ runbookBaseUrl: 'runbooks#x' })).toThrow(/AlertConfig\.runbookBaseUrl/);
    expect(() => alertRules({ extraLabels: { severity: 'page' } })).toThrow(/AlertConfig\.extraLabels/);
    expect(() => alertRules({ for: { HighLatncy: '1m' } as never })).toThrow(/AlertConfig\.for names no alert "HighLatncy"/);
    expect(() => alertRules({ errorRate: 0.1 } as never)).toThrow(/AlertConfig has no field "errorRate"/);
  });

  it('leaves the defaults untouched when resolving overrides', () => {
    resolveAlertConfig({ for: { HighLatency: '1s' }, extraLabels: { a: 'b' } });
    expect(defaultAlertConfig.for.HighLatency).toBe('5m');
    expect(defaultAlertConfig.extraLabels).toEqual({});
  });
});

describe('renderAlertsYaml', () => {
  it('renders one rule group per category, byte-identical on every run', () => {
    const text = renderAlertsYaml();
    expect(renderAlertsYaml()).toBe(text);
    const yaml = parse(text);
    expect(yaml.groups.map((g: { name: string }) => g.name)).toEqual([
      'llm-edge-agent.critical',
      'llm-edge-agent.performance',
      'llm-edge-agent.cache',
      'llm-edge-agent.resilience',
      'llm-edge-agent.cost',
    ]);
    const rule = yaml.groups[0].rules[1];
    expect(Object.keys(rule)).toEqual(['alert', 'expr', 'for', 'labels', 'annotations']);
    expect(Object.keys(rule.annotations)).toEqual(['summary', 'description', 'runbook_url', 'dashboard']);
  });

  it('refuses a rule list with a name twice', () => {
    const [first] = alertRules();
    expect(() => renderRuleFile([first!, first!])).toThrow(/LLMEdgeAgentDown appears twice/);
  });
});

describe('README', () => {
  it('has a runbook section per alert, with the dashboard to open', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const rule of alertRules()) {
      const start = readme.indexOf(`\n### ${rule.name}\n`);
      expect(start, `README has no "### ${rule.name}" section`).toBeGreaterThan(-1);
      const end = readme.indexOf('\n### ', start + 1);
      const section = readme.slice(start, end === -1 ? undefined : end);
      expect(section, rule.name).toContain('**Means**');
      expect(section, rule.name).toContain('**First checks**');
      expect(rule.dashboard, rule.name).toMatch(/^LLM Edge Agent \/ /);
      expect(section, rule.name).toContain(rule.dashboard);
    }
  });
});
