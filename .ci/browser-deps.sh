#!/usr/bin/env bash
# Debian's chromium, for the package tests that run a bundled page in a headless browser
# (test/package/package.test.ts, driven by playwright-core; playwright's own browser
# download cannot work offline). Works as root (CI containers) or through sudo; apt-get only.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "browser-deps: chromium present ($(/usr/bin/chromium --version 2>/dev/null | head -1))"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "browser-deps: apt-get not found; install chromium with your package manager (or set CHROMIUM_PATH)" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then as_root=(); elif command -v sudo >/dev/null 2>&1; then as_root=(sudo); else
  echo "browser-deps: not root and no sudo; cannot install chromium" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
${as_root[@]+"${as_root[@]}"} apt-get update -qq
${as_root[@]+"${as_root[@]}"} apt-get install -y -qq chromium
echo "browser-deps: installed chromium"
