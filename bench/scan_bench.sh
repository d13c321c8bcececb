#!/usr/bin/env bash
# The scanner's time budget: retort-scan on the example models against clang++ -fsyntax-only
# of the same translation unit with the same flags (median of N runs each, interleaved, after
# one warm-up run each). Prints both medians and the ratio; exits 1 above the budget (1.3).
# Then the cost of one annotation's length: a table with N named checks in one RETORT_TABLE,
# for N = 10,000 and 50,000, each against clang++ -fsyntax-only of that header; the scan must
# stay linear (its ratio to the compiler at 50,000 within 1.5x of the ratio at 10,000; it was
# 6 s and 110 s when every diagnostic location re-lexed the whole annotation).
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
within_budget=$(awk -v r="$ratio" -v b="$budget" 'BEGIN { print (r <= b) }')

# One long annotation.
long_ratio() {
  local n=$1 header="$work/long_$1.hpp"
  {
    echo '#include <retort/model.hpp>'
    printf 'struct RETORT_TABLE("wide"'
    for ((i = 0; i < n; ++i)); do printf ', check("n > %d", name = "ck_%d")' "$i" "$i"; done
    echo ') Wide { int n; };'
  } > "$header"
  printf '#include "%s"\n' "$header" > "$work/long_tu.cpp"
  local c s
  c=$(milliseconds "$clangxx" -fsyntax-only "${flags[@]}" "$work/long_tu.cpp")
  s=$(milliseconds "$scan" -o "$work/long.json" "$header" -- "${flags[@]}")
  echo "one annotation of $n options: retort-scan ${s} ms, clang++ -fsyntax-only ${c} ms" >&2
  awk -v s="$s" -v c="$c" 'BEGIN { printf "%.2f", s / c }'
}
r10=$(long_ratio 10000)
r50=$(long_ratio 50000)
echo "one long annotation: ratio to clang ${r10} at 10,000 options, ${r50} at 50,000 (linear: within 1.5x)"
linear=$(awk -v a="$r10" -v b="$r50" 'BEGIN { print (b <= 1.5 * a) }')
[[ $within_budget == 1 && $linear == 1 ]]
