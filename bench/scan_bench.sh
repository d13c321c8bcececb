#!/usr/bin/env bash
# The scanner's time budget: retort-scan on the example models against clang++ -fsyntax-only
# of the same translation unit with the same flags (median of N runs each, interleaved, after
# one warm-up run each). Prints both medians and the ratio; exits 1 above the budget (1.3).
# usage: bench/scan_bench.sh [BUILD_DIR (default build)] [RUNS (default 5)]
#   CLANGXX=clang++-14 overrides the compiler; RETORT_SCAN_BUDGET=1.3 the budget.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
runs=${2:-5}
scan=$build/tool/retort-scan
clangxx=${CLANGXX:-clang++-14}
budget=${RETORT_SCAN_BUDGET:-1.3}
[[ -x $scan ]] || { echo "no $scan: build the retort-scan target first" >&2; exit 2; }

# The models' flags; RETORT_SCANNING is what retort-scan adds, so the compiler sees the
# annotations too.
flags=(-std=c++20 -I"$root/models" -I"$root/runtime/include" -DRETORT_SCANNING=1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# retort-scan's own translation unit: one #include per header given.
printf '#include "%s"\n' "$root/models/models.hpp" > "$work/tu.cpp"

compile() { "$clangxx" -fsyntax-only "${flags[@]}" "$work/tu.cpp"; }
scan_models() { "$scan" -o "$work/schema.json" "$root/models/models.hpp" -- "${flags[@]}"; }

milliseconds() {
  local start end
  start=$(date +%s%N)
  "$@" > /dev/null 2>&1 || { echo "failed: $*" >&2; exit 2; }
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

milliseconds compile > /dev/null
milliseconds scan_models > /dev/null
for _ in $(seq "$runs"); do
  milliseconds compile >> "$work/compile.ms"
  milliseconds scan_models >> "$work/scan.ms"
done
compile_ms=$(median < "$work/compile.ms")
scan_ms=$(median < "$work/scan.ms")
ratio=$(awk -v s="$scan_ms" -v c="$compile_ms" 'BEGIN { printf "%.2f", s / c }')

echo "clang++ -fsyntax-only: ${compile_ms} ms (median of $runs: $(paste -sd' ' "$work/compile.ms"))"
echo "retort-scan:           ${scan_ms} ms (median of $runs: $(paste -sd' ' "$work/scan.ms"))"
echo "ratio: $ratio (budget $budget)"
awk -v r="$ratio" -v b="$budget" 'BEGIN { exit !(r <= b) }'
