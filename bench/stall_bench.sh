#!/usr/bin/env bash
# Writer stalls during schema changes (issue 9): on a table of 1,000,000 rows, the longest time a
# session inserting one row per transaction waits while an index is added, a foreign key is added
# and a nullable column becomes NOT NULL, applied as Retort's safe plan, Retort's plain plan
# (--safety plain) and the SQL Alembic 1.8's autogenerate emits for the same model change, against
# the same writer with no DDL running (the floor). Run by bench/run.sh (`bench/run.sh --stall` runs
# only this part); by hand:
#
#   RETORT=build/tool/cli/retort STALL_URL="host=/tmp/sock user=postgres" STALL_RES=/tmp/stall bench/stall_bench.sh
#
# Alembic's SQL is written here, as `alembic upgrade --sql` prints the operations autogenerate
# writes for these changes (op.create_index, op.create_foreign_key, op.alter_column(nullable=False)),
# and run with `psql -1`, as Alembic runs a migration in one transaction. The NOT NULL column holds
# no NULLs: Alembic's SET NOT NULL alone would fail otherwise (Retort's backfill finds nothing to do).
# Env: STALL_BUILD names the build type of $RETORT in the report (run.sh's: Release; the stall is
# the server's work, so the client's build type hardly matters). STALL_RUNS (default 3) rounds of the four variants, interleaved; STALL_ROWS (1000000).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
retort=${RETORT:?the retort binary}
base_url=${STALL_URL:?a libpq URL without dbname}
res=${STALL_RES:?the results directory}
runs=${STALL_RUNS:-3}
rows=${STALL_ROWS:-1000000}
work=${STALL_WORK:-$res/work}
py=/usr/bin/python3
writer="$root/bench/stall_writer.py"
export PATH=/usr/lib/postgresql/15/bin:$PATH

log() { echo "== $*" >&2; }
now_ns() { date +%s%N; }
rm -rf "$res"
mkdir -p "$res" "$work"

# The models, as snapshots: items(x, ref, y nullable, pad) and parents(id), then each change.
columns='{"name": "id", "type": "bigint", "identity": "by_default"}, {"name": "x", "type": "integer"},
  {"name": "ref", "type": "bigint"}, {"name": "pad", "type": "text"}'
snapshot() {  # y's definition, items' extra members
  cat << EOF
{"format": 1, "tables": [
 {"schema": "public", "name": "parents", "columns": [{"name": "id", "type": "bigint"}], "primary_key": {"columns": ["id"]}},
 {"schema": "public", "name": "items", "columns": [$columns, $1], "primary_key": {"columns": ["id"]}$2}]}
EOF
}
nullable_y='{"name": "y", "type": "integer", "nullable": true}'
declare -A model alembic_up alembic_down
model[index]=$(snapshot "$nullable_y" ', "indexes": [{"columns": ["x"]}]')
model[foreign_key]=$(snapshot "$nullable_y" \
  ', "foreign_keys": [{"columns": ["ref"], "references": {"table": "parents", "columns": ["id"]}}]')
model[not_null]=$(snapshot '{"name": "y", "type": "integer", "backfill": "0"}' '')
alembic_up[index]='CREATE INDEX ix_items_x ON items (x);'
alembic_down[index]='DROP INDEX ix_items_x;'
alembic_up[foreign_key]='ALTER TABLE items ADD CONSTRAINT fk_items_ref_parents FOREIGN KEY(ref) REFERENCES parents (id);'
alembic_down[foreign_key]='ALTER TABLE items DROP CONSTRAINT fk_items_ref_parents;'
alembic_up[not_null]='ALTER TABLE items ALTER COLUMN y SET NOT NULL;'
alembic_down[not_null]='ALTER TABLE items ALTER COLUMN y DROP NOT NULL;'

changes=(index foreign_key not_null)
for c in "${changes[@]}"; do
  d=$work/$c
  rm -rf "$d"
  mkdir -p "$d/versions"
  snapshot "$nullable_y" '' > "$d/base.json"
  echo "${model[$c]}" > "$d/model.json"
  "$retort" --migrations "$d/versions" revision --snapshot "$d/base.json" -m tables > /dev/null
  "$retort" --migrations "$d/versions" revision --snapshot "$d/model.json" -m "$c" > "$d/revision.out"
  db=bench_stall_$c
  url="$base_url dbname=$db"
  psql -q -X "$base_url dbname=postgres" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" > /dev/null
  "$retort" --url "$url" --migrations "$d/versions" upgrade +1 > /dev/null
  log "stall $c: filling $rows rows"
  psql -q -X -v ON_ERROR_STOP=1 "$url" > /dev/null << EOF
INSERT INTO parents SELECT g FROM generate_series(1, 1000) g;
INSERT INTO items (x, ref, y, pad) SELECT g % 1000, g % 1000 + 1, g, repeat('p', 40) FROM generate_series(1, $rows) g;
VACUUM ANALYZE items;
EOF
  # The writer runs through each variant's command; its longest gap inside the command's window
  # is the stall. Then the change is undone for the next variant.
  measure() {  # variant, command...
    local variant=$1
    shift
    local stop=$work/stop out=$work/writer.out t0 t1
    rm -f "$stop"
    "$py" "$writer" write "$url" "$stop" "$out" &
    local pid=$!
    sleep 1
    t0=$(now_ns)
    "$@" > "$work/command.out" 2>&1 || { cat "$work/command.out" >&2; kill "$pid"; exit 1; }
    t1=$(now_ns)
    sleep 0.5
    touch "$stop"
    wait "$pid"
    "$py" "$writer" gap "$out" "$t0" "$t1" >> "$res/stall.$c.$variant.ms"
    echo $(((t1 - t0) / 1000000)) >> "$res/stall.$c.$variant.took"
  }
  undo_retort() { "$retort" --url "$url" --migrations "$d/versions" downgrade -1 > /dev/null; }
  for ((i = 0; i < runs; i++)); do
    log "stall $c: round $((i + 1)) of $runs"
    measure none sleep 3
    measure safe "$retort" --url "$url" --migrations "$d/versions" upgrade
    undo_retort
    measure plain "$retort" --safety plain --url "$url" --migrations "$d/versions" upgrade
    undo_retort
    measure alembic psql -X -q -v ON_ERROR_STOP=1 -1 -c "${alembic_up[$c]}" "$url"
    psql -X -q -v ON_ERROR_STOP=1 -c "${alembic_down[$c]}" "$url" > /dev/null
  done
  psql -q -X "$base_url dbname=postgres" -c "DROP DATABASE $db" > /dev/null
done
{
  echo "rows $rows"
  echo "runs $runs"
  echo "commit ${STALL_COMMIT:-$(git -C "$root" rev-parse --short HEAD)}"
  echo "build ${STALL_BUILD:-Release}"
  echo "date $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "postgres $(psql --version)"
  echo "alembic $("$py" -c 'import alembic; print(alembic.__version__)')"
} > "$res/meta"
log "stall results in $res"
