#!/usr/bin/env bash
# Installs what Retort needs, builds it and runs the whole test suite (unit tests, and the
# integration tests against a private PostgreSQL cluster that the suite starts itself).
set -euo pipefail
cd "$(dirname "$0")/.."

bash ci/install-deps.sh
build=${RETORT_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j "$(nproc)"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
