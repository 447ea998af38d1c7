/**
 * Budget periods on UTC boundaries: which counter a moment belongs to, when that counter resets,
 * and how long Redis keeps it (a little past its period, so a late settle still lands).
 */
import type { BudgetPeriod } from '../config/governance.js';

export interface PeriodWindow {
  /** The counter's suffix: `d2026-12-02`, `m2026-12`, or `total`. */
  readonly id: string;
  /** When the counter starts again at zero; null for `total`. */
  readonly resetsAt: Date | null;
  /** Seconds Redis keeps the counter; undefined: forever. */
  readonly ttlSeconds: number | undefined;
}

const DAY_S = 86_400;

export function periodWindow(period: BudgetPeriod, now: number): PeriodWindow {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  switch (period) {
    case 'day': {
      const resetsAt = new Date(Date.UTC(y, m, d.getUTCDate() + 1));
      return { id: `d${d.toISOString().slice(0, 10)}`, resetsAt, ttlSeconds: 2 * DAY_S };
    }
    case 'month': {
      const resetsAt = new Date(Date.UTC(y, m + 1, 1));
      return { id: `m${d.toISOString().slice(0, 7)}`, resetsAt, ttlSeconds: 32 * DAY_S };
    }
    case 'total':
      return { id: 'total', resetsAt: null, ttlSeconds: undefined };
  }
}
