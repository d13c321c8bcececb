#!/usr/bin/env bash
# Retort's speed against the physical floor and against Alembic; rewrites docs/performance.md.
#
#   bench/run.sh            # everything, median of 5 (6 minutes on 2 shared cores, plus the first build)
#   RUNS=3 bench/run.sh     # fewer runs per figure
#   bench/run.sh --scale    # only the scale table (db-check from N=1000, R=1000 to N=10,000,
#                           # R=5,000 against reading the same bytes); the other tables are kept
#                           # from the last full run and the whole file is rendered again
#   bench/run.sh --stall    # only the writer-stall table (bench/stall_bench.sh: index, foreign key and
#                           # NOT NULL on 1,000,000 rows, Retort safe / plain / Alembic's SQL), put into
#                           # docs/performance.md in place of its last version; the rest is kept as is
#
# What it does, in order:
#  1. bench/install-deps.sh (Alembic, SQLAlchemy, GNU time, ...; only what is missing).
#  2. Builds retort and retort-scan in Release from the committed HEAD (exported with git
#     archive into $BENCH_DIR/source, so other people's uncommitted edits do not leak in;
#     RETORT_BENCH_SOURCE=worktree builds the working tree instead) in $BENCH_DIR/retort.
#  3. bench/gen.py: synthetic projects N tables x R revisions, (100, 200), (1000, 200) and
#     (1000, 1000), as Retort models + JSON history and SQLAlchemy models + Alembic scripts;
#     each is validated: the scanned models must match the replayed history (retort check).
#  4. A private PostgreSQL cluster under /tmp (retort devdb), stopped at the end.
#  5. Every figure: Retort and its floor interleaved, RUNS times each, median wall time and the
#     largest peak RSS (GNU time %M); Alembic likewise.
#  6. The scale table: projects up to N=10,000 tables, R=5,000 revisions, db-check against the
#     raw read of the same bytes and against reading + parsing them (results in results-scale/).
#  7. bench/report.py renders the tables + bench/performance-notes.md into docs/performance.md.
# BENCH_DIR defaults to build-bench in the repository.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
scale_only=0
stall_only=0
[[ ${1:-} == --scale ]] && scale_only=1
[[ ${1:-} == --stall ]] && stall_only=1
command_line="bench/run.sh${*:+ $*}"
[[ -n ${RUNS:-} ]] && command_line="RUNS=$RUNS $command_line"
runs=${RUNS:-5}
alembic_runs=${ALEMBIC_RUNS:-$runs}
bench=${BENCH_DIR:-$root/build-bench}
clangxx=${CLANGXX:-clang++-14}
py=/usr/bin/python3   # Debian's, where python3-alembic lives
started=$(date +%s)

log() { echo "== $*" >&2; }
# bench/fleet_bench.sh's sections of docs/performance.md survive a full render.
keep_fleet_section() {
  for s in fleet tenant; do
    sed -n "/^<!-- $s section/,/^<!-- end of $s section -->/p" "$root/docs/performance.md" > "$bench/$s-section.md"
  done
}
restore_fleet_section() {
  for s in fleet tenant; do
    if [[ -s $bench/$s-section.md ]]; then "$py" "$root/bench/report.py" --fleet-into "$root/docs/performance.md" "$bench/$s-section.md"; fi
  done
}

"$root/bench/install-deps.sh"

# ---- 2. Retort, Release ----------------------------------------------------------------------
src=$bench/source
mkdir -p "$src"
if [[ ${RETORT_BENCH_SOURCE:-head} == worktree ]]; then
  src=$root
  commit="$(git -C "$root" rev-parse --short HEAD) + working tree"
else
  # Export HEAD, then copy only the files whose bytes changed (mtimes of the rest stay, so
  # ninja rebuilds only what changed).
  commit=$(git -C "$root" rev-parse --short HEAD)
  export_dir=$(mktemp -d)
  git -C "$root" archive HEAD | tar -x -C "$export_dir"
  (cd "$export_dir" && find . -type f) | while read -r f; do
    if ! cmp -s "$export_dir/$f" "$src/$f"; then
      mkdir -p "$(dirname "$src/$f")"
      cp "$export_dir/$f" "$src/$f"
    fi
  done
  rm -rf "$export_dir"
fi
build=$bench/retort
log "building Retort ($commit) in $build"
if [[ ! -f $build/build.ninja ]]; then
  cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRETORT_BUILD_TESTS=OFF > /dev/null
fi
ninja -C "$build" -j1 retort retort-scan > /dev/null
retort=$build/tool/cli/retort
scan=$build/tool/retort-scan

work=$bench/work
res=$work/results
scale_res=$work/results-scale
stall_res=$work/results-stall
mkdir -p "$work"
c++ -O2 -std=c++20 "$root/bench/read_inputs.cpp" -lsimdjson -o "$work/read_inputs"
read_inputs=$work/read_inputs

# ---- 5. Measuring (the helpers; used from here on) ------------------------------------------
# sample KEY PREP CMD...: PREP (untimed), then one timed run of CMD: wall ms, peak RSS (KiB) and
# the CPU time (user + sys, ms) of the process and its children (not the server's).
sample() {
  local key=$1 prep=$2
  shift 2
  $prep
  local t0 t1
  t0=$(date +%s%N)
  if ! /usr/bin/time -f '%M %U %S' -o "$res/$key.rss1" "$@" > "$res/$key.out" 2>&1; then
    echo "failed: $key: $*" >&2
    tail -20 "$res/$key.out" >&2
    exit 1
  fi
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000)) >> "$res/$key.ms"
  tail -1 "$res/$key.rss1" | awk '{ print $1 }' >> "$res/$key.rss"
  tail -1 "$res/$key.rss1" | awk '{ printf "%d\n", ($2 + $3) * 1000 }' >> "$res/$key.cpu"
}
# pair KEY_A PREP_A CMD_A :: KEY_B PREP_B CMD_B: a warm-up of each, then RUNS interleaved runs.
# (warm-up skipped when WARMUP=0)
pair() {
  local a=() b=() in_b=0 x
  for x in "$@"; do
    if [[ $x == :: && $in_b == 0 ]]; then in_b=1; elif ((in_b)); then b+=("$x"); else a+=("$x"); fi
  done
  if [[ ${WARMUP:-1} == 1 ]]; then
    sample "${a[0]}.warm" "${a[@]:1}"
    sample "${b[0]}.warm" "${b[@]:1}"
  fi
  local i
  for ((i = 0; i < ${RUNS_HERE:-$runs}; i++)); do
    sample "${a[@]}"
    sample "${b[@]}"
  done
}
noop() { :; }

# ---- The scale table (its function; run here alone with --scale, else as step 6) --------------
# db-check on projects up to N=10,000, R=5,000 against the raw read of the same bytes and the
# read + parse of them. The snapshot is `retort replay -o` of the history: gen.py's models are the
# history's head, so it has the bytes the scan writes (the full run proves it on N=1000, R=1000).
scale_projects=(n1000_r1000 n2000_r1000 n5000_r2000 n10000_r5000)
scale_table() {
  local saved_res=$res p d n r
  res=$scale_res
  rm -rf "$res"
  mkdir -p "$res"
  for p in "${scale_projects[@]}"; do
    n=${p#n}; n=${n%_r*}; r=${p#*_r}
    d=$work/scale/$p
    if [[ ! -f $d/done ]]; then
      log "generating $p (scale)"
      "$py" "$root/bench/gen.py" --tables "$n" --revisions "$r" --out "$d"
      "$retort" --migrations "$d/migrations/versions" rehash > /dev/null  # as `retort revision` writes it
      touch "$d/done"
    fi
    "$retort" --migrations "$d/migrations/versions" replay -o "$d/schema.json"
    echo "input $(( $(cat "$d"/migrations/versions/*.json | wc -c) + $(wc -c < "$d/schema.json") ))" > "$res/size.$p"
    log "db-check $p (scale)"
    # A warm-up of each, then RUNS rounds of the four, interleaved.
    rm -rf "$d/check-cache"
    local i
    for ((i = 0; i <= runs; i++)); do
      local suffix=""
      ((i == 0)) && suffix=.warm
      sample "check.retort.$p$suffix" noop "$retort" --migrations "$d/migrations/versions" check --snapshot "$d/schema.json"
      # With --cache-dir as the CMake targets run it: the warm-up round verified the history and
      # left its entry, so these are the checks of a build after a change to the models.
      sample "check.cached.$p$suffix" noop "$retort" --migrations "$d/migrations/versions" check --snapshot "$d/schema.json" \
        --cache-dir "$d/check-cache"
      sample "check.parse.$p$suffix" noop "$read_inputs" "$d/schema.json" "$d/migrations/versions"
      sample "check.raw.$p$suffix" noop "$read_inputs" --raw "$d/schema.json" "$d/migrations/versions"
    done
  done
  {
    echo "commit $commit"
    echo "date $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "runs $runs"
  } > "$res/meta"
  res=$saved_res
}
# ---- The cluster (its function; step 4) -------------------------------------------------------
devdb=/tmp/retort-bench-devdb
start_cluster() {
  "$retort" --devdb-dir "$devdb" devdb start > /dev/null
  trap '"$retort" --devdb-dir "$devdb" devdb stop > /dev/null 2>&1 || true' EXIT
  base_url=$("$retort" --devdb-dir "$devdb" devdb url)
}
# ---- The writer-stall table (bench/stall_bench.sh; alone with --stall, else after the upgrades) -
stall_table() {
  log "writer stalls (bench/stall_bench.sh)"
  RETORT=$retort STALL_URL=$base_url STALL_RES=$stall_res STALL_WORK=$work/stall STALL_COMMIT=$commit \
    STALL_RUNS=${STALL_RUNS:-$runs} "$root/bench/stall_bench.sh"
}
if ((stall_only)); then
  start_cluster
  stall_table
  "$py" "$root/bench/report.py" --stall-into "$root/docs/performance.md" "$stall_res"
  log "wrote the writer-stall section of docs/performance.md ($(($(date +%s) - started)) s)"
  exit 0
fi
if ((scale_only)); then
  started_scale=$(date +%s)
  scale_table
  echo "duration_s $(($(date +%s) - started_scale))" >> "$scale_res/meta"
  keep_fleet_section
  "$py" "$root/bench/report.py" "$res" "$scale_res" "$root/bench/performance-notes.md" "$stall_res" > "$root/docs/performance.md"
  restore_fleet_section
  log "wrote docs/performance.md (scale table only, $(($(date +%s) - started_scale)) s)"
  exit 0
fi
rm -rf "$res"
mkdir -p "$res"

# ---- 3. The synthetic projects ---------------------------------------------------------------
projects=(n100_r200 n1000_r200 n1000_r1000)
flags() { echo "-std=c++20 -I$work/$1/cpp -I$src/runtime/include"; }
for p in "${projects[@]}"; do
  n=${p#n}; n=${n%_r*}; r=${p#*_r}
  log "generating $p"
  "$py" "$root/bench/gen.py" --tables "$n" --revisions "$r" --out "$work/$p"
  d=$work/$p
  # The history minus its last revision: what db-revision / autogenerate start from.
  mkdir -p "$d/minus1/versions" "$d/alembic_minus1/versions"
  cp $(ls "$d"/migrations/versions/*.json | head -n -1) "$d/minus1/versions/"
  cp "$d"/alembic/{alembic.ini,env.py,script.py.mako,models.py} "$d/alembic_minus1/"
  cp $(ls "$d"/alembic/versions/*.py | head -n -1) "$d/alembic_minus1/versions/"
  # The generated files get their retort.sum, as `retort revision` would have written it.
  "$retort" --migrations "$d/migrations/versions" rehash > /dev/null
  "$retort" --migrations "$d/minus1/versions" rehash > /dev/null
  cp "$d/minus1/versions/retort.sum" "$d/minus1/retort.sum.orig"
  "$retort" --migrations "$d/migrations/versions" replay -o "$d/head.json"
  "$retort" --migrations "$d/minus1/versions" replay -o "$d/minus1.json"
  # shellcheck disable=SC2046
  "$scan" -o "$d/schema.json" --depfile "$d/schema.json.d" --previous "$d/head.json" "$d/cpp/models.hpp" \
    -- $(flags "$p")
  "$retort" --migrations "$d/migrations/versions" heads > /dev/null
  "$retort" --migrations "$d/migrations/versions" check --snapshot "$d/schema.json" \
    || { echo "generated project $p: the models and the history disagree" >&2; exit 1; }
  "$retort" --migrations "$d/migrations/versions" sql base:head > "$d/upgrade.sql"
  printf '#include "%s"\n' "$d/cpp/models.hpp" > "$d/tu.cpp"
  # Sizes, for the growth table: input bytes of each figure.
  {
    echo "headers $(cat "$d"/cpp/*.hpp | wc -c)"
    echo "history $(cat "$d"/migrations/versions/*.json | wc -c)"
    echo "snapshot $(wc -c < "$d/schema.json")"
    echo "sql $(wc -c < "$d/upgrade.sql")"
  } > "$res/size.$p"
done

# ---- 4. The cluster --------------------------------------------------------------------------
start_cluster
socket_dir=$(sed -n 's/.*host=\([^ ]*\).*/\1/p' <<< "$base_url")
pg_user=$(sed -n 's/.*user=\([^ ]*\).*/\1/p' <<< "$base_url")
url_of() { echo "$base_url dbname=$1"; }
sa_url_of() { echo "postgresql+psycopg2://${pg_user}@/$1?host=$socket_dir"; }
fresh_db() {
  psql -q -X "$(url_of postgres)" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" > /dev/null 2>&1
}
export PATH=/usr/lib/postgresql/15/bin:$PATH


# Scan vs clang++ -fsyntax-only, same translation unit and flags (RETORT_SCANNING is what
# retort-scan defines, so the compiler sees the annotations too).
for p in n100_r200 n1000_r200; do
  d=$work/$p
  log "scan $p"
  # shellcheck disable=SC2046
  pair "scan.retort.$p" noop "$scan" -o "$d/scan.json" --depfile "$d/scan.json.d" --previous "$d/head.json" \
         "$d/cpp/models.hpp" -- $(flags "$p") \
    :: "scan.floor.$p" noop "$clangxx" -fsyntax-only $(flags "$p") -DRETORT_SCANNING=1 "$d/tu.cpp"
done

# A no-change cmake --build of a project using retort_add_schema (N = 1000, R = 200) vs the
# same build of a project whose one custom command depends on the same files.
p=n1000_r200
d=$work/$p
log "no-change build $p"
for kind in retort floor; do
  floor=OFF
  [[ $kind == floor ]] && floor=ON
  rm -rf "$d/cmake-$kind"
  cmake --no-warn-unused-cli -S "$root/bench/project" -B "$d/cmake-$kind" -G Ninja -DBENCH_FLOOR=$floor -DRETORT_SOURCE="$src" \
    -DRETORT_BUILD="$build" -DBENCH_MODELS="$d/cpp" -DBENCH_MIGRATIONS="$d/migrations/versions" > /dev/null
  cmake --build "$d/cmake-$kind" > "$d/cmake-$kind.first.log"
done
snapshot_file=$d/cmake-retort/retort/bench/schema.json
grep -q "Scanning the models" "$d/cmake-retort.first.log" || { echo "the first build did not scan" >&2; exit 1; }
before=$(stat -c '%.9Y' "$snapshot_file")
pair "build.retort.$p" noop cmake --build "$d/cmake-retort" :: "build.floor.$p" noop cmake --build "$d/cmake-floor"
after=$(stat -c '%.9Y' "$snapshot_file")
scanned=$(cat "$res/build.retort.$p".out | grep -c "Scanning the models" || true)
{
  echo "snapshot_mtime_before $before"
  echo "snapshot_mtime_after $after"
  echo "scan_lines_in_last_output $scanned"
  echo "last_output $(paste -sd'|' "$res/build.retort.$p.out")"
} > "$res/build.proof"

# db-revision (read snapshot, replay, diff, render, write) vs reading and parsing the inputs.
rm_new_revision() { find "$1" -newer "$res/marker" -name '*.json' -delete; }
for p in n100_r200 n1000_r200 n1000_r1000; do
  d=$work/$p
  log "db-revision $p"
  touch "$res/marker"
  prep_rev() { rm_new_revision "$d/minus1/versions"; cp "$d/minus1/retort.sum.orig" "$d/minus1/versions/retort.sum"; }
  pair "revision.retort.$p" prep_rev "$retort" --migrations "$d/minus1/versions" revision --snapshot "$d/schema.json" \
         -m "bench" \
    :: "revision.floor.$p" noop "$read_inputs" "$d/schema.json" "$d/minus1/versions"
  prep_rev
done

# db-check (no change) vs reading and parsing the inputs.
for p in n100_r200 n1000_r200 n1000_r1000; do
  d=$work/$p
  log "db-check $p"
  pair "check.retort.$p" noop "$retort" --migrations "$d/migrations/versions" check --snapshot "$d/schema.json" \
    :: "check.floor.$p" noop "$read_inputs" "$d/schema.json" "$d/migrations/versions"
done

# upgrade base -> head into an empty database vs psql -1 -f of the same offline SQL (a fresh
# database before every run, the warm-up included).
for p in n100_r200 n1000_r200 n1000_r1000; do
  d=$work/$p
  log "upgrade $p"
  fresh_a() { fresh_db bench_up_a; }
  fresh_b() { fresh_db bench_up_b; }
  pair "upgrade.retort.$p" fresh_a "$retort" --url "$(url_of bench_up_a)" \
         --migrations "$d/migrations/versions" upgrade head \
    :: "upgrade.floor.$p" fresh_b psql -X -q -v ON_ERROR_STOP=1 -1 -f "$d/upgrade.sql" "$(url_of bench_up_b)"
  # What the gap is made of: the same SQL, one transaction per revision as Retort applies it.
  awk '/^-- upgrade /{ if (open) print "COMMIT;"; print "BEGIN;"; open = 1 } { print } END { if (open) print "COMMIT;" }' \
    "$d/upgrade.sql" > "$d/upgrade-per-revision.sql"
  for ((i = 0; i < runs; i++)); do
    sample "upgrade.pertx.$p" fresh_b psql -X -q -v ON_ERROR_STOP=1 -f "$d/upgrade-per-revision.sql" "$(url_of bench_up_b)"
  done
done

stall_table

# ---- Alembic, side by side -------------------------------------------------------------------
for p in n100_r200 n1000_r200; do
  d=$work/$p
  db=bench_al_${p}
  export BENCH_SQLALCHEMY_URL
  BENCH_SQLALCHEMY_URL=$(sa_url_of "$db")
  # upgrade of the R revisions into an empty database (a fresh one per run).
  log "alembic upgrade $p"
  fresh_al() { fresh_db "$db"; }
  for ((i = 0; i < alembic_runs; i++)); do
    sample "alembic.upgrade.$p" fresh_al "$py" -m alembic -c "$d/alembic/alembic.ini" upgrade head
  done
  # autogenerate: the database at the head of the history minus its last revision (Alembic
  # needs it live), the models one revision ahead: the same change db-revision finds.
  log "alembic autogenerate $p"
  fresh_db "$db"
  "$py" -m alembic -c "$d/alembic_minus1/alembic.ini" upgrade head > /dev/null
  touch "$res/marker"
  prep_al() { find "$d/alembic_minus1/versions" -newer "$res/marker" -name '*.py' -delete; }
  for ((i = 0; i < alembic_runs; i++)); do
    sample "alembic.autogenerate.$p" prep_al "$py" -m alembic -c "$d/alembic_minus1/alembic.ini" revision \
      --autogenerate -m bench
  done
  grep -q "add_column" "$(ls -t "$d"/alembic_minus1/versions/*.py | head -1)" \
    || { echo "alembic autogenerate $p found nothing" >&2; exit 1; }
  prep_al
  # the no-change drift check: models vs the database at head.
  log "alembic drift check $p"
  "$py" -m alembic -c "$d/alembic/alembic.ini" upgrade head > /dev/null
  for ((i = 0; i < alembic_runs; i++)); do
    sample "alembic.check.$p" noop "$py" "$root/bench/alembic_check.py" "$d/alembic"
  done
done

# ---- 6. The scale table ----------------------------------------------------------------------
scale_table
cmp -s "$work/n1000_r1000/schema.json" "$work/scale/n1000_r1000/schema.json" \
  && echo "same_bytes_as_scan yes" >> "$scale_res/meta" || echo "same_bytes_as_scan no" >> "$scale_res/meta"

# ---- 7. The report ---------------------------------------------------------------------------
finished=$(date +%s)
{
  echo "command $command_line"
  echo "commit $commit"
  echo "date $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "nproc $(nproc)"
  echo "cpu $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
  echo "runs $runs"
  echo "alembic_runs $alembic_runs"
  echo "clang $("$clangxx" --version | head -1)"
  echo "postgres $(psql --version)"
  echo "alembic $("$py" -c 'import alembic, sqlalchemy; print(alembic.__version__, "/ SQLAlchemy", sqlalchemy.__version__)')"
  echo "duration_s $((finished - started))"
} > "$res/meta"
keep_fleet_section
"$py" "$root/bench/report.py" "$res" "$scale_res" "$root/bench/performance-notes.md" "$stall_res" > "$root/docs/performance.md"
restore_fleet_section
log "wrote docs/performance.md ($((finished - started)) s)"
