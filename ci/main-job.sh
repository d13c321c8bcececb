#!/usr/bin/env bash
# The main job on the example application, as a user runs it: install what is needed,
# configure and build (the scan of models/ and the drift gate against migrations/ run as part of
# the build), migrate the local dev database with the application (its migration entry point:
# the history ends with a C++ data step, which the retort CLI refuses), verify it against the
# history, and show the history.
set -euo pipefail
cd "$(dirname "$0")/.."

bash ci/install-deps.sh
build=${RETORT_BUILD_DIR:-build}
retort=("$build/tool/cli/retort" --devdb-dir "$build/retort-devdb")
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j "$(nproc)"               # scan + drift gate: fails if models and migrations disagree
cmake --build "$build" --target db-check           # what CI runs
"${retort[@]}" devdb start                         # the local dev database (no DATABASE_URL set)
"$build/models/retort_example_app" "$("${retort[@]}" devdb url)"   # applies every revision, its C++ step too
cmake --build "$build" --target db-upgrade         # nothing left to apply
cmake --build "$build" --target db-verify          # the live schema is exactly what the history replays to
cmake --build "$build" --target db-history         # applied marks and the audit history
