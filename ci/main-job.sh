#!/usr/bin/env bash
# The main job on the example application, as a user runs it: install what is needed,
# configure and build (the scan of models/ and the drift gate against migrations/ run as part of
# the build), bring the local dev database to head with db-upgrade, verify it against the
# history, and show the history.
set -euo pipefail
cd "$(dirname "$0")/.."

bash ci/install-deps.sh
build=${RETORT_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j "$(nproc)"               # scan + drift gate: fails if models and migrations disagree
cmake --build "$build" --target db-check           # what CI runs
cmake --build "$build" --target db-upgrade         # the local dev database (no DATABASE_URL set)
cmake --build "$build" --target db-verify          # the live schema is exactly what the history replays to
cmake --build "$build" --target db-history         # applied marks and the audit history
"$build/models/retort_example_app" "$("$build/tool/cli/retort" --devdb-dir "$build/retort-devdb" devdb url)"
