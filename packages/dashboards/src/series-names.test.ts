import { describe, expect, it } from 'vitest';
import { seriesNamesIn } from './series-names.js';

describe('seriesNamesIn', () => {
  it('finds a bare series and a selector', () => {
    expect(seriesNamesIn('up')).toEqual(['up']);
    expect(seriesNamesIn('llm_edge_cache_entries{job="llm-edge-agent", tier="l1"}')).toEqual(['llm_edge_cache_entries']);
  });

  it('skips functions, aggregations, grouping labels and windows', () => {
    const expr =
      'histogram_quantile(0.95, sum by (provider, le) (rate(llm_edge_provider_latency_seconds_bucket{job="x"}[$__rate_interval])))';
    expect(seriesNamesIn(expr)).toEqual(['llm_edge_provider_latency_seconds_bucket']);
  });

  it('skips trailing grouping, binary keywords, offsets, numbers and variables', () => {
    const expr =
      'sum(increase(a_total[1h])) by (model) / on (model) group_left (provider) sum(increase(b_total[1h] offset 1d)) * 3600 > bool 1e-3 or vector(0) unless c / $__range_s';
    expect(seriesNamesIn(expr)).toEqual(['a_total', 'b_total', 'c']);
  });

  it('is not fooled by braces, brackets or keywords inside label values', () => {
    const expr = 'sum(rate(x_total{reason="by (sum}", route=~"/v1/[a-z]+"}[5m]))';
    expect(seriesNamesIn(expr)).toEqual(['x_total']);
  });

  it('treats keywords case-insensitively', () => {
    expect(seriesNamesIn('SUM BY (tier) (a) AND ON (tier) b')).toEqual(['a', 'b']);
  });

  it('reports a name that is not in the contract, so a test can fail on it', () => {
    expect(seriesNamesIn('rate(llm_edge_typo_total[1m]) + time()')).toEqual(['llm_edge_typo_total']);
  });
});
