#!/usr/bin/env bash
# System packages for the gpu backend's tests: the headers that let gpu.js's optional `gl`
# dependency (headless-gl) build from source during `npm ci`, and xvfb, whose virtual
# display gives headless-gl a Mesa software-GL context. Run before `npm ci`.
# Works as root (CI containers) or through sudo; Debian/Ubuntu (apt-get) only. Recommended
# packages are kept: xvfb-run needs xauth, which xvfb only recommends.
set -euo pipefail

packages=(libxi-dev libx11-dev libxext-dev libgl1-mesa-dev pkg-config xvfb)

if ! command -v apt-get >/dev/null 2>&1; then
  echo "gpu-deps: apt-get not found; install ${packages[*]} with your package manager" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "gpu-deps: not root and no sudo; cannot install ${packages[*]}" >&2
  exit 1
fi

# Skip the slow index update when everything is already there.
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "gpu-deps: all present (${packages[*]})"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
${as_root[@]+"${as_root[@]}"} apt-get update -qq
${as_root[@]+"${as_root[@]}"} apt-get install -y -qq "${missing[@]}"
echo "gpu-deps: installed ${missing[*]}"
