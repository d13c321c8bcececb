#!/usr/bin/env bash
# The main job on the example application: install what is needed, build Retort and the
# example, check that its models and migrations agree, bring the local dev database to head,
# and show the history.
set -euo pipefail
cd "$(dirname "$0")/.."

bash ci/install-deps.sh
build=${RETORT_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j "$(nproc)" --target retort

retort="$build/tool/cli/retort"
export RETORT_DEVDB_DIR="$PWD/$build/retort-devdb"
"$retort" devdb start
"$retort" --migrations migrations/versions upgrade
"$retort" --migrations migrations/versions history --audit
