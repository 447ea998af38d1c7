import { Metrics } from '@llm-edge/semconv';
import { matches } from '@llm-edge/monitoring';
import { describe, expect, it } from 'vitest';
import { gateway, gatewayHistogram, quantile } from './queries.js';

describe('panel queries', () => {
  it('put the gateway job first and escape label values', () => {
    expect(gateway(Metrics.requestsTotal, matches('status', '5..'), 'route="a\\"b\\\\c"')).toBe(
      'llm_edge_requests_total{job="llm-edge-agent", status=~"5..", route="a\\"b\\\\c"}',
    );
  });

  it('build a fleet-wide histogram quantile over the rate interval, kept apart by the given labels', () => {
    expect(quantile(0.99, Metrics.cacheLookupDurationSeconds, ['tier'])).toBe(
      'histogram_quantile(0.99, sum by (tier, le) (rate(llm_edge_cache_lookup_duration_seconds_bucket{job="llm-edge-agent"}[$__rate_interval])))',
    );
  });

  it('refuse histogram series of a metric that is not a histogram, naming it', () => {
    expect(() => gatewayHistogram('up', '_sum')).toThrow(/up is not one/);
    expect(gatewayHistogram('nodejs_gc_duration_seconds', '_sum')).toBe('nodejs_gc_duration_seconds_sum{job="llm-edge-agent"}');
  });
});
