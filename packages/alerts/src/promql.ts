/**
 * Small PromQL builders. They only assemble text; metric names always come from
 * `@llm-edge/semconv` at the call site, never from literals here.
 */

/** `label="value"`, quoted the way PromQL reads it. */
export function eq(label: string, value: string): string {
  return `${label}=${JSON.stringify(value)}`;
}

/** `label=~"a|b"`, each alternative escaped so it matches literally. */
export function oneOf(label: string, values: readonly string[]): string {
  const alternatives = values.map((v) => v.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&'));
  return `${label}=~${JSON.stringify(alternatives.join('|'))}`;
}

/** `label=~"regex"` for a regular expression written by hand. */
export function matches(label: string, regex: string): string {
  return `${label}=~${JSON.stringify(regex)}`;
}

/**
 * `metric{matchers}`. `base` is a user-supplied matcher list such as `job="llm-edge-agent"`;
 * empty parts are skipped so `metric` alone stays valid PromQL.
 */
export function series(metric: string, base: string, ...matchers: string[]): string {
  const parts = [base, ...matchers].map((p) => p.trim()).filter((p) => p !== '');
  return parts.length === 0 ? metric : `${metric}{${parts.join(',')}}`;
}

/** A number as PromQL reads it, without exponent notation surprises. */
export function num(value: number): string {
  return Number.isInteger(value) ? value.toFixed(0) : String(value);
}
