#!/bin/sh
# Rendered by @llm-edge/charts renderClusterBootstrapScript; do not edit by hand.
# Forms the Redis cluster once. Safe to run again: it does nothing when the cluster is formed.
set -eu
: "${REDIS_NODES:?space-separated host:port list}"
REDIS_REPLICAS="${REDIS_REPLICAS:-0}"

info() { # node field
  redis-cli -h "${1%:*}" -p "${1##*:}" cluster info 2>/dev/null | tr -d '\r' | sed -n "s/^$2://p"
}

for node in $REDIS_NODES; do
  until redis-cli -h "${node%:*}" -p "${node##*:}" ping 2>/dev/null | grep -q PONG; do
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
  if [ "${known:-1}" != 1 ]; then
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
  host="${node%:*}"; port="${node##*:}"
  ip="$(getent hosts "$host" | awk '{ print $1; exit }')"
  addrs="$addrs ${ip:-$host}:$port"
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
