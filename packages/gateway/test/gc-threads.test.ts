import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gcThreadNice, platformThreads, v8PoolSize } from '../src/gc-threads.js';
import { spawnGateway, type GatewayProcess } from './gateway-process.js';

const linux = process.platform === 'linux';

/** A thread's nice value, from /proc/<pid>/task/<tid>/stat. */
function niceOfThread(pid: number, tid: number): number {
  // Fields after the command name, which is in parentheses: state is field 3, nice field 19.
  const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[16]);
}

describe('LLM_EDGE_GC_THREAD_NICE', () => {
  it('takes 0 to 19, 10 when unset, and names itself when wrong', () => {
    expect(gcThreadNice(undefined)).toBe(10);
    expect(gcThreadNice(' 0 ')).toBe(0);
    expect(gcThreadNice('10')).toBe(10);
    for (const bad of ['20', '-1', '1.5', 'low']) expect(() => gcThreadNice(bad)).toThrow(/^LLM_EDGE_GC_THREAD_NICE: expected a whole number from 0 \(off\) to 19, got "/);
  });

  it('reads --v8-pool-size from NODE_OPTIONS and the command line (the last wins); 0 is unknowable', () => {
    expect(v8PoolSize([])).toBe(4);
    expect(v8PoolSize(['--v8-pool-size=2'], '--v8-pool-size=8')).toBe(2);
    expect(v8PoolSize([], '--max-old-space-size=512 --v8-pool-size=6')).toBe(6);
    expect(v8PoolSize(['--v8-pool-size=0'])).toBeUndefined();
    expect(v8PoolSize(['--v8-pool-size', '3'])).toBe(3);
  });

  it('picks the pool and its scheduler: the first ids after the process, in start order', () => {
    expect(platformThreads(100, [107, 100, 101, 103, 102, 104, 105, 106], 4)).toEqual([101, 102, 103, 104, 105]);
    expect(platformThreads(100, [100, 102, 101, 103], 1)).toEqual([101, 102]);
  });

  it.runIf(linux)('lowers exactly the threads that do the garbage collector\'s work', () => {
    // A process that lowers its helpers, then makes garbage: the threads that ran besides the
    // main thread must be the lowered ones, and the main thread keeps its priority.
    const module = fileURLToPath(new URL('../lib/gc-threads.js', import.meta.url));
    const script = `
      import { readdirSync, readFileSync } from 'node:fs';
      const { lowerGcThreads } = await import(${JSON.stringify(module)});
      await import('node:fs/promises').then((fs) => fs.readFile('/proc/self/stat')); // the libuv pool exists too
      const stat = (t) => readFileSync('/proc/self/task/' + t + '/stat', 'utf8').split(') ')[1].split(' ');
      const ticks = () => Object.fromEntries(readdirSync('/proc/self/task').map((t) => [t, Number(stat(t)[11]) + Number(stat(t)[12])]));
      const lowered = lowerGcThreads(19);
      const before = ticks();
      let keep = [];
      for (let i = 0; i < 4e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 5e5) keep = []; }
      const after = ticks();
      const threads = readdirSync('/proc/self/task').map((t) => ({ t, nice: Number(stat(t)[16]), ran: after[t] - (before[t] ?? 0) }));
      console.log(JSON.stringify({ pid: process.pid, lowered, threads }));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as {
      pid: number;
      lowered: number;
      threads: { t: string; nice: number; ran: number }[];
    };
    expect(out.lowered).toBe(5);
    const main = out.threads.find((t) => Number(t.t) === out.pid)!;
    expect(main.nice).toBe(0);
    const helpersThatRan = out.threads.filter((t) => Number(t.t) !== out.pid && t.ran > 0);
    expect(helpersThatRan.length).toBeGreaterThan(0);
    expect(helpersThatRan.every((t) => t.nice === 19)).toBe(true);
    expect(out.threads.filter((t) => t.nice === 19)).toHaveLength(5);
  });

  describe.runIf(linux)('the gateway process', () => {
    let lowered: GatewayProcess;
    let off: GatewayProcess;
    beforeAll(async () => {
      [lowered, off] = await Promise.all([spawnGateway({}), spawnGateway({ LLM_EDGE_GC_THREAD_NICE: '0' })]);
    });
    afterAll(async () => {
      for (const g of [lowered, off]) {
        g.child.kill('SIGINT');
        await g.exited;
      }
    });

    const niceOf = (g: GatewayProcess) => readdirSync(`/proc/${g.child.pid}/task`).map((t) => niceOfThread(g.child.pid!, Number(t)));

    it('lowers five threads by default, says so, and keeps the main thread as it was', () => {
      expect(lowered.output).toContain('"gc_threads_lowered":5');
      expect(niceOf(lowered).filter((n) => n === 10)).toHaveLength(5);
      expect(niceOfThread(lowered.child.pid!, lowered.child.pid!)).toBe(0);
    });

    it('changes nothing with 0', () => {
      expect(off.output).toContain('"gc_threads_lowered":0');
      expect(niceOf(off).every((n) => n === 0)).toBe(true);
    });

    it('refuses a bad value before it starts', () => {
      const run = () => execFileSync(process.execPath, [fileURLToPath(new URL('../lib/main.js', import.meta.url))], { env: { ...process.env, LLM_EDGE_GC_THREAD_NICE: 'high' }, stdio: 'pipe' });
      expect(run).toThrow(/LLM_EDGE_GC_THREAD_NICE: expected a whole number/);
    });
  });
});
