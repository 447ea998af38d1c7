/**
 * Config reloads: a write of the config file (in place, or by rename as Kubernetes swaps a
 * mounted ConfigMap) or a SIGHUP loads it again; a valid file's keys, teams, limits, budgets and
 * allow-lists apply to new requests, and an invalid one is refused with a log line naming the
 * field while the config in force keeps serving. Sections a reload cannot change without a
 * restart (providers, routes, listeners, ...) are named in a warning.
 */
import { unwatchFile, watchFile } from 'node:fs';
import type { Gateway } from '../gateway.js';
import { ConfigError, loadConfig } from './load.js';

export interface ConfigReloader {
  /** Loads the config again now. @returns whether it was applied */
  reload(reason: 'file' | 'signal'): boolean;
  close(): void;
}

export interface ReloadOptions {
  /** The environment the config was loaded from (it names the file in `LLM_EDGE_CONFIG`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** How often the file is checked for a change (ms). */
  readonly intervalMs?: number;
}

export function watchConfig(gateway: Gateway, { env, intervalMs = 1_000 }: ReloadOptions): ConfigReloader {
  const file = env.LLM_EDGE_CONFIG;
  const reloads = gateway.metrics;
  const reload = (reason: 'file' | 'signal'): boolean => {
    let next;
    try {
      next = loadConfig(env);
    } catch (err) {
      const message = err instanceof ConfigError ? err.message : (err as Error).message;
      gateway.log.error({ msg: 'config reload refused: the config in force keeps serving', reason, error: message });
      reloads.child('configReloadsTotal', 'refused').inc();
      return false;
    }
    const restartOnly = gateway.applyAuth(next);
    reloads.child('configReloadsTotal', 'applied').inc();
    gateway.log.info({ msg: 'config reloaded', reason, keys: next.auth.keys.length, teams: next.auth.teams.length });
    if (restartOnly.length > 0) gateway.log.warn({ msg: 'config sections changed that apply only after a restart', sections: restartOnly });
    return true;
  };
  // Polling the file's stat (it follows the symlink a ConfigMap swaps) sees in-place writes and
  // renames alike, where fs.watch misses some of each depending on the platform.
  const onChange = (now: { mtimeMs: number; ino: number; size: number }, before: { mtimeMs: number; ino: number; size: number }) => {
    if (now.mtimeMs !== before.mtimeMs || now.ino !== before.ino || now.size !== before.size) reload('file');
  };
  if (file) watchFile(file, { interval: intervalMs, persistent: false }, onChange);
  return {
    reload,
    close: () => {
      if (file) unwatchFile(file, onChange);
    },
  };
}
