#!/usr/bin/env bash
# Installs Debian's HAProxy and Redis (haproxy, redis-server) for `npm run start:cluster` and the
# cluster tests, unless both are already on PATH. Idempotent; needs root (CI and the dev machines
# run as root). Only the binaries are used: the cluster starts them in the foreground with its own
# configuration, so the packages' services are stopped and disabled where systemd runs them.
set -euo pipefail

missing=()
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  for service in "${missing[@]}"; do
    systemctl disable --now "$service" >/dev/null 2>&1 || true
  done
fi
echo "installed: $(haproxy -v | head -n 1); $(redis-server --version)"
