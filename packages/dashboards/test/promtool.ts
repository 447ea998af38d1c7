/** Runs the real `promtool` on files written to a fresh temporary directory. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PromtoolResult {
  readonly status: number | null;
  readonly output: string;
}

/** Writes `files` into a temp dir, runs `promtool <args>` there, removes the dir. */
export function promtool(args: readonly string[], files: Readonly<Record<string, string>>): PromtoolResult {
  const dir = mkdtempSync(join(tmpdir(), 'dashboards-promtool-'));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    const run = spawnSync('promtool', args, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    if (run.error) throw run.error;
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A rule file with one recording rule per expression; JSON strings are valid YAML scalars. */
export function recordingRules(exprs: readonly string[]): string {
  const lines = ['groups:', '  - name: dashboard-queries', '    rules:'];
  exprs.forEach((expr, i) => {
    lines.push(`      - record: dashboard:query_${i}`, `        expr: ${JSON.stringify(expr)}`);
  });
  return `${lines.join('\n')}\n`;
}
