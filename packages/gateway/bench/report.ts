/**
 * The report: figures as a plain-text table for the terminal, as JSON for `results/latest.json`,
 * and as Markdown for the README's Performance section (between its bench markers). Targets are
 * measured, never asserted: each says met or missed, and by how much.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Percentiles } from './histogram.js';
import type { FeatureCost } from './costs.js';
import type { ProfileSummary } from './profile.js';

export interface RunRow {
  readonly name: string;
  /** What was measured, in a few words. */
  readonly label: string;
  readonly rps: number;
  readonly latencyMs: Percentiles;
  readonly requests: number;
  readonly failures: number;
  /** CPU milliseconds of the process under test per 1,000 answered requests. */
  readonly cpuMsPer1k: number;
  /** The process under test: CPU in percent of one core, peak RSS. */
  readonly cpuPercent: number;
  readonly peakRssMb: number;
  /** The load generator's core: the load process's CPU percent (near 100: the figure is client-bound). */
  readonly loadCpuPercent: number;
  readonly fakeCpuPercent: number;
  /** Answers by `x-llm-edge-cache`, from the gateway's own counters. */
  readonly cache?: Record<string, number>;
  /** The gateway's GC pauses during the run (prom-client's nodejs_gc_duration_seconds). */
  readonly gc?: { readonly byKind: Record<string, { count: number; seconds: number }>; readonly over100ms: number };
}

export interface Target {
  readonly name: string;
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean | null;
  /** "met by 12%", "missed by 30%", or why it was not measured. */
  readonly margin: string;
}

export interface Report {
  readonly generatedAt: string;
  readonly command: string;
  readonly machine: Record<string, string | number>;
  readonly placement: string;
  readonly settings: Record<string, number | string | boolean>;
  readonly runs: RunRow[];
  readonly ratios: Record<string, number>;
  readonly streaming?: unknown;
  readonly tail?: readonly TailRow[];
  readonly workers?: unknown;
  readonly featureCosts?: FeatureCost[];
  readonly hold?: unknown;
  readonly soak?: unknown;
  readonly faults?: unknown;
  readonly profiles?: Record<string, ProfileSummary>;
  readonly targets: Target[];
  readonly notes: string[];
}

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '-');
const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');

/** Target "at least": margin relative to the goal. */
export function atLeast(name: string, goal: string, value: number, want: number, shown: string): Target {
  if (!Number.isFinite(value)) return { name, goal, measured: 'not measured', met: null, margin: 'not run' };
  const met = value >= want;
  const pct = Math.abs((value - want) / want) * 100;
  return { name, goal, measured: shown, met, margin: `${met ? 'met' : 'missed'} by ${pct.toFixed(0)}%` };
}

/** Target "at most" / "under": margin relative to the goal. */
export function atMost(name: string, goal: string, value: number, limit: number, shown: string, strict = false): Target {
  if (!Number.isFinite(value)) return { name, goal, measured: 'not measured', met: null, margin: 'not run' };
  const met = strict ? value < limit : value <= limit;
  const pct = Math.abs((limit - value) / limit) * 100;
  // Under the limit by nothing, or by more than all of it (a negative trend): just "met".
  if (met && (pct < 0.5 || value < 0)) return { name, goal, measured: shown, met, margin: 'met' };
  return { name, goal, measured: shown, met, margin: `${met ? 'met' : 'missed'} by ${pct.toFixed(0)}%` };
}

const ROW_COLUMNS = ['run', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'CPU ms/1k req', 'CPU %', 'peak RSS MB', 'failed', 'load CPU %'] as const;

function rowCells(r: RunRow): string[] {
  return [r.label, int(r.rps), f2(r.latencyMs.p50), f2(r.latencyMs.p90), f2(r.latencyMs.p99), f1(r.cpuMsPer1k), f1(r.cpuPercent), f1(r.peakRssMb), int(r.failures), f1(r.loadCpuPercent)];
}

function textTable(header: readonly string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

function mdTable(header: readonly string[], rows: string[][]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return [`| ${header.map(esc).join(' | ')} |`, `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

/** One paced rate of the tail run (run.ts's TailRun, as the report reads it). */
export interface TailRow {
  readonly rate: number;
  readonly warmupSeconds: number;
  readonly direct: Percentiles;
  readonly gateway: Percentiles;
  /** gateway minus direct, per percentile */
  readonly addedMs: { p50: number; p99: number; p999: number };
  /** The gateway's event-loop delay p99 over the measured window (llm_edge_event_loop_delay_seconds). */
  readonly eventLoopP99Ms: number;
  readonly gc?: { byKind: Record<string, { count: number; seconds: number }> };
}

const TAIL_COLUMNS = ['paced rate', 'direct p50 / p99 / p99.9 ms', 'gateway p50 / p99 / p99.9 ms', 'added p99 ms', 'added p99.9 ms', 'event-loop p99 ms', 'GC (count/s)'] as const;

function tailCells(t: TailRow): string[] {
  const trio = (p: Percentiles) => `${f2(p.p50)} / ${f2(p.p99)} / ${f2(p.p999)}`;
  const gc = Object.entries(t.gc?.byKind ?? {}).filter(([, v]) => v.count > 0).map(([k, v]) => `${k} ${v.count}/${v.seconds}`).join(', ');
  return [`${int(t.rate)} req/s`, trio(t.direct), trio(t.gateway), f2(t.addedMs.p99), f2(t.addedMs.p999), f2(t.eventLoopP99Ms), gc || '-'];
}

const COST_COLUMNS = ['L1 hit, turned off', 'req/s', 'CPU µs/request', 'saved µs/request'] as const;

function costCells(c: FeatureCost): string[] {
  return [c.off, int(c.rps), f1(c.cpuUsPerRequest), c.variant === 'all-on' ? '-' : f1(c.savedUsPerRequest)];
}

/** The fixed-body ceiling's CPU per request, to set the feature costs against. */
function ceilingUs(r: Report): string {
  const ceiling = r.runs.find((x) => x.name === 'ceiling');
  return ceiling ? ` The fixed-body ceiling spends ${f1(ceiling.cpuMsPer1k)} µs of CPU per request.` : '';
}

function targetCells(t: Target): string[] {
  return [t.name, t.goal, t.measured, t.met === null ? 'not run' : t.met ? 'met' : 'MISSED', t.margin];
}

export function toText(r: Report): string {
  const out = [
    `LLM Edge Agent benchmark, ${r.generatedAt}`,
    `machine: ${Object.entries(r.machine).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `placement: ${r.placement}`,
    '',
    textTable(ROW_COLUMNS, r.runs.map(rowCells)),
    '',
    textTable(['target', 'goal', 'measured', 'result', 'margin'], r.targets.map(targetCells)),
  ];
  if (r.tail?.length) out.push('', `Paced tail (open loop, misses, ${r.tail[0]!.warmupSeconds} s warm-up):`, textTable(TAIL_COLUMNS, r.tail.map(tailCells)));
  if (r.featureCosts?.length) {
    out.push('', `What each feature costs an L1 hit (fresh gateways, one feature off at a time).${ceilingUs(r)}`, textTable(COST_COLUMNS, r.featureCosts.map(costCells)));
  }
  for (const [name, p] of Object.entries(r.profiles ?? {})) {
    out.push('', `profile ${name}: busy ${p.busyMs} ms; self time by what it does: ${(p.groups ?? []).map((a) => `${a.name} ${a.percent}%`).join(', ')}`);
    out.push(`  by area: ${p.areas.slice(0, 10).map((a) => `${a.name} ${a.percent}%`).join(', ')}`);
    out.push(`  top functions: ${p.functions.slice(0, 8).map((f) => `${f.name} ${f.percent}%`).join('; ')}`);
  }
  if (r.notes.length) out.push('', ...r.notes.map((n) => `note: ${n}`));
  return out.join('\n');
}

export function toMarkdown(r: Report): string {
  const m = r.machine;
  const out = [
    `Measured by \`${r.command}\` on ${r.generatedAt.slice(0, 10)}: ${m.cpu}, ${m.cores} cores, ${m.memory}, Node ${m.node}, load average ${m.loadBefore} before the run${Number(String(m.loadBefore).split(' ')[0]) > 0.5 ? ' (other work was running on the machine)' : ''}, ${m.minutes} minutes. ${r.placement}. Every feature on: auth with per-key limits, cache, metrics, access logs at \`info\`, tracing at 10% sampling exported over OTLP. Full figures: [packages/gateway/bench/results/latest.json](packages/gateway/bench/results/latest.json).`,
    '',
    mdTable(ROW_COLUMNS, r.runs.map(rowCells)),
    '',
    mdTable(['target', 'goal', 'measured', 'result', 'margin'], r.targets.map(targetCells)),
  ];
  if (r.tail?.length) {
    out.push('', `Paced tail: cache misses sent at even intervals, each timed from when it was due, after a ${r.tail[0]!.warmupSeconds} s warm-up; the fake provider alone at the same rate is the base. Event-loop delay is the p99 of the gateway's own \`llm_edge_event_loop_delay_seconds\` over the measured window (interpolated in its bucket); GC is the window's pauses by kind (count/seconds).`, '');
    out.push(mdTable(TAIL_COLUMNS, r.tail.map(tailCells)));
  }
  if (r.featureCosts?.length) {
    out.push('', `What each feature costs an L1 hit: fresh gateways with one feature off at a time; the CPU a variant saves per request is that feature's cost, and what is left with all off is the fixed path (Hono, body, validation, cache key and lookup, metrics, the socket write).${ceilingUs(r)}`, '');
    out.push(mdTable(COST_COLUMNS, r.featureCosts.map(costCells)));
  }
  const profiles = Object.entries(r.profiles ?? {});
  if (profiles.length) {
    out.push('', 'Where the gateway\'s CPU goes (`--cpu-prof`, share of busy time by what the code does; top functions in latest.json):', '');
    for (const [name, p] of profiles) {
      out.push(`- ${name}: ${(p.groups ?? p.areas).filter((a) => a.percent >= 1).map((a) => `${a.name} ${a.percent}%`).join(', ')}.`);
      out.push(`  Top functions: ${p.functions.slice(0, 5).map((f) => `\`${f.name}\` ${f.percent}%`).join(', ')}.`);
    }
  }
  if (r.notes.length) out.push('', ...r.notes.map((n) => `- ${n}`));
  out.push('', 'What each run does, how CPU and latency are measured, and how to run parts of it: [packages/gateway/bench/README.md](packages/gateway/bench/README.md).');
  return out.join('\n');
}

export const README_BEGIN = '<!-- bench:begin (written by `pnpm bench`; do not edit) -->';
export const README_END = '<!-- bench:end -->';

/** Replaces the text between the README's bench markers; fails if the markers are missing. */
export function writeReadmeSection(readmePath: string, markdown: string): void {
  const text = readFileSync(readmePath, 'utf8');
  const begin = text.indexOf('<!-- bench:begin');
  const end = text.indexOf(README_END);
  if (begin === -1 || end === -1 || end < begin) throw new Error(`${readmePath}: bench markers not found (expected "${README_BEGIN}" ... "${README_END}")`);
  const lineEnd = text.indexOf('\n', begin);
  writeFileSync(readmePath, `${text.slice(0, lineEnd + 1)}${markdown}\n${text.slice(end)}`);
}
