/**
 * The series names a PromQL expression reads, so a test can hold every dashboard query to the
 * telemetry contract. A small scanner, not a parser: it drops what cannot be a series name
 * (strings, label matchers, range windows, grouping lists, offsets, numbers, variables, keywords)
 * and keeps identifiers that are not called as functions.
 */

/** PromQL words that look like identifiers but never name a series. */
const KEYWORDS = new Set([
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool',
  'and', 'or', 'unless', 'atan2', 'inf', 'nan',
]);

const DOUBLE_QUOTED = String.raw`"(?:[^"\\]|\\.)*"`;
const SINGLE_QUOTED = String.raw`'(?:[^'\\]|\\.)*'`;
const RAW = '`[^`]*`';

const TOKEN = new RegExp(
  [
    DOUBLE_QUOTED,
    SINGLE_QUOTED,
    RAW,
    // label matchers, a `}` inside their strings included
    String.raw`\{(?:` + [DOUBLE_QUOTED, SINGLE_QUOTED, RAW, '[^}"\'`]'].join('|') + String.raw`)*\}`,
    String.raw`\[[^\]]*\]`, // range window or subquery
    String.raw`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`, // grouping label lists
    String.raw`\boffset\s+-?[0-9a-z]+`, // offset modifier
    String.raw`@\s*(?:[0-9.]+|start\(\)|end\(\))`, // @ modifier
    String.raw`\$\{?\w+\}?`, // Grafana variable
    String.raw`0x[0-9a-f]+|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?`, // number
    String.raw`[a-z_:][a-z0-9_:]*`, // identifier
  ].join('|'),
  'gi', // PromQL keywords are case-insensitive
);
const IDENTIFIER = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const CALL = /^\s*(?:\(|(?:by|without)\s*\()/i;

/** Sorted, distinct series names read by `expr`. */
export function seriesNamesIn(expr: string): string[] {
  const names = new Set<string>();
  for (const match of expr.matchAll(TOKEN)) {
    const token = match[0];
    if (!IDENTIFIER.test(token) || KEYWORDS.has(token.toLowerCase())) continue;
    // A function or aggregation is followed by its argument list, possibly after `by (...)`.
    if (CALL.test(expr.slice(match.index + token.length))) continue;
    names.add(token);
  }
  return [...names].sort();
}
