#!/usr/bin/env bash
# Installs Debian's Chromium (/usr/bin/chromium) for the browser tests and the screenshot script,
# unless it is already there. Idempotent; needs root (CI and the dev machines run as root).
# Playwright's own browser downloads are never used: `playwright-core` drives this binary.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
echo "installed: $(/usr/bin/chromium --version 2>/dev/null)"
