import { describe, expect, it } from 'vitest';
import {
  ALERT_NAMES,
  alertRules,
  defaultAlertConfig,
  renderAlertsYaml,
  renderRuleFile,
  type AlertName,
} from '../src/index.js';
import { promtoolCases } from './promtool-cases.js';
import { promtoolTestFile } from './promtool-tests.js';
import { run, tempFiles } from './tools.js';

/** SEED.md's `for` of each alert (issue 17's for the two since): the promtool cases below prove these, not just any value. */
const SEED_FOR: Record<AlertName, string> = {
  LLMEdgeAgentDown: '1m',
  HighErrorRate: '5m',
  AllProvidersDown: '2m',
  HighLatency: '5m',
  LowCacheHitRate: '15m',
  HighMemoryUsage: '10m',
  CircuitBreakerOpen: '2m',
  RedisDown: '1m',
  HighCPUUsage: '10m',
  HighConnectionCount: '5m',
  HighDailyCost: '1h',
  CostSpike: '30m',
  BudgetNearlyExhausted: '15m',
  ConfigReloadFailed: '0s',
};

describe('promtool check rules', () => {
  it('accepts the rendered alerts.yml with all fourteen rules (the seed\'s twelve, then issue 17\'s two)', () => {
    const files = tempFiles({ 'alerts.yml': renderAlertsYaml() });
    try {
      const result = run('promtool', ['check', 'rules', 'alerts.yml'], files.dir);
      expect(result.output).toContain('SUCCESS: 14 rules found');
      expect(result.status, result.output).toBe(0);
    } finally {
      files.remove();
    }
  });

  it('accepts the rules with every `for` overridden, as the end-to-end test renders them', () => {
    const files = tempFiles({ 'alerts.yml': renderAlertsYaml({ forOverride: '0s', rateWindow: '30s' }) });
    try {
      const result = run('promtool', ['check', 'rules', 'alerts.yml'], files.dir);
      expect(result.status, result.output).toBe(0);
    } finally {
      files.remove();
    }
  });

  it('rejects a broken rule file, so the checks above can fail', () => {
    const broken = renderAlertsYaml().replace('> 0.01', '> > 0.01');
    const files = tempFiles({ 'alerts.yml': broken });
    try {
      const result = run('promtool', ['check', 'rules', 'alerts.yml'], files.dir);
      expect(result.status).not.toBe(0);
    } finally {
      files.remove();
    }
  });
});

describe('promtool test rules', () => {
  const rules = alertRules();

  it('renders the seed\'s `for` of every alert by default', () => {
    expect(defaultAlertConfig.for).toEqual(SEED_FOR);
    expect(Object.fromEntries(rules.map((r) => [r.name, r.for]))).toEqual(SEED_FOR);
  });

  it('has a firing and a quiet case for every alert', () => {
    for (const name of ALERT_NAMES) {
      expect(promtoolCases[name].fires.length, name).toBeGreaterThan(0);
      expect(promtoolCases[name].quiet.length, name).toBeGreaterThan(0);
    }
  });

  it.each(ALERT_NAMES)('%s fires at its threshold and `for`, and stays quiet just under', (name) => {
    const rule = rules.find((r) => r.name === name);
    if (rule === undefined) throw new Error(`no rule ${name}`);
    // Only the rule under test is loaded: the same rendered text, without paying for the other
    // rules over the cost cases' 25 hours of evaluations.
    const files = tempFiles({
      'alert.yml': renderRuleFile([rule]),
      'test.yml': promtoolTestFile('alert.yml', rule, promtoolCases[name]),
    });
    try {
      const result = run('promtool', ['test', 'rules', 'test.yml'], files.dir);
      expect(result.status, result.output).toBe(0);
    } finally {
      files.remove();
    }
  }, 60_000);

  it('fails a case whose expectation is wrong, so the cases above can fail', () => {
    const rule = rules.find((r) => r.name === 'HighErrorRate');
    if (rule === undefined) throw new Error('no rule HighErrorRate');
    const wrong = { fires: [{ ...promtoolCases.HighErrorRate.fires[0]!, activeAt: '2m' }], quiet: [] };
    const files = tempFiles({
      'alerts.yml': renderAlertsYaml(),
      'test.yml': promtoolTestFile('alerts.yml', rule, wrong),
    });
    try {
      const result = run('promtool', ['test', 'rules', 'test.yml'], files.dir);
      expect(result.status).not.toBe(0);
    } finally {
      files.remove();
    }
  });
});

describe('ConfigReloadFailed', () => {
  it('needs its "series younger than the window" branch: increase() alone misses the first refusal', () => {
    const rule = alertRules().find((r) => r.name === 'ConfigReloadFailed')!;
    const increaseOnly = rule.expr.slice(0, rule.expr.indexOf(' or '));
    expect(increaseOnly).toMatch(/^sum by \(job, instance\) \(increase\(.*\[15m\]\)\) > 0$/);
    const first = { fires: [promtoolCases.ConfigReloadFailed.fires[0]!], quiet: [] };
    const files = tempFiles({
      'alert.yml': renderRuleFile([{ ...rule, expr: increaseOnly }]),
      'test.yml': promtoolTestFile('alert.yml', rule, first),
    });
    try {
      expect(run('promtool', ['test', 'rules', 'test.yml'], files.dir).status).not.toBe(0);
    } finally {
      files.remove();
    }
  });
});

describe('the promtool cases bracket each threshold', () => {
  // Moving a threshold a little either way must break a case: a looser threshold makes a quiet
  // case fire, a stricter one keeps a firing case quiet. Annotations stay the real rule's, so only
  // the expression differs.
  const nudged = {
    looser: { errorRatio: 0.008, latencySeconds: 1.95, cacheHitRatio: 0.62, memoryBytes: 3.48e9, cpuCores: 0.78, connections: 898, dailyCostUsd: 98, costSpikeRatio: 1.45, budgetSpendRatio: 0.78 },
    stricter: { errorRatio: 0.012, latencySeconds: 2.1, cacheHitRatio: 0.58, memoryBytes: 3.52e9, cpuCores: 0.86, connections: 902, dailyCostUsd: 102, costSpikeRatio: 1.65, budgetSpendRatio: 0.805 },
  };
  const real = alertRules();
  const withThreshold: AlertName[] = [
    'HighErrorRate', 'HighLatency', 'LowCacheHitRate', 'HighMemoryUsage',
    'HighCPUUsage', 'HighConnectionCount', 'HighDailyCost', 'CostSpike', 'BudgetNearlyExhausted',
  ];

  it.each(Object.keys(nudged) as (keyof typeof nudged)[])('a %s threshold fails a case of every alert that has one', (way) => {
    const moved = alertRules(nudged[way]);
    const survivors = withThreshold.filter((name) => {
      const rule = real.find((r) => r.name === name)!;
      const expr = moved.find((r) => r.name === name)!.expr;
      expect(expr, name).not.toBe(rule.expr);
      const files = tempFiles({
        'alert.yml': renderRuleFile([{ ...rule, expr }]),
        'test.yml': promtoolTestFile('alert.yml', rule, promtoolCases[name]),
      });
      try {
        return run('promtool', ['test', 'rules', 'test.yml'], files.dir).status === 0;
      } finally {
        files.remove();
      }
    });
    expect(survivors).toEqual([]);
  }, 60_000);
});
