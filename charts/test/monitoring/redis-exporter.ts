/**
 * Debian's redis exporter (`prometheus-redis-exporter`, 1.45) serving only its multi-target
 * `/scrape?target=redis://...` endpoint, as the compose stack's exporter does for its three nodes.
 */
import { startLoopbackServer, type LoopbackServer } from './loopback-server.js';

/** Starts the exporter and waits until its `/health` answers. */
export async function startRedisExporter({ binary = 'prometheus-redis-exporter' } = {}): Promise<LoopbackServer> {
  return startLoopbackServer({
    binary,
    installHint: 'Debian: apt-get install prometheus-redis-exporter',
    // No default target: every scrape names its node.
    args: ({ host, port }) => ['-web.listen-address', `${host}:${port}`, '-redis.addr', ''],
    readyPath: '/health',
  });
}
