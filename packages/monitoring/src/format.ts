/** Thresholds as people read them in summaries and the README. */

/** 0.01 -> "1%", 0.605 -> "60.5%". */
export function percent(ratio: number): string {
  return `${Number((ratio * 100).toFixed(4))}%`;
}

/** 3.5e9 -> "3.5 GB" (decimal units, as the seed's "3.5GB" is read here). */
export function bytes(value: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = value;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toFixed(3))} ${units[i]}`;
}

/** 100 -> "$100", 1.5 -> "$1.50". */
export function usd(value: number): string {
  return Number.isInteger(value) ? `$${value}` : `$${value.toFixed(2)}`;
}

/** 0.95 -> "p95", 0.999 -> "p99.9". */
export function quantileName(q: number): string {
  return `p${Number((q * 100).toFixed(4))}`;
}
