/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time by function and by area
 * (a gateway source file, an npm package, a Node core module, GC), as shares of the busy time,
 * so the report can say where a request's CPU goes.
 *
 *   node --import tsx bench/profile.ts <file.cpuprofile> [top=20] [last seconds only]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  readonly name: string;
  readonly ms: number;
  /** Share of busy (non-idle) time, in percent. */
  readonly percent: number;
}

export interface ProfileSummary {
  readonly busyMs: number;
  readonly idlePercent: number;
  readonly functions: SelfTime[];
  readonly areas: SelfTime[];
  /** Areas folded into what they do for a request: logging, metrics, tracing, HTTP, ... */
  readonly groups: SelfTime[];
}

const GROUPS: ReadonlyArray<[RegExp, string]> = [
  [/^(pino|@pinojs\/|sonic-boom|fast-redact|quick-format|thread-stream|on-exit-leak-free|fast-safe-stringify)/, 'logging (pino)'],
  [/^(prom-client|tdigest|bintrees)/, 'metrics (prom-client)'],
  [/^@opentelemetry\//, 'tracing (OpenTelemetry)'],
  [/^undici$/, 'upstream client (undici)'],
  [/^(hono|@hono\/)/, 'routing (Hono)'],
  [/^node:crypto/, 'hashing (node:crypto)'],
  [/^\(garbage collector\)$/, 'garbage collection'],
  [/^socket writes$/, 'socket writes (native writev/write)'],
  [/^(node:_http|node:net|node:stream|node:streams|node:stream_base|node:http)/, 'Node HTTP server and streams'],
  [/^gateway /, 'gateway code'],
  [/^@llm-edge\//, 'gateway code'],
  [/^(zod|ioredis|yaml)/, 'other dependencies'],
];

/** What an area does for a request. */
export function groupOf(area: string): string {
  for (const [pattern, group] of GROUPS) if (pattern.test(area)) return group;
  if (area.startsWith('node:')) return 'other Node core';
  return 'other (V8 program, natives, runtime)';
}

const SOCKET_WRITES = new Set(['writev', 'writeString', 'writeBuffer', 'writeUtf8String', 'writeLatin1String']);

/** Where a frame's code lives: `gateway <file>`, an npm package, `node:<module>`, or a V8 pseudo-frame. */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : SOCKET_WRITES.has(functionName) ? 'socket writes' : '(native)';
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  const gw = /packages\/gateway\/lib\/(.+)\.js$/.exec(url);
  if (gw) return `gateway ${gw[1]}`;
  const own = /packages\/([^/]+)\/lib\//.exec(url);
  if (own) return `@llm-edge/${own[1]}`;
  const core = /^node:(?:internal\/)?([^/]+(?:\/[^/]+)?)/.exec(url);
  if (core) return `node:${core[1]}`;
  return url;
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  if (!url) return name;
  const short = url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, '').replace(/^.*\/packages\/gateway\/lib\//, 'gateway/');
  return `${name} ${short}:${lineNumber + 1}`;
}

/**
 * @param lastSeconds only the samples of the profile's last seconds (the part of a run that was
 *   under the load of interest, when an earlier phase prepared the state)
 */
export function summarise(profile: CpuProfile, top = 20, lastSeconds?: number): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let first = 0;
  if (lastSeconds !== undefined) {
    const total = profile.timeDeltas.reduce((a, b) => a + b, 0);
    let t = 0;
    while (first < profile.samples.length && t < total - lastSeconds * 1e6) t += profile.timeDeltas[first++] ?? 0;
  }
  for (let i = first; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const fn = new Map<string, number>();
  const area = new Map<string, number>();
  const group = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    if (node.callFrame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    busy += us;
    const f = frameName(node);
    fn.set(f, (fn.get(f) ?? 0) + us);
    const a = areaOf(node.callFrame.url, node.callFrame.functionName);
    area.set(a, (area.get(a) ?? 0) + us);
    const g = groupOf(a);
    group.set(g, (group.get(g) ?? 0) + us);
  }
  const rank = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, percent: Math.round((us / busy) * 1000) / 10 }));
  return { busyMs: Math.round(busy / 1000), idlePercent: Math.round((idle / (busy + idle)) * 1000) / 10, functions: rank(fn), areas: rank(area), groups: rank(group) };
}

export function summariseFile(path: string, top = 20, lastSeconds?: number): ProfileSummary {
  return summarise(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile, top, lastSeconds);
}

if (process.argv[1]?.endsWith('profile.ts') && process.argv[2]) {
  const s = summariseFile(process.argv[2], Number(process.argv[3] ?? 20), process.argv[4] ? Number(process.argv[4]) : undefined);
  console.log(`busy ${s.busyMs} ms, idle ${s.idlePercent}%`);
  console.log('\nself time by what it does:');
  for (const g of s.groups) console.log(`  ${String(g.percent).padStart(5)}%  ${g.name}`);
  console.log('\nself time by area:');
  for (const a of s.areas) console.log(`  ${String(a.percent).padStart(5)}%  ${a.name}`);
  console.log('\nself time by function:');
  for (const f of s.functions) console.log(`  ${String(f.percent).padStart(5)}%  ${f.name}`);
}
