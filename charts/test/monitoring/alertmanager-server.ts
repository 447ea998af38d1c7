/**
 * Debian's Alertmanager (`prometheus-alertmanager`, 0.25) for end-to-end tests, loading a rendered
 * alertmanager.yml on a free loopback port: clustering off (one instance, no gossip port), its
 * silences and notification log in the temp dir.
 */
import { join } from 'node:path';
import { startLoopbackServer, type LoopbackServer } from './loopback-server.js';

/**
 * Starts Alertmanager with `config` and waits until it reports ready.
 * @example
 * const am = await startAlertmanager(renderAlertmanagerYaml({ groupWait: '1s' }));
 * await fetch(`${am.url}/api/v2/status`);
 */
export async function startAlertmanager(config: string, { binary = 'prometheus-alertmanager' } = {}): Promise<LoopbackServer> {
  return startLoopbackServer({
    binary,
    installHint: 'Debian: apt-get install prometheus-alertmanager',
    files: { 'alertmanager.yml': config },
    args: ({ dir, host, port }) => [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=${host}:${port}`,
      // Empty disables HA mode: no gossip listener on 0.0.0.0:9094.
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    readyPath: '/-/ready',
  });
}
