import { Metrics } from '@llm-edge/semconv';
import { describe, expect, it } from 'vitest';
import { eq, gateway, gatewayHistogram, increase, quantile, re, series, sumBy } from './promql.js';

describe('promql builders', () => {
  it('put the gateway job first and escape label values', () => {
    expect(gateway(Metrics.requestsTotal, re('status', '5..'), eq('route', 'a"b\\c'))).toBe(
      'llm_edge_requests_total{job="llm-edge-agent", status=~"5..", route="a\\"b\\\\c"}',
    );
  });

  it('build a fleet-wide histogram quantile kept apart by the given labels', () => {
    expect(quantile(0.99, Metrics.cacheLookupDurationSeconds, ['tier'])).toBe(
      'histogram_quantile(0.99, sum by (tier, le) (rate(llm_edge_cache_lookup_duration_seconds_bucket{job="llm-edge-agent"}[$__rate_interval])))',
    );
  });

  it('shift a window back with offset', () => {
    expect(sumBy([], increase('x', '1h', '1d'))).toBe('sum(increase(x[1h] offset 1d))');
  });

  it('refuse histogram series of a metric that is not a histogram, naming it', () => {
    expect(() => series(Metrics.requestsTotal, [], '_bucket')).toThrow(/llm_edge_requests_total is not one/);
    expect(() => gatewayHistogram('up', '_sum')).toThrow(/up is not one/);
    expect(gatewayHistogram('nodejs_gc_duration_seconds', '_sum')).toBe('nodejs_gc_duration_seconds_sum{job="llm-edge-agent"}');
  });

  it('refuse a quantile outside (0, 1), naming the metric', () => {
    expect(() => quantile(95, Metrics.requestDurationSeconds)).toThrow(/quantile 95 of llm_edge_request_duration_seconds/);
  });
});
