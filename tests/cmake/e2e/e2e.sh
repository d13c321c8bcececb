#!/usr/bin/env bash
# e2e: issue #5's "done when", typed as a user would (BRIEF.md, "What a user types"), with an
# installed Retort (find_package) and a fresh database on the test cluster:
#   1-4    initial model -> db-revision -> the build passes -> db-upgrade
#   5-10   add a field -> the build fails naming the column and the fix -> RETORT_MESSAGE=...
#          db-revision -> the build passes -> db-upgrade, db-downgrade, db-upgrade
#   11-13  (issue #11) db-verify passes, then fails on a column added by hand; db-reset refuses a
#          database other than the dev database; the dev database recorded at configure time is
#          the one the CLI run by hand from the project root uses
#   14-18  two branches: revisions A and B from the same parent -> db-check, retort check and
#          the build fail reporting two heads -> db-merge -> db-check and the build pass -> db-upgrade
#   19     the application migrates another fresh database with the migrations compiled in
#   20     db-revision-empty writes a data step; its SQL written by hand, db-upgrade runs it
#   21     (issue #14) retort_add_schema(FLEET): db-fleet-upgrade, -current, -history and -verify
#          over the fleet file's targets (the application's database and a tenant schema), and
#          db-fleet-verify failing on a column added by hand to the tenant
# db-current (and the table's columns, through psql) is checked after every database step.
# Every expected failure is asserted with its exit code and a grep of its output.
#
# Environment: RETORT_PREFIX (an installed Retort), RETORT_TEST_CLUSTER (the test_cluster tool),
# RETORT_TEST_CLUSTER_DIR (a running cluster), E2E_WORK (a scratch directory, emptied first);
# optional: E2E_GENERATOR (Ninja), E2E_MAKE_PROGRAM, E2E_CXX_COMPILER, E2E_JOBS (2).
set -euo pipefail

: "${RETORT_PREFIX:?the install prefix of Retort}"
: "${RETORT_TEST_CLUSTER:?the test_cluster tool}"
: "${RETORT_TEST_CLUSTER_DIR:?the directory of the test cluster}"
: "${E2E_WORK:?a scratch directory}"
here=$(cd "$(dirname "$0")" && pwd)
src=$E2E_WORK/src
build=$E2E_WORK/build
versions=$src/migrations/versions
model=$src/models/app.hpp
jobs=${E2E_JOBS:-2}
generator=${E2E_GENERATOR:-Ninja}
# The exit code of a failed `cmake --build`: the build tool's own.
case $generator in
  *Makefiles) build_failed=2 ;;
  *) build_failed=1 ;;
esac
retort=$RETORT_PREFIX/bin/retort
# The project's DATABASE_URL keyword decides the database, not the caller's environment.
unset DATABASE_URL RETORT_MESSAGE RETORT_DEVDB_DIR

# ---- Helpers ---------------------------------------------------------------------------------

step=0
step() {
  step=$((step + 1))
  printf '\n=== e2e step %d: %s\n' "$step" "$*"
}
fail() {
  printf '\ne2e FAILED at step %d: %s\n' "$step" "$*" >&2
  exit 1
}
# ok COMMAND...: must exit 0. Its output is kept in $out and shown indented.
ok() {
  local rc=0
  out=$("$@" 2>&1) || rc=$?
  printf '%s\n' "$out" | sed 's/^/    | /'
  ((rc == 0)) || fail "expected success, got exit $rc from: $*"
}
# fails CODE COMMAND...: must exit with CODE (an expected failure).
fails() {
  local want=$1 rc=0
  shift
  out=$("$@" 2>&1) || rc=$?
  printf '%s\n' "$out" | sed 's/^/    | /'
  ((rc == want)) || fail "expected exit $want, got exit $rc from: $*"
  echo "    (failed as expected, exit $rc)"
}
# has REGEX...: the last output matches each (grep -E). lacks REGEX...: matches none.
has() {
  local p
  for p in "$@"; do grep -Eq -- "$p" <<<"$out" || fail "the output lacks /$p/"; done
}
lacks() {
  local p
  for p in "$@"; do ! grep -Eq -- "$p" <<<"$out" || fail "the output has /$p/, and should not"; done
}
# The id of the one revision file named *_<slug>.json.
revision_id() {
  local files=("$versions"/*_"$1".json)
  [[ ${#files[@]} -eq 1 && -f ${files[0]} ]] || fail "expected one migrations/versions/*_$1.json, found: ${files[*]}"
  basename "${files[0]}" | cut -d_ -f2
}
build() { cmake --build "$build" --parallel "$jobs" "$@"; }
target() { cmake --build "$build" --target "$@"; }
# with_message MESSAGE COMMAND...: COMMAND with RETORT_MESSAGE=MESSAGE in its environment.
with_message() (
  export RETORT_MESSAGE=$1
  shift
  "$@"
)
# db-current must name exactly this revision and say whether the database is at head.
current_is() {
  ok target db-current
  has "^$1 " "$2"
}
# The columns of a table in the database, one line, in name order.
columns_are() {
  local got
  got=$(psql -X -At "$url" -c "SELECT string_agg(column_name, ' ' ORDER BY column_name) FROM information_schema.columns
                               WHERE table_schema = 'public' AND table_name = '$1'") || fail "psql failed"
  [[ $got == "$2" ]] || fail "table $1 has columns '$got', expected '$2'"
  echo "    table $1: $got"
}

# The models, as the developer edits them. users_fields: extra members of User; extra: more tables.
write_model() {
  local users_fields=$1 extra=${2:-}
  cat >"$model" <<EOF
// The e2e test's models, as of step $step.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <retort/model.hpp>

struct RETORT_TABLE("users") User {
  RETORT_COLUMN(primary_key, identity) std::int64_t id;
  RETORT_COLUMN(length = 255, unique) std::string email;
$users_fields
};
$extra
EOF
}
phone='  RETORT_COLUMN(length = 20) std::optional<std::string> phone_number;'
nickname='  std::optional<std::string> nickname;'
tags='struct RETORT_TABLE("tags") Tag {
  RETORT_COLUMN(primary_key, identity) std::int64_t id;
  RETORT_COLUMN(unique) std::string name;
};'

# ---- The project -----------------------------------------------------------------------------

command -v psql >/dev/null || fail "psql is needed to look at the database (Debian: postgresql-client)"
rm -rf "$E2E_WORK"
mkdir -p "$E2E_WORK"
cp -R "$here/project" "$src"
url=$("$RETORT_TEST_CLUSTER" createdb "$RETORT_TEST_CLUSTER_DIR" retort_e2e)
app_url=$("$RETORT_TEST_CLUSTER" createdb "$RETORT_TEST_CLUSTER_DIR" retort_e2e_app)

# The project's fleet (retort_add_schema(... FLEET retort.fleet.json)): the application's
# database, and a tenant schema beside the db-* targets' own history.
cat >"$src/retort.fleet.json" <<EOF
{"format": 1, "targets": [
  {"name": "app", "url": "$app_url"},
  {"name": "acme", "url": "$url", "schema": "acme", "labels": {"kind": "tenant"}}
]}
EOF

step "configure a project that uses the installed Retort (DATABASE_URL: a fresh database)"
configure=(cmake -S "$src" -B "$build" -G "$generator" "-DCMAKE_PREFIX_PATH=$RETORT_PREFIX"
  "-DAPP_DATABASE_URL=$url")
[[ -n ${E2E_MAKE_PROGRAM:-} ]] && configure+=("-DCMAKE_MAKE_PROGRAM=$E2E_MAKE_PROGRAM")
[[ -n ${E2E_CXX_COMPILER:-} ]] && configure+=("-DCMAKE_CXX_COMPILER=$E2E_CXX_COMPILER")
ok "${configure[@]}"

step "initial model -> RETORT_MESSAGE=\"initial schema\" db-revision"
ok with_message "initial schema" target db-revision
has 'CREATE TABLE "public"\."users"' 'Wrote .*_initial_schema\.json'
rev1=$(revision_id initial_schema)

step "the build passes (drift gate, embedded migrations, application)"
ok build
has "Drift gate" "Embedding the migrations of app"

step "db-upgrade applies it"
ok target db-upgrade
has "Applied 1 revision; the database is now at $rev1"
current_is "$rev1" "at head"
columns_are users "email id"

step "add a field to the model -> the build fails, naming the column and the fix"
write_model "$phone"
fails $build_failed build
has "models differ from the migration history" "add column public\.users\.phone_number" \
  'ADD COLUMN "phone_number" varchar\(20\)' \
  "Generate the migration with: RETORT_MESSAGE=\"<message>\" cmake --build $build --target db-revision"
fails $build_failed build # the gate stays shut: a failure is not remembered as a pass
has "add column public\.users\.phone_number"
# In the compiler's form at the model's field, which IDEs and CI problem matchers link.
has "models/app\.hpp:[0-9]+:[0-9]+: error: add column public\.users\.phone_number"

step "RETORT_MESSAGE=\"add phone number\" db-revision"
ok with_message "add phone number" target db-revision
has 'Wrote .*_add_phone_number\.json' 'ALTER TABLE "public"\."users" ADD COLUMN "phone_number"'
# The message as the CLI read it, not the target's comment echoing the variable's name; the
# next step named as the target that does it.
has ': add phone number$' "apply with \`cmake --build $build --target db-upgrade\`"
lacks '\$RETORT_MESSAGE' 'retort upgrade'
rev2=$(revision_id add_phone_number)

step "the build passes again"
ok build
has "Drift gate"
lacks "models differ"

step "db-upgrade"
ok target db-upgrade
has "Applied 1 revision; the database is now at $rev2"
current_is "$rev2" "at head"
columns_are users "email id phone_number"

step "db-downgrade: one revision back"
ok target db-downgrade
has "Undid 1 revision; the database is now at $rev1"
current_is "$rev1" "1 revision\(s\) to apply"
columns_are users "email id"

step "db-upgrade again"
ok target db-upgrade
has "Applied 1 revision; the database is now at $rev2"
current_is "$rev2" "at head"
columns_are users "email id phone_number"

step "db-verify: the database matches its history; a column added by hand fails it (issue #11)"
ok target db-verify
has "OK: the database matches the schema its migrations made at $rev2"
psql -X -q "$url" -c "ALTER TABLE users ADD COLUMN by_hand integer" || fail "psql failed"
fails $build_failed target db-verify
has "the database differs from the schema its migrations made at $rev2 in 1 way" "add column public\.users\.by_hand" \
  'DROP COLUMN "by_hand"'
psql -X -q "$url" -c "ALTER TABLE users DROP COLUMN by_hand" || fail "psql failed"
ok target db-verify

step "db-reset refuses a database other than the dev database, saying what it would destroy"
fails $build_failed target db-reset
has "Reset undoes 2 revisions" "drops 1 table with every row in it: public\.users" \
  "not reset: this is not the local dev database"
current_is "$rev2" "at head"

step "configuring recorded the dev database, where retort run by hand from the project root finds it"
[[ $(cat "$src/.retort/devdb-dir") == "$build/retort-devdb" ]] || fail "$src/.retort/devdb-dir: $(cat "$src/.retort/devdb-dir")"
fails 4 bash -c 'cd "$1" && "$2" devdb status' _ "$src" "$retort"
has "^stopped \($build/retort-devdb; \.retort/devdb-dir, written by CMake's configure\)"

step "branch A adds users.nickname: its revision, then set aside (as if on another branch)"
cp "$versions/retort.sum" "$E2E_WORK/retort.sum.main"
write_model "$phone
$nickname"
ok with_message "branch a nickname" target db-revision
has "\($rev2\): branch a nickname"
rev_a=$(revision_id branch_a_nickname)
mkdir -p "$E2E_WORK/branch-a"
mv "$versions"/*_branch_a_nickname.json "$E2E_WORK/branch-a/"
cp "$E2E_WORK/retort.sum.main" "$versions/retort.sum"   # main's retort.sum, as git checkout would

step "branch B adds a table tags, from the same parent"
write_model "$phone" "$tags"
ok with_message "branch b tags" target db-revision
has "\($rev2\): branch b tags" 'CREATE TABLE "public"\."tags"'
rev_b=$(revision_id branch_b_tags)

step "both branches merged in git: two heads -> db-heads, db-check, retort check and the build say so"
mv "$E2E_WORK/branch-a"/*.json "$versions/"
# Both branches rewrote retort.sum: git reports a conflict there, which `retort rehash` resolves.
fails 3 "$retort" --migrations "$versions" check --snapshot "$build/retort/app/schema.json"
has "branch_a_nickname.json was added without \`retort revision\`"
ok "$retort" --migrations "$versions" rehash
write_model "$phone
$nickname" "$tags"
ok target db-heads
has "^$rev_a " "^$rev_b " "2 heads: join them with \`retort merge\`"
fails $build_failed target db-check
has "the history has 2 heads" "$rev_a" "$rev_b"
fails 3 "$retort" --migrations "$versions" check --snapshot "$build/retort/app/schema.json"
has "the history has 2 heads"
fails $build_failed build
has "Drift gate" "the history has 2 heads"

step "RETORT_MESSAGE=\"merge branches\" db-merge -> db-check and the build pass"
ok with_message "merge branches" target db-merge
has "Merge revision [0-9a-f]+ joins"
rev_m=$(revision_id merge_branches)
ok target db-check
has "OK: 5 revisions, one head, the models match the migration history"
ok build
has "Drift gate"

step "db-upgrade applies both branches and the merge"
ok target db-upgrade
has "Applied 3 revisions; the database is now at $rev_m"
current_is "$rev_m" "at head"
columns_are users "email id nickname phone_number"
columns_are tags "id name"

step "the application brings another fresh database to head with the embedded migrations"
ok "$build/app" "$app_url"
has "applied 5 revision\(s\)" "applied $rev1" "applied $rev_a" "applied $rev_b" "applied $rev_m"
ok "$build/app" "$app_url"
has "applied 0 revision\(s\)"

step "RETORT_MESSAGE=\"first tag\" db-revision-empty: a data step, its SQL written by hand -> db-upgrade"
ok with_message "first tag" target db-revision-empty
has "\\($rev_m\\): first tag" "then apply with \`cmake --build $build --target db-upgrade\`"
lacks '\$RETORT_MESSAGE'
rev_d=$(revision_id first_tag)
sed -i -e "s|\"up\": \"--[^\"]*\"|\"up\": \"INSERT INTO tags (name) VALUES ('first')\"|" \
  -e "s|\"down\": \"--[^\"]*\"|\"down\": \"DELETE FROM tags WHERE name = 'first'\"|" "$versions"/*_first_tag.json
ok "$retort" --migrations "$versions" rehash
ok target db-check
ok target db-upgrade
has "Applied 1 revision; the database is now at $rev_d"
[[ $(psql -X -At "$url" -c "SELECT string_agg(name, ' ') FROM tags") == first ]] || fail "the data step did not run"

step "FLEET: db-fleet-upgrade brings both targets to head; db-fleet-current, -history, -verify; a hand edit fails it"
ok target db-fleet-upgrade
has "Upgrading 2 targets to head" "2 targets: 2 ok, 0 failed, 0 not started"
[[ $(psql -X -At "$url" -c "SELECT string_agg(name, ' ') FROM acme.tags") == first ]] || fail "acme's data step did not run"
ok target db-fleet-current
has "Version skew: 1 position" "at head"
ok target db-fleet-history
has "Last step recorded on each target" "acme: upgrade ${rev_d:0:12}"
ok target db-fleet-verify
has "2 targets: 2 ok, 0 differ, 0 failed, 0 not started"
psql -X -q "$url" -c "ALTER TABLE acme.tags ADD COLUMN by_hand integer" || fail "psql failed"
fails $build_failed target db-fleet-verify
has "2 targets: 1 ok, 1 differ, 0 failed, 0 not started" \
  "acme: the database differs from the schema its migrations made at $rev_d in 1 difference" "add column acme\.tags\.by_hand"

printf '\ne2e: all %d steps passed\n' "$step"
