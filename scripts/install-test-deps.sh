#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine with Node 20, only where missing:
# pnpm, and Debian's redis-server, prometheus (brings promtool), prometheus-alertmanager (the
# alertmanager binary and amtool), prometheus-redis-exporter and docker-compose (its `config` check
# of the compose file needs no Docker engine).
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if ! command -v pnpm >/dev/null 2>&1; then
  echo "installing pnpm" >&2
  $SUDO npm install -g pnpm@10 >/dev/null
fi

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v amtool >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
command -v prometheus-alertmanager >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
command -v prometheus-redis-exporter >/dev/null 2>&1 || missing+=(prometheus-redis-exporter)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
if [ ${#missing[@]} -gt 0 ]; then
  # One package can be missing for two commands; install it once.
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian starts the services it installs; the tests start their own on free ports.
for svc in redis-server prometheus prometheus-alertmanager prometheus-redis-exporter; do
  $SUDO systemctl stop "$svc" >/dev/null 2>&1 || $SUDO service "$svc" stop >/dev/null 2>&1 || true
done
