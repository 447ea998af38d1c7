import { describe, expect, it } from 'vitest';
import { allMetrics, knownSeriesNames, Metrics, METRIC_PREFIX } from './index.js';

describe('metric contract', () => {
  it('names every metric once, with the prefix and a valid Prometheus name', () => {
    const names = allMetrics.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name.startsWith(METRIC_PREFIX)).toBe(true);
      expect(name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
    }
  });

  it('gives counters a _total suffix and histograms sorted buckets', () => {
    for (const m of allMetrics) {
      if (m.type === 'counter') expect(m.name.endsWith('_total')).toBe(true);
      if (m.type === 'histogram') {
        expect(m.buckets?.length).toBeGreaterThan(3);
        expect([...(m.buckets ?? [])].sort((a, b) => a - b)).toEqual(m.buckets);
      } else {
        expect(m.buckets).toBeUndefined();
      }
    }
  });

  it('keeps the request latency buckets DESIGN.md promises', () => {
    expect(Metrics.requestDurationSeconds.buckets).toEqual(expect.arrayContaining([0.005, 2, 5, 10, 30, 60]));
  });

  it('lists histogram series names for query checks', () => {
    const names = knownSeriesNames();
    expect(names.has('llm_edge_request_duration_seconds_bucket')).toBe(true);
    expect(names.has('redis_up')).toBe(true);
    expect(names.has('llm_edge_requests_total_bucket')).toBe(false);
  });
});
