import { describe, expect, it } from 'vitest';
import { durationMs } from '@llm-edge/monitoring';
import { toPrometheusQuery } from './prometheus-query.js';

describe('toPrometheusQuery', () => {
  it('replaces the rate interval with 1m by default and with the given window', () => {
    const expr = 'sum(rate(x_total[$__rate_interval]))';
    expect(toPrometheusQuery(expr)).toBe('sum(rate(x_total[1m]))');
    expect(toPrometheusQuery(expr, { rateInterval: '2m' })).toBe('sum(rate(x_total[2m]))');
  });

  it('replaces range and interval variables, braced or bare, longest name first', () => {
    const expr = 'increase(x[$__range]) / $__range_s + $__range_ms + rate(y[${__interval}]) * $__interval_ms';
    expect(toPrometheusQuery(expr, { range: '6h', interval: '30s' })).toBe(
      'increase(x[6h]) / 21600 + 21600000 + rate(y[30s]) * 30000',
    );
  });

  it('leaves an expression without variables untouched', () => {
    expect(toPrometheusQuery('sum(up{job="a"})')).toBe('sum(up{job="a"})');
  });

  it('names an unknown variable', () => {
    expect(() => toPrometheusQuery('rate(x[$window])')).toThrow(/unknown variable \$window/);
  });

  it('names the option whose duration is bad', () => {
    expect(() => toPrometheusQuery('x', { rateInterval: '5 minutes' })).toThrow(/rateInterval: "5 minutes"/);
    expect(() => toPrometheusQuery('x', { range: '0s' })).toThrow(/range: "0s" must be longer than zero/);
  });
});

describe('durationMs', () => {
  it('reads compound Prometheus durations', () => {
    expect(durationMs('1h30m')).toBe(5_400_000);
    expect(durationMs('1d')).toBe(86_400_000);
    expect(durationMs('250ms')).toBe(250);
  });
});
