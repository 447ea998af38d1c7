/**
 * Runs the real `promtool` and `amtool` binaries on rendered files in a temporary directory.
 * promtool is required (a missing binary fails the suite); amtool is looked up so its tests can
 * say clearly when it is absent.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ToolResult {
  readonly status: number | null;
  readonly output: string;
}

/** Runs `bin args` in `cwd`; throws with install advice when the binary is not on PATH. */
export function run(bin: 'promtool' | 'amtool', args: readonly string[], cwd: string): ToolResult {
  const result = spawnSync(bin, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (result.error !== undefined) {
    const hint = bin === 'promtool' ? "Debian's prometheus package" : "Debian's prometheus-alertmanager package";
    throw new Error(`could not run ${bin} (${result.error.message}); install ${hint}`);
  }
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

export function hasBinary(bin: string): boolean {
  try {
    execFileSync(bin, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A fresh temporary directory with `files` written into it, and a way to remove it. */
export function tempFiles(files: Readonly<Record<string, string>>): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'llm-edge-alerts-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
