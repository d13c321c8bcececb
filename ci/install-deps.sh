#!/usr/bin/env bash
# Installs everything Retort needs to build, test and run on Debian 12, from Debian's packages.
# Used by both README commands and by .ci/run. Works as root or through sudo.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  clang-14 libclang-14-dev libclang-cpp14-dev llvm-14-dev libclang-rt-14-dev
  libpqxx-dev nlohmann-json3-dev libfmt-dev libgtest-dev libgmock-dev libcli11-dev libssl-dev libsimdjson-dev libpg-query-dev libjemalloc-dev
  postgresql postgresql-client
  ccache  # optional: the CMake tests' two subproject builds share their objects through it
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
