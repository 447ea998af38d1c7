/**
 * Prometheus durations (`30s`, `5m`, `1h30m`, `0s`): one parser for the alerts' `for` and windows
 * and for the durations dashboards substitute for Grafana's variables.
 */

// Units must appear in this order and each at most once, as Prometheus's model.ParseDuration wants.
const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1_000, 1];

/**
 * Milliseconds in a Prometheus duration, or undefined when `text` is not one.
 * @example parseDuration('1h30m') // 5_400_000
 */
export function parseDuration(text: string): number | undefined {
  if (text === '') return undefined;
  const match = DURATION.exec(text);
  if (match === null) return undefined;
  let ms = 0;
  for (let i = 0; i < UNIT_MS.length; i++) {
    const part = match[i + 1];
    if (part !== undefined) ms += Number(part) * (UNIT_MS[i] ?? 0);
  }
  return ms;
}

/**
 * Throws an error naming `field` unless `value` is a Prometheus duration (positive unless `allowZero`).
 * @example assertDuration('AlertConfig.rateWindow', '5m')
 */
export function assertDuration(field: string, value: unknown, { allowZero = false } = {}): void {
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms === undefined || (!allowZero && ms === 0)) {
    throw new Error(
      `${field} must be a Prometheus duration such as "30s", "5m" or "1h"` +
        `${allowZero ? ' (or "0s")' : ' greater than zero'}, got ${JSON.stringify(value)}`,
    );
  }
}

/**
 * Milliseconds of a positive Prometheus duration; throws an error naming `field` otherwise.
 * @example durationMs('1m', 'rateInterval') // 60_000
 */
export function durationMs(duration: string, field = 'duration'): number {
  const ms = parseDuration(duration);
  if (ms === undefined) {
    throw new Error(`${field}: ${JSON.stringify(duration)} is not a Prometheus duration (e.g. 30s, 5m, 1h30m)`);
  }
  if (ms === 0) throw new Error(`${field}: ${JSON.stringify(duration)} must be longer than zero`);
  return ms;
}
