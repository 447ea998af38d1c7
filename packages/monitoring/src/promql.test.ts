import { Metrics } from '@llm-edge/semconv';
import { describe, expect, it } from 'vitest';
import { eq, increase, matches, num, oneOf, quantile, ratio, series, sumBy } from './promql.js';

describe('promql builder', () => {
  it('escapes label values and keeps regex alternatives literal', () => {
    expect(eq('route', 'a"b\\c')).toBe('route="a\\"b\\\\c"');
    expect(oneOf('model', ['gpt-4.1', 'a|b'])).toBe('model=~"gpt-4\\\\.1|a\\\\|b"');
    expect(matches('status', '5..')).toBe('status=~"5.."');
  });

  it('joins matchers (a user list among them) with ", " and skips empty ones', () => {
    expect(series(Metrics.requestsTotal, ['namespace="llm",job="gw"', '', matches('status', '5..')])).toBe(
      'llm_edge_requests_total{namespace="llm",job="gw", status=~"5.."}',
    );
    expect(series('up', ['  '])).toBe('up');
  });

  it('refuses histogram series of a metric that is not a histogram, naming it', () => {
    expect(() => series(Metrics.requestsTotal, [], '_bucket')).toThrow(/llm_edge_requests_total is not one/);
    expect(series('nodejs_gc_duration_seconds', [], '_sum')).toBe('nodejs_gc_duration_seconds_sum');
  });

  it('builds a fleet-wide quantile, and refuses one outside (0, 1)', () => {
    expect(quantile(0.95, Metrics.requestDurationSeconds, { matchers: ['job="x"'], window: '5m', by: ['route'] })).toBe(
      'histogram_quantile(0.95, sum by (route, le) (rate(llm_edge_request_duration_seconds_bucket{job="x"}[5m])))',
    );
    expect(() => quantile(95, Metrics.requestDurationSeconds, { window: '5m' })).toThrow(/quantile 95 of llm_edge_request_duration_seconds/);
  });

  it('shifts a window back with offset, guards ratios, writes numbers without exponents for integers', () => {
    expect(sumBy([], increase('x', '1h', '1d'))).toBe('sum(increase(x[1h] offset 1d))');
    expect(ratio('a', 'b', 0.1)).toBe('(a or vector(0)) / (b > 0.1)');
    expect(num(3.5e9)).toBe('3500000000');
    expect(num(0.01)).toBe('0.01');
  });
});
