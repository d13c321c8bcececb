#!/usr/bin/env bash
# Many databases from one history. Two tables of docs/performance.md:
#
# Databases: TENANTS databases (200) brought from base to head of a generated history by
#   - the floor: a shell loop of `psql -f` of the same offline SQL (`retort sql base:head`: the same
#     transactions and bookkeeping), one database after the other;
#   - a shell loop of `retort upgrade` per URL (what a user writes without fleets);
#   - `retort upgrade --fleet` with --parallel 1, 4 and 16 (a glob of the databases on the server);
#   - a shell loop of `alembic upgrade head` per URL over the same history (Debian's python3-alembic).
#
# Tenant schemas: SCHEMAS tenant schemas (200) of one database brought from base to head of the
# example application's history (its shared `catalog`, which a revision renames; its C++ data step
# as the same SQL, since only the application runs C++ steps) by
#   - the floor: a shell loop of `retort upgrade --tenant-schema` per tenant, one after the other
#     (each tenant after the first follows the shared objects the first one changed);
#   - `retort upgrade --fleet` with --parallel 1, 4 and 16 (a glob of the schemas), which moves the
#     tenants of the database together, a revision at a time.
#
# Every figure is the median wall time of RUNS runs (ALEMBIC_RUNS for Alembic), each from base: the
# databases are emptied before each run, outside the timing, and each run must leave every target at
# head. Writes the fleet section and the tenant section of docs/performance.md (between their
# markers; the rest of the file is kept).
#
#   bench/fleet_bench.sh                         # both tables, 200 targets each, RUNS=3
#   TENANTS=50 SCHEMAS=50 RUNS=1 bench/fleet_bench.sh   # quicker
#   PARTS=schemas bench/fleet_bench.sh            # only the tenant schemas (PARTS=databases: the other)
#   RETORT=path/to/retort bench/fleet_bench.sh    # default: build-bench's Release build, else build/
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tenants=${TENANTS:-200}
schemas=${SCHEMAS:-200}
parts=${PARTS:-databases,schemas}
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

devdb=(--devdb-dir "$work/devdb")
"$retort" "${devdb[@]}" devdb start > /dev/null
trap '"$retort" "${devdb[@]}" devdb stop > /dev/null 2>&1 || true' EXIT
base_url=$("$retort" "${devdb[@]}" devdb url)
socket_dir=$(sed -n 's/.*host=\([^ ]*\).*/\1/p' <<< "$base_url")
pg_user=$(sed -n 's/.*user=\([^ ]*\).*/\1/p' <<< "$base_url")
url_of() { echo "host=$socket_dir user=$pg_user dbname=$1"; }
sa_url_of() { echo "postgresql+psycopg2://${pg_user}@/$1?host=$socket_dir"; }
quiet_psql() { PGOPTIONS='-c client_min_messages=warning' psql -q -X -v ON_ERROR_STOP=1 "$@" > /dev/null; }

declare -A samples
# sample NAME COUNT RESET MIGRATIONS FLEET TARGETS COMMAND [ARGS]: COUNT timed runs of COMMAND, each
# after RESET; the wall seconds kept. With a FLEET file, each run must have brought its TARGETS
# targets to head of MIGRATIONS (checked outside the timing).
sample() {
  local name=$1 count=$2 reset=$3 migrations=$4 fleet=$5 expected=$6
  shift 6
  for ((r = 0; r < count; r++)); do
    "$reset"
    local t0 t1
    t0=$(date +%s.%N)
    "$@"
    t1=$(date +%s.%N)
    samples[$name]+="$(echo "$t1 - $t0" | bc) "
    if [[ -n $fleet ]]; then
      local at_head
      at_head=$("$retort" --migrations "$migrations" --format json current --fleet "$fleet" \
        | "$py" -c 'import json,sys; print(sum(1 for t in json.load(sys.stdin)["targets"] if t.get("behind") == 0))')
      if ((at_head != expected)); then
        echo "$name: $at_head of $expected targets at head" >&2
        exit 1
      fi
    fi
  done
  log "$name: ${samples[$name]}"
}
median() { tr ' ' '\n' <<< "$1" | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# row LABEL SAMPLES FLOOR-SAMPLES COUNT: a table row, the median against the floor's, COUNT targets a second.
row() {
  local m floor
  m=$(median "${samples[$2]}")
  floor=$(median "${samples[$3]}")
  printf '| %s | %.1f | %.2f | %.1f |\n' "$1" "$m" "$(echo "$m / $floor" | bc -l)" "$(echo "$4 / $m" | bc -l)"
}
build_type() { sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$(dirname "$retort")/../../CMakeCache.txt" 2> /dev/null || true; }
about() {
  echo "\`bench/fleet_bench.sh\`, commit $(git -C "$root" rev-parse --short HEAD), $(date -u +%Y-%m-%d), $(nproc) cores"
  echo "(shared), PostgreSQL $(psql -X -At "$(url_of postgres)" -c 'SHOW server_version'), $("$retort" --version) ($(build_type) build):"
}
# put SECTION-LINES: into docs/performance.md, in place of the section between the same markers.
put() {
  echo "$1" > "$work/section.md"
  "$py" "$root/bench/report.py" --fleet-into "$root/docs/performance.md" "$work/section.md"
}

# ---- Databases -------------------------------------------------------------------------------
databases() {
  log "project: $tables tables x $revisions revisions (bench/gen.py)"
  rm -rf "$work/project"
  "$py" "$root/bench/gen.py" --tables "$tables" --revisions "$revisions" --out "$work/project" > /dev/null
  migrations=$work/project/migrations/versions
  "$retort" --migrations "$migrations" rehash > /dev/null  # the generated history's retort.sum
  "$retort" --migrations "$migrations" sql base:head > "$work/upgrade.sql"
  names=()
  for ((i = 0; i < tenants; i++)); do names+=("$(printf 'tenant_%03d' "$i")"); done

  log "creating the $tenants databases that do not exist yet (each run empties them first)"
  psql -q -X "$(url_of postgres)" > /dev/null << EOF
SELECT format('CREATE DATABASE %I', name) FROM generate_series(0, $((tenants - 1))) i, format('tenant_%s', lpad(i::text, 3, '0')) name
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = name) \gexec
EOF
  local fleet=$work/retort.fleet.json
  cat > "$fleet" << EOF
{"format": 1, "targets": [{"name": "t", "server": "$(url_of postgres)", "databases": "tenant_*"}]}
EOF

  # Every database back to base (one psql session for all of them).
  reset_databases() {
    for n in "${names[@]}"; do
      echo "\\connect $n"
      echo "DROP SCHEMA IF EXISTS retort CASCADE; DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
    done | quiet_psql "$(url_of postgres)"
  }
  floor_loop() { for n in "${names[@]}"; do psql -X -q -v ON_ERROR_STOP=1 -f "$work/upgrade.sql" "$(url_of "$n")" > /dev/null; done; }
  retort_loop() { for n in "${names[@]}"; do "$retort" --url "$(url_of "$n")" --migrations "$migrations" upgrade head > /dev/null; done; }
  retort_fleet() { "$retort" --migrations "$migrations" upgrade --fleet "$fleet" --parallel "$1" > /dev/null; }
  alembic_loop() {
    for n in "${names[@]}"; do
      BENCH_SQLALCHEMY_URL=$(sa_url_of "$n") "$py" -m alembic -c "$work/project/alembic/alembic.ini" upgrade head > /dev/null 2>&1
    done
  }

  sample floor "$runs" reset_databases "$migrations" "$fleet" "$tenants" floor_loop
  sample loop "$runs" reset_databases "$migrations" "$fleet" "$tenants" retort_loop
  for p in 1 4 16; do sample "fleet$p" "$runs" reset_databases "$migrations" "$fleet" "$tenants" retort_fleet "$p"; done
  sample alembic "$alembic_runs" reset_databases "$migrations" "" 0 alembic_loop  # its own bookkeeping

  put "$(
    echo "<!-- fleet section: bench/fleet_bench.sh -->"
    echo "## Many databases: fleets"
    echo
    about
    echo "$tenants databases on one local cluster, each from base to head of a generated history of $tables tables x"
    echo "$revisions revisions (\`bench/gen.py\`), median wall time of $runs runs ($alembic_runs for Alembic), each after every"
    echo "database was emptied. The floor runs the same SQL (\`retort sql base:head\`: the same transactions and"
    echo "bookkeeping) with \`psql -f\`, one database after the other."
    echo
    echo "| how | seconds | x floor | databases/s |"
    echo "|---|---|---|---|"
    row "floor: a loop of \`psql -f\` per URL" floor floor "$tenants"
    row "a loop of \`retort upgrade\` per URL" loop floor "$tenants"
    row "\`retort upgrade --fleet\`, \`--parallel 1\`" fleet1 floor "$tenants"
    row "\`retort upgrade --fleet\`, \`--parallel 4\`" fleet4 floor "$tenants"
    row "\`retort upgrade --fleet\`, \`--parallel 16\`" fleet16 floor "$tenants"
    row "a loop of \`alembic upgrade head\` per URL (Alembic $("$py" -c 'import alembic; print(alembic.__version__)'))" alembic floor "$tenants"
    echo
    echo "Samples (s, in run order): $(for k in floor loop fleet1 fleet4 fleet16 alembic; do printf '%s %s; ' "$k" "${samples[$k]}"; done)"
    echo
    echo "<!-- end of fleet section -->"
  )"
}

# ---- Tenant schemas --------------------------------------------------------------------------
tenant_schemas() {
  local history=$work/example/versions
  rm -rf "$work/example"
  mkdir -p "$history"
  cp "$root"/migrations/versions/*.json "$history"
  # The C++ data step (lower-casing the users' emails) as the same SQL: only the application runs C++.
  "$py" - "$history" << 'EOF'
import glob, json, sys
for path in glob.glob(sys.argv[1] + "/*.json"):
    with open(path) as f:
        r = json.load(f)
    if not any(op["op"] == "cpp" for op in r["upgrade"]):
        continue
    r["upgrade"] = [{"op": "sql", "up": "UPDATE users SET email = lower(email)", "irreversible": "a data step"}
                    if op["op"] == "cpp" else op for op in r["upgrade"]]
    with open(path, "w") as f:
        json.dump(r, f, indent=2)
EOF
  "$retort" --migrations "$history" rehash > /dev/null
  local count
  count=$(ls "$history"/*.json | wc -l)
  local db=schemas_bench url  # not one of the databases part's tenant_*
  url=$(url_of "$db")
  local fleet=$work/tenants.fleet.json
  cat > "$fleet" << EOF
{"format": 1, "targets": [{"name": "s", "url": "$url", "schemas": "t_*"}]}
EOF
  tnames=()
  for ((i = 0; i < schemas; i++)); do tnames+=("$(printf 't_%03d' "$i")"); done

  # A new database with the tenants' empty schemas.
  reset_schemas() {
    {
      echo "DROP DATABASE IF EXISTS $db;"
      echo "CREATE DATABASE $db;"
      echo "\\connect $db"
      for t in "${tnames[@]}"; do echo "CREATE SCHEMA $t;"; done
    } | quiet_psql "$(url_of postgres)"
  }
  tenant_loop() { for t in "${tnames[@]}"; do "$retort" --url "$url" --migrations "$history" --tenant-schema "$t" upgrade head > /dev/null; done; }
  tenant_fleet() { "$retort" --migrations "$history" upgrade --fleet "$fleet" --parallel "$1" > /dev/null; }

  sample tloop "$runs" reset_schemas "$history" "$fleet" "$schemas" tenant_loop
  for p in 1 4 16; do sample "tfleet$p" "$runs" reset_schemas "$history" "$fleet" "$schemas" tenant_fleet "$p"; done

  put "$(
    echo "<!-- tenant section: bench/fleet_bench.sh -->"
    echo "## Many tenants of one database"
    echo
    about
    echo "$schemas tenant schemas of one database, each from base to head of the example application's history"
    echo "($count revisions, its shared \`catalog\` renamed by one of them; its C++ data step as the same SQL), median"
    echo "wall time of $runs runs, each on a new database. The floor is a loop of \`retort upgrade --tenant-schema\`, one"
    echo "tenant after the other (each after the first follows the shared objects the first changed); the fleet"
    echo "moves the tenants together, a revision at a time."
    echo
    echo "| how | seconds | x floor | tenants/s |"
    echo "|---|---|---|---|"
    row "floor: a loop of \`retort upgrade --tenant-schema\` per tenant" tloop tloop "$schemas"
    row "\`retort upgrade --fleet\`, \`--parallel 1\`" tfleet1 tloop "$schemas"
    row "\`retort upgrade --fleet\`, \`--parallel 4\`" tfleet4 tloop "$schemas"
    row "\`retort upgrade --fleet\`, \`--parallel 16\`" tfleet16 tloop "$schemas"
    echo
    echo "Samples (s, in run order): $(for k in tloop tfleet1 tfleet4 tfleet16; do printf '%s %s; ' "$k" "${samples[$k]}"; done)"
    echo
    echo "<!-- end of tenant section -->"
  )"
}

started=$(date +%s)
if [[ $parts == *databases* ]]; then databases; fi
if [[ $parts == *schemas* ]]; then tenant_schemas; fi
log "wrote docs/performance.md's sections ($(($(date +%s) - started)) s)"
