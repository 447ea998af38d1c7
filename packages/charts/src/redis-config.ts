/**
 * Redis cluster node configuration and the script that forms the cluster, shared by RedisCluster
 * (ConfigMap and bootstrap Job) and the compose stack (mounted files and a one-shot init service).
 */

export interface RedisConfOptions {
  /** `maxmemory` in MiB; eviction is `allkeys-lru` because Redis is a cache here. */
  readonly maxMemoryMiB: number;
  /** Directory for AOF, RDB and `nodes.conf` (the persistent volume). @default '/data' */
  readonly dataDir?: string;
  /** @default 6379 */
  readonly port?: number;
  /** @default 5000 */
  readonly nodeTimeoutMs?: number;
}

/** Renders `redis.conf` for one cluster node. */
export function renderRedisConf(o: RedisConfOptions): string {
  if (!Number.isInteger(o.maxMemoryMiB) || o.maxMemoryMiB < 16) {
    throw new Error(`renderRedisConf: maxMemoryMiB must be an integer >= 16 (got ${o.maxMemoryMiB})`);
  }
  const dir = o.dataDir ?? '/data';
  return [
    '# Rendered by @llm-edge/charts renderRedisConf; do not edit by hand.',
    `port ${o.port ?? 6379}`,
    'bind 0.0.0.0',
    // Reachable only through NetworkPolicies (Kubernetes) or the compose network; a password,
    // when configured, is passed as --requirepass.
    'protected-mode no',
    `dir ${dir}`,
    '',
    '# Cluster mode; nodes.conf lives on the volume so a restarted pod keeps its identity and slots.',
    'cluster-enabled yes',
    `cluster-config-file ${dir}/nodes.conf`,
    `cluster-node-timeout ${o.nodeTimeoutMs ?? 5000}`,
    // A cache keeps serving the slots it has while another master is down.
    'cluster-require-full-coverage no',
    'cluster-allow-reads-when-down yes',
    // Clients are redirected to stable DNS names (set per node with --cluster-announce-hostname),
    // not to pod IPs that change on restart.
    'cluster-preferred-endpoint-type hostname',
    '',
    '# Persistence: AOF fsynced every second plus RDB snapshots.',
    'appendonly yes',
    'appendfsync everysec',
    'save 900 1 300 10 60 10000',
    '',
    '# Memory: bounded, least recently used keys evicted first.',
    `maxmemory ${o.maxMemoryMiB}mb`,
    'maxmemory-policy allkeys-lru',
    '',
  ].join('\n');
}

/**
 * A POSIX sh script that forms the cluster from `REDIS_NODES` (space-separated `host:port`) with
 * `REDIS_REPLICAS` replicas per master. Idempotent: it exits 0 without changes when the cluster is
 * formed, refuses to create over nodes that already know each other, and waits for `cluster_state:ok`.
 * Needs `redis-cli` and `getent`; a password is read by redis-cli from `REDISCLI_AUTH`.
 */
export function renderClusterBootstrapScript(): string {
  return `#!/bin/sh
# Rendered by @llm-edge/charts renderClusterBootstrapScript; do not edit by hand.
# Forms the Redis cluster once. Safe to run again: it does nothing when the cluster is formed.
set -eu
: "\${REDIS_NODES:?space-separated host:port list}"
REDIS_REPLICAS="\${REDIS_REPLICAS:-0}"

info() { # node field
  redis-cli -h "\${1%:*}" -p "\${1##*:}" cluster info 2>/dev/null | tr -d '\\r' | sed -n "s/^$2://p"
}

for node in $REDIS_NODES; do
  until redis-cli -h "\${node%:*}" -p "\${node##*:}" ping 2>/dev/null | grep -q PONG; do
    echo "waiting for $node"; sleep 2
  done
done

formed=yes
for node in $REDIS_NODES; do
  [ "$(info "$node" cluster_state)" = ok ] || formed=no
done
if [ "$formed" = yes ]; then echo "cluster already formed"; exit 0; fi

for node in $REDIS_NODES; do
  known="$(info "$node" cluster_known_nodes)"
  if [ "\${known:-1}" != 1 ]; then
    # Some node already has peers: a cluster exists but is not ok (yet). Creating over it would
    # fail or lose data; wait for it to converge instead.
    for _ in $(seq 1 60); do
      [ "$(info "$node" cluster_state)" = ok ] && { echo "cluster converged"; exit 0; }
      sleep 2
    done
    echo "cluster exists but cluster_state is not ok on $node; fix it by hand (redis-cli --cluster check)" >&2
    exit 1
  fi
done

addrs=""
for node in $REDIS_NODES; do
  host="\${node%:*}"; port="\${node##*:}"
  ip="$(getent hosts "$host" | awk '{ print $1; exit }')"
  addrs="$addrs \${ip:-$host}:$port"
done
echo "creating cluster:$addrs (replicas per master: $REDIS_REPLICAS)"
# shellcheck disable=SC2086
redis-cli --cluster create $addrs --cluster-replicas "$REDIS_REPLICAS" --cluster-yes

for _ in $(seq 1 60); do
  formed=yes
  for node in $REDIS_NODES; do [ "$(info "$node" cluster_state)" = ok ] || formed=no; done
  [ "$formed" = yes ] && { echo "cluster formed"; exit 0; }
  sleep 1
done
echo "cluster created but cluster_state did not become ok" >&2
exit 1
`;
}
