/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time by function and by area
 * (a gateway source file, an npm package, a Node core module, GC), as shares of the busy time,
 * so the report can say where a request's CPU goes.
 *
 *   node --import tsx bench/profile.ts <file.cpuprofile> [top=20]
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
}

/** Where a frame's code lives: `gateway <file>`, an npm package, `node:<module>`, or a V8 pseudo-frame. */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
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

export function summarise(profile: CpuProfile, top = 20): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const fn = new Map<string, number>();
  const area = new Map<string, number>();
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
  }
  const rank = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, percent: Math.round((us / busy) * 1000) / 10 }));
  return { busyMs: Math.round(busy / 1000), idlePercent: Math.round((idle / (busy + idle)) * 1000) / 10, functions: rank(fn), areas: rank(area) };
}

export function summariseFile(path: string, top = 20): ProfileSummary {
  return summarise(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile, top);
}

if (process.argv[1]?.endsWith('profile.ts') && process.argv[2]) {
  const s = summariseFile(process.argv[2], Number(process.argv[3] ?? 20));
  console.log(`busy ${s.busyMs} ms, idle ${s.idlePercent}%`);
  console.log('\nself time by area:');
  for (const a of s.areas) console.log(`  ${String(a.percent).padStart(5)}%  ${a.name}`);
  console.log('\nself time by function:');
  for (const f of s.functions) console.log(`  ${String(f.percent).padStart(5)}%  ${f.name}`);
}
