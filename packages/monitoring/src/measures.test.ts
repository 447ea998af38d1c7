import { describe, expect, it } from 'vitest';
import { defaultAlertConfig, resolveAlertConfig } from './config.js';
import { budgetGauge, budgetSpendRatio, cacheHitRatio, errorRatio, measureScope, refusedReloads, requestLatency, spend } from './measures.js';
import { Metrics } from '@llm-edge/semconv';

describe('measures', () => {
  it("take the alert config's selectors and window, or a panel's window", () => {
    const alert = measureScope(resolveAlertConfig({ gatewaySelector: 'job="gw"', rateWindow: '2m' }));
    expect(errorRatio(alert)).toBe(
      '(sum(rate(llm_edge_requests_total{job="gw", status=~"5.."}[2m])) or vector(0)) / (sum(rate(llm_edge_requests_total{job="gw"}[2m])) > 0)',
    );
    const panel = measureScope(defaultAlertConfig, '$__rate_interval');
    expect(requestLatency(panel, 0.95)).toBe(
      'histogram_quantile(0.95, sum by (le) (rate(llm_edge_request_duration_seconds_bucket{job="llm-edge-agent"}[$__rate_interval])))',
    );
  });

  it('leave bypassed requests out of the cache hit ratio and apply the traffic floor', () => {
    const expr = cacheHitRatio(measureScope(defaultAlertConfig), 0.1);
    expect(expr).toContain('cache=~"hit-l1|hit-l2"}');
    expect(expr).toContain('cache=~"hit-l1|hit-l2|miss"}[5m])) > 0.1)');
    expect(expr).not.toContain('bypass');
  });

  it('sum spend over a window, optionally a day back', () => {
    expect(spend(measureScope(defaultAlertConfig), '1h', '1d')).toBe('sum(increase(llm_edge_cost_usd_total{job="llm-edge-agent"}[1h] offset 1d))');
  });

  it('divide the freshest spend of each key and team by its budget, guarding a zero budget', () => {
    const scope = measureScope(defaultAlertConfig);
    expect(budgetSpendRatio(scope)).toBe(
      'max by (scope, id) (llm_edge_budget_spend_usd{job="llm-edge-agent"}) / (max by (scope, id) (llm_edge_budget_usd{job="llm-edge-agent"}) > 0)',
    );
    expect(budgetGauge(scope, Metrics.budgetRemainingUsd, 'scope="team"')).toBe('min by (scope, id) (llm_edge_budget_remaining_usd{job="llm-edge-agent", scope="team"})');
  });

  it('count a refused-reload series younger than the window as a refusal', () => {
    expect(refusedReloads(measureScope(defaultAlertConfig), '15m')).toBe(
      'sum by (job, instance) (increase(llm_edge_config_reloads_total{job="llm-edge-agent", result="refused"}[15m])) > 0 ' +
        'or sum by (job, instance) (llm_edge_config_reloads_total{job="llm-edge-agent", result="refused"} unless llm_edge_config_reloads_total{job="llm-edge-agent", result="refused"} offset 15m)',
    );
  });
});
