/**
 * The shared panel expressions compute what their alerts mean: `promtool test rules` evaluates them
 * on synthetic gateway series whose answers are known.
 */
import { describe, expect, it } from 'vitest';
import { toPrometheusQuery } from '../src/index.js';
import { cacheHitRatio, errorRatio, requestLatency } from '../src/queries.js';
import { promtool } from './promtool.js';

const JOB = 'job="llm-edge-agent"';
const req = (status: string, cache: string, perMinute: number): string =>
  `      - series: 'llm_edge_requests_total{${JOB}, route="/v1/chat/completions", model="m", provider="p", status="${status}", cache="${cache}"}'\n` +
  `        values: '0+${perMinute}x10'`;
const bucket = (le: string, perMinute: number): string =>
  `      - series: 'llm_edge_request_duration_seconds_bucket{${JOB}, route="/v1/chat/completions", provider="p", cache="miss", le="${le}"}'\n` +
  `        values: '0+${perMinute}x10'`;

/**
 * `sum()` adds series in no fixed order, so a ratio can differ in its last bit between runs and
 * promtool compares exactly: ratios are rounded to 1/1024, which the expected values are multiples of.
 */
const ROUND = 'round(%s, 0.0009765625)';

function exprTest(expr: string, value: string, rounded = false): string {
  const query = toPrometheusQuery(expr, { rateInterval: '5m' });
  return [
    `      - expr: ${JSON.stringify(rounded ? ROUND.replace('%s', query) : query)}`,
    '        eval_time: 10m',
    '        exp_samples:',
    `          - labels: '{}'`,
    `            value: ${value}`,
  ].join('\n');
}

describe('shared panel expressions, evaluated by promtool', () => {
  it('give the 5xx ratio, the request-level cache hit ratio and the p95 latency', () => {
    // Per minute: 128 requests; 2 are 502s; 64 bypass the cache; 48 of the 64 lookups hit.
    const series = [
      req('200', 'hit-l1', 40),
      req('200', 'hit-l2', 8),
      req('200', 'miss', 14),
      req('502', 'miss', 2),
      req('200', 'bypass', 64),
      // All requests between 1s and 2s: p95 interpolates to 1.95s.
      bucket('1', 0),
      bucket('2', 100),
      bucket('+Inf', 100),
    ];
    const tests = [
      'rule_files: []',
      'evaluation_interval: 1m',
      'tests:',
      '  - interval: 1m',
      '    input_series:',
      ...series,
      '    promql_expr_test:',
      exprTest(errorRatio(), '0.015625', true),
      exprTest(cacheHitRatio(), '0.75', true),
      exprTest(requestLatency(0.95), '1.95'),
      '',
    ].join('\n');
    const result = promtool(['test', 'rules', 'tests.yml'], { 'tests.yml': tests });
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  it('show 0% errors, not "no data", while no 5xx series exists', () => {
    const tests = [
      'rule_files: []',
      'tests:',
      '  - interval: 1m',
      '    input_series:',
      req('200', 'miss', 10),
      '    promql_expr_test:',
      exprTest(errorRatio(), '0'),
      exprTest(cacheHitRatio(), '0'),
      '',
    ].join('\n');
    const result = promtool(['test', 'rules', 'tests.yml'], { 'tests.yml': tests });
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});
