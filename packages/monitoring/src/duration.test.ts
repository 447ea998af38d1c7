import { describe, expect, it } from 'vitest';
import { assertDuration, durationMs, parseDuration } from './duration.js';

describe('durations', () => {
  it('read compound Prometheus durations', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(durationMs('1d')).toBe(86_400_000);
    expect(durationMs('250ms')).toBe(250);
    expect(parseDuration('0s')).toBe(0);
  });

  it('refuse what Prometheus would refuse, naming the field', () => {
    for (const bad of ['', '5 minutes', '1m1h', '-1m', '1.5h']) expect(parseDuration(bad), bad).toBeUndefined();
    expect(() => durationMs('0s', 'range')).toThrow(/range: "0s" must be longer than zero/);
    expect(() => assertDuration('AlertConfig.rateWindow', 'soon')).toThrow(/AlertConfig\.rateWindow must be a Prometheus duration/);
    expect(() => assertDuration('x', '0s')).toThrow(/greater than zero/);
    expect(() => assertDuration('x', '0s', { allowZero: true })).not.toThrow();
  });
});
