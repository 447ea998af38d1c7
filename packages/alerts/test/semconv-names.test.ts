import { ExternalMetrics, knownSeriesNames, Metrics } from '@llm-edge/semconv';
import { describe, expect, it } from 'vitest';
import { alertRules } from '../src/index.js';
import { seriesNamesIn } from './promql-names.js';

describe('metric names in alert expressions', () => {
  it('are all in the semconv contract (or up, redis_up, process_*)', () => {
    const known = knownSeriesNames();
    for (const rule of alertRules()) {
      const names = seriesNamesIn(rule.expr);
      expect(names.length, rule.name).toBeGreaterThan(0);
      expect(names.filter((n) => !known.has(n)), `${rule.name}: ${rule.expr}`).toEqual([]);
    }
  });

  it('reads the metric DESIGN.md names for each alert', () => {
    const byName = Object.fromEntries(alertRules().map((r) => [r.name, seriesNamesIn(r.expr)]));
    expect(byName).toEqual({
      LLMEdgeAgentDown: [ExternalMetrics.up],
      HighErrorRate: [Metrics.requestsTotal.name],
      AllProvidersDown: [Metrics.providerHealth.name, ExternalMetrics.up].sort(),
      HighLatency: [`${Metrics.requestDurationSeconds.name}_bucket`],
      LowCacheHitRate: [Metrics.requestsTotal.name],
      HighMemoryUsage: [ExternalMetrics.processResidentMemoryBytes],
      CircuitBreakerOpen: [Metrics.circuitBreakerState.name],
      RedisDown: [ExternalMetrics.redisUp, ExternalMetrics.up].sort(),
      HighCPUUsage: [ExternalMetrics.processCpuSecondsTotal],
      HighConnectionCount: [Metrics.activeConnections.name],
      HighDailyCost: [Metrics.costUsdTotal.name],
      CostSpike: [Metrics.costUsdTotal.name],
      BudgetNearlyExhausted: [Metrics.budgetSpendUsd.name, Metrics.budgetUsd.name].sort(),
      ConfigReloadFailed: [Metrics.configReloadsTotal.name],
    });
  });

  it('catches a renamed metric', () => {
    const known = knownSeriesNames();
    const names = seriesNamesIn(
      'sum by (le) (rate(llm_edge_request_total{job="x",status=~"5.."}[5m] offset 1d)) / on (job) absent(up) > 1e9',
    );
    expect(names).toEqual(['llm_edge_request_total', 'up']);
    expect(names.filter((n) => !known.has(n))).toEqual(['llm_edge_request_total']);
  });
});
