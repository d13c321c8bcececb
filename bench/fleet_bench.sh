#!/usr/bin/env bash
# Many databases from one history: TENANTS databases (200) brought from base to head by
#   - the floor: a shell loop of `psql -f` of the same offline SQL (`retort sql base:head`: the same
#     transactions and bookkeeping), one database after the other;
#   - a shell loop of `retort upgrade` per URL (what a user writes without fleets);
#   - `retort upgrade --fleet` with --parallel 1, 4 and 16 (a glob of the databases on the server);
#   - a shell loop of `alembic upgrade head` per URL over the same history (Debian's python3-alembic).
# Every figure is the median wall time of RUNS runs (ALEMBIC_RUNS for Alembic), each from base: the
# databases are emptied before each run, outside the timing. Writes the fleet section of
# docs/performance.md (between its markers; the rest of the file is kept).
#
#   bench/fleet_bench.sh                         # 200 databases, 5 tables x 10 revisions, RUNS=3
#   TENANTS=50 RUNS=1 bench/fleet_bench.sh        # quicker
#   RETORT=path/to/retort bench/fleet_bench.sh    # default: build-bench's Release build, else build/
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tenants=${TENANTS:-200}
runs=${RUNS:-3}
alembic_runs=${ALEMBIC_RUNS:-1}
tables=${TABLES:-5}
revisions=${REVISIONS:-10}
bench=${BENCH_DIR:-$root/build-bench}
work=$bench/fleet
py=/usr/bin/python3   # Debian's, where python3-alembic lives
export PATH=/usr/lib/postgresql/15/bin:$PATH
log() { echo "== $*" >&2; }

retort=${RETORT:-}
if [[ -z $retort ]]; then
  retort=$bench/retort/tool/cli/retort
  [[ -x $retort ]] || retort=$root/build/tool/cli/retort
fi
[[ -x $retort ]] || { echo "no retort binary (build it, or set RETORT)" >&2; exit 1; }

mkdir -p "$work"
log "project: $tables tables x $revisions revisions (bench/gen.py)"
rm -rf "$work/project"
"$py" "$root/bench/gen.py" --tables "$tables" --revisions "$revisions" --out "$work/project" > /dev/null
migrations=$work/project/migrations/versions
"$retort" --migrations "$migrations" rehash > /dev/null  # the generated history's retort.sum
"$retort" --migrations "$migrations" sql base:head > "$work/upgrade.sql"

devdb=(--devdb-dir "$work/devdb")
"$retort" "${devdb[@]}" devdb start > /dev/null
trap '"$retort" "${devdb[@]}" devdb stop > /dev/null 2>&1 || true' EXIT
base_url=$("$retort" "${devdb[@]}" devdb url)
socket_dir=$(sed -n 's/.*host=\([^ ]*\).*/\1/p' <<< "$base_url")
pg_user=$(sed -n 's/.*user=\([^ ]*\).*/\1/p' <<< "$base_url")
url_of() { echo "host=$socket_dir user=$pg_user dbname=$1"; }
sa_url_of() { echo "postgresql+psycopg2://${pg_user}@/$1?host=$socket_dir"; }
names=()
for ((i = 0; i < tenants; i++)); do names+=("$(printf 'tenant_%03d' "$i")"); done

log "creating the $tenants databases that do not exist yet (each run empties them first)"
psql -q -X "$(url_of postgres)" > /dev/null << EOF
SELECT format('CREATE DATABASE %I', name) FROM generate_series(0, $((tenants - 1))) i, format('tenant_%s', lpad(i::text, 3, '0')) name
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = name) \gexec
EOF
cat > "$work/retort.fleet.json" << EOF
{"format": 1, "targets": [{"name": "t", "server": "$(url_of postgres)", "databases": "tenant_*"}]}
EOF

# Every database back to base (one psql session for all of them), outside the timing.
reset() {
  {
    for n in "${names[@]}"; do
      echo "\\connect $n"
      echo "DROP SCHEMA IF EXISTS retort CASCADE; DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
    done
  } | PGOPTIONS='-c client_min_messages=warning' psql -q -X "$(url_of postgres)" > /dev/null 2>&1
}

floor_loop() { for n in "${names[@]}"; do psql -X -q -v ON_ERROR_STOP=1 -f "$work/upgrade.sql" "$(url_of "$n")" > /dev/null; done; }
retort_loop() { for n in "${names[@]}"; do "$retort" --url "$(url_of "$n")" --migrations "$migrations" upgrade head > /dev/null; done; }
retort_fleet() { "$retort" --migrations "$migrations" upgrade --fleet "$work/retort.fleet.json" --parallel "$1" > /dev/null; }
alembic_loop() {
  for n in "${names[@]}"; do
    BENCH_SQLALCHEMY_URL=$(sa_url_of "$n") "$py" -m alembic -c "$work/project/alembic/alembic.ini" upgrade head > /dev/null 2>&1
  done
}

declare -A samples
# sample NAME COUNT FUNCTION [ARGS]: COUNT timed runs, each after a reset; the wall seconds kept.
sample() {
  local name=$1 count=$2
  shift 2
  for ((r = 0; r < count; r++)); do
    reset
    local t0 t1
    t0=$(date +%s.%N)
    "$@"
    t1=$(date +%s.%N)
    samples[$name]+="$(echo "$t1 - $t0" | bc) "
  done
  # Each run must have brought every database to head.
  local at_head
  at_head=$("$retort" --migrations "$migrations" --format json current --fleet "$work/retort.fleet.json" \
    | "$py" -c 'import json,sys; print(sum(1 for t in json.load(sys.stdin)["targets"] if t.get("behind") == 0))')
  if [[ $name != alembic ]] && ((at_head != tenants)); then
    echo "$name: $at_head of $tenants databases at head" >&2
    exit 1
  fi
  log "$name: ${samples[$name]}"
}
median() { tr ' ' '\n' <<< "$1" | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

started=$(date +%s)
sample floor "$runs" floor_loop
sample loop "$runs" retort_loop
for p in 1 4 16; do sample "fleet$p" "$runs" retort_fleet "$p"; done
sample alembic "$alembic_runs" alembic_loop

floor=$(median "${samples[floor]}")
row() {
  local m
  m=$(median "${samples[$2]}")
  printf '| %s | %.1f | %.2f | %.1f |\n' "$1" "$m" "$(echo "$m / $floor" | bc -l)" "$(echo "$tenants / $m" | bc -l)"
}
section=$(
  echo "<!-- fleet section: bench/fleet_bench.sh -->"
  echo "## Many databases: fleets"
  echo
  echo "\`bench/fleet_bench.sh\`, commit $(git -C "$root" rev-parse --short HEAD), $(date -u +%Y-%m-%d), $(nproc) cores"
  echo "(shared), PostgreSQL $(psql -X -At "$(url_of postgres)" -c 'SHOW server_version'): $tenants databases on one local"
  echo "cluster, each from base to head of a generated history of $tables tables x $revisions revisions (\`bench/gen.py\`),"
  echo "median wall time of $runs runs ($alembic_runs for Alembic), each after every database was emptied. The floor"
  echo "runs the same SQL (\`retort sql base:head\`: the same transactions and bookkeeping) with \`psql -f\`, one"
  echo "database after the other. $("$retort" --version) ($(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$(dirname "$retort")/../../CMakeCache.txt" 2> /dev/null || true) build)."
  echo
  echo "| how | seconds | x floor | databases/s |"
  echo "|---|---|---|---|"
  row "floor: a loop of \`psql -f\` per URL" floor
  row "a loop of \`retort upgrade\` per URL" loop
  row "\`retort upgrade --fleet\`, \`--parallel 1\`" fleet1
  row "\`retort upgrade --fleet\`, \`--parallel 4\`" fleet4
  row "\`retort upgrade --fleet\`, \`--parallel 16\`" fleet16
  row "a loop of \`alembic upgrade head\` per URL (Alembic $("$py" -c 'import alembic; print(alembic.__version__)'))" alembic
  echo
  echo "Samples (s, in run order): $(for k in floor loop fleet1 fleet4 fleet16 alembic; do printf '%s %s; ' "$k" "${samples[$k]}"; done)"
  echo
  echo "<!-- end of fleet section -->"
)
echo "$section" > "$work/section.md"
"$py" "$root/bench/report.py" --fleet-into "$root/docs/performance.md" "$work/section.md"
log "wrote the fleet section of docs/performance.md ($(($(date +%s) - started)) s)"
