#!/usr/bin/env bash
# new_user_week: issue #11's "how it is proven", a development week on a second project (a small
# multi-tenant ticket service, project/) that uses an installed Retort (find_package), typed as a
# new user types it: the CMake targets where the README offers one, `retort` by hand from the
# project root elsewhere, psql for what a developer does to the database behind Retort's back.
# One dev cluster for the whole week: the one the targets create in the build tree, which the CLI
# run by hand finds too; the stairway test's throwaway databases and the other databases of the
# week (staging, squash) live on it.
#   Monday     configure; the first revision (db-revision on an empty history); the build;
#              db-upgrade creates the dev database; `retort current` by hand finds the same one
#   Tuesday    a field added -> the build fails at the drift gate with file:line:col: error lines
#              -> db-revision -> db-upgrade; a column added by psql: db-verify fails (exit 3 by
#              hand) and `stamp` refuses unless --no-verify
#   Wednesday  an SQL data step (db-revision-empty, RETORT_MESSAGE); STAIRWAY_TEST: the module
#              warns until enable_testing(), then ctest -R db-stairway passes, fails on a
#              downgrade that forgets a table, and passes once it is fixed
#   Thursday   db-reset on the dev database; `retort reset` refuses another database without
#              --yes; `retort devdb reset`; a C++ data step: the CLI refuses it naming the
#              application, which runs it through the embedded runtime (cpp_steps)
#   Friday     `retort squash --to` the second revision: a database inside the range gets the
#              error, one at the revision (through the application) and one past it carry on
# Every expected failure is asserted with its exit code and a grep of its output (steps.sh).
#
# Environment: RETORT_PREFIX (an installed Retort), WEEK_WORK (a scratch directory, emptied
# first); optional: WEEK_GENERATOR (Ninja), WEEK_MAKE_PROGRAM, WEEK_CXX_COMPILER, WEEK_JOBS (2).
set -euo pipefail

: "${RETORT_PREFIX:?the install prefix of Retort}"
: "${WEEK_WORK:?a scratch directory}"
here=$(cd "$(dirname "$0")" && pwd)
src=$WEEK_WORK/src
build=$WEEK_WORK/build
versions=$src/migrations/versions
model=$src/models/tickets.hpp
devdb_dir=$build/retort-devdb
jobs=${WEEK_JOBS:-2}
generator=${WEEK_GENERATOR:-Ninja}
retort=$RETORT_PREFIX/bin/retort
test_name=new_user_week
# The dev database, as a new user has it: no DATABASE_URL, no RETORT_DEVDB_DIR.
unset DATABASE_URL RETORT_MESSAGE RETORT_DEVDB_DIR
# shellcheck source=SCRIPTDIR/../steps.sh
source "$here/../steps.sh"

# retort as typed by hand in the project root: no --migrations, no --devdb-dir.
by_hand() (
  cd "$src"
  "$retort" "$@"
)
# sql URL STATEMENT: one statement through psql, its rows unaligned.
sql() { psql -X -At -v ON_ERROR_STOP=1 "$1" -c "$2"; }
# A database of the dev cluster beside the dev database: created, its URL printed.
other_database() {
  sql "$url" "CREATE DATABASE $1" >/dev/null || fail "cannot create the database $1"
  local other=${url/dbname=retort_dev/dbname=$1}
  [[ $other != "$url" ]] || fail "the dev database's URL names no dbname=retort_dev: $url"
  printf '%s\n' "$other"
}
# The week's cluster is stopped however the script ends (a failed step exits through here).
stop_devdb() {
  if [[ -d $devdb_dir ]]; then "$retort" --devdb-dir "$devdb_dir" devdb stop >/dev/null 2>&1 || true; fi
}
# write_data_step SLUG UP DOWN: the SQL written into the skeleton of revision *_SLUG.json where
# its placeholders are: the upgrade's `up` and `down`, and the downgrade's, which is their inverse.
write_data_step() {
  local file=("$versions"/*_"$1".json)
  sed -i -e "s|\"-- the data step's SQL[^\"]*\"|\"$2\"|g" -e "s|\"-- the SQL that undoes it[^\"]*\"|\"$3\"|g" "${file[@]}"
  grep -q -- '"--' "${file[@]}" && fail "placeholders left in ${file[*]}"
  true
}
# The last output as one line, every run of blanks and line ends one space.
one_line() { out=$(tr -s ' \n' '  ' <<<"$out"); }
# The 1-based line of the model file holding TEXT (fixed string).
line_of() { grep -nF -- "$1" "$model" | cut -d: -f1; }

# ---- The project -----------------------------------------------------------------------------

command -v psql >/dev/null || fail "psql is needed to look at the database (Debian: postgresql-client)"
stop_devdb # a cluster left running by an interrupted run, before its directory goes
rm -rf "$WEEK_WORK"
mkdir -p "$WEEK_WORK"
cp -R "$here/project" "$src"
trap stop_devdb EXIT

# ---- Monday ----------------------------------------------------------------------------------

step "Monday: configure a new project against the installed Retort (find_package)"
configure=(cmake -S "$src" -B "$build" -G "$generator" "-DCMAKE_PREFIX_PATH=$RETORT_PREFIX")
[[ -n ${WEEK_MAKE_PROGRAM:-} ]] && configure+=("-DCMAKE_MAKE_PROGRAM=$WEEK_MAKE_PROGRAM")
[[ -n ${WEEK_CXX_COMPILER:-} ]] && configure+=("-DCMAKE_CXX_COMPILER=$WEEK_CXX_COMPILER")
ok "${configure[@]}"
[[ $(cat "$src/.retort/devdb-dir") == "$devdb_dir" ]] || fail "$src/.retort/devdb-dir: $(cat "$src/.retort/devdb-dir")"
# A mistyped directory is no empty history.
fails 1 by_hand --migrations migration/versions heads
has "no such migrations directory" "revision --init"

step "the first revision: RETORT_MESSAGE=\"initial schema\" db-revision"
ok with_message "initial schema" target db-revision
has 'Wrote .*_initial_schema\.json' 'CREATE TABLE "public"\."tenants"' 'CREATE TABLE "public"\."tickets"' \
  ': initial schema$' "apply with \`cmake --build $build --target db-upgrade\`"
lacks '\$RETORT_MESSAGE'
rev1=$(revision_id initial_schema)

step "the build passes: drift gate, embedded migrations, the application"
ok build
has "Drift gate" "Embedding the migrations of tickets"

step "db-upgrade creates the local dev database in the build tree and applies the revision"
ok target db-upgrade
has "created and started the local dev database in $devdb_dir" "Applied 1 revision; the database is now at $rev1"

step "retort run by hand from the project root finds that same dev database: no second cluster"
ok by_hand current
has "^$rev1 initial schema" "The database is at head"
lacks "started the local dev database"
ok by_hand devdb status
has "^running \($devdb_dir; \.retort/devdb-dir, written by CMake's configure\)"
[[ ! -e $src/.retort/devdb ]] || fail "retort started a second cluster in $src/.retort/devdb"
url=$(by_hand devdb url)
columns_are tickets "id tenant_id title"

# ---- Tuesday ---------------------------------------------------------------------------------

step "Tuesday: a field added to the model -> the build fails at the drift gate, at the field"
sed -i 's|^  std::string title;$|&\n  RETORT_COLUMN(length = 120) std::optional<std::string> slug;|' "$model"
slug_line=$(line_of "std::optional<std::string> slug;")
[[ -n $slug_line ]] || fail "the edit of $model did not happen"
fails $build_failed build
has "models differ from the migration history" 'ADD COLUMN "slug" varchar\(120\)' \
  "models/tickets\.hpp:$slug_line:[0-9]+: error: add column public\.tickets\.slug" \
  "Generate the migration with: RETORT_MESSAGE=\"<message>\" cmake --build $build --target db-revision"
fails $build_failed build # the gate stays shut: a failure is not remembered as a pass
has "models/tickets\.hpp:$slug_line:[0-9]+: error: add column public\.tickets\.slug"

step "RETORT_MESSAGE=\"ticket slugs\" db-revision -> the build passes -> db-upgrade"
ok with_message "ticket slugs" target db-revision
has 'Wrote .*_ticket_slugs\.json' 'ALTER TABLE "public"\."tickets" ADD COLUMN "slug"' ': ticket slugs$' \
  "apply with \`cmake --build $build --target db-upgrade\`"
lacks '\$RETORT_MESSAGE' 'retort upgrade'
rev2=$(revision_id ticket_slugs)
ok build
has "Drift gate"
lacks "models differ"
ok target db-upgrade
has "Applied 1 revision; the database is now at $rev2"
columns_are tickets "id slug tenant_id title"

step "a column added by hand with psql: db-verify fails (retort verify exits 3), stamp refuses"
ok target db-verify
has "OK: the database matches the schema its migrations made at $rev2"
sql "$url" "ALTER TABLE tickets ADD COLUMN by_hand integer" || fail "psql failed"
fails $build_failed target db-verify
has "the database differs from the schema its migrations made at $rev2 in 1 way" \
  "add column public\.tickets\.by_hand" 'DROP COLUMN "by_hand"'
fails 3 by_hand verify
has "add column public\.tickets\.by_hand"
fails 3 by_hand stamp head
has "not stamped: the database does not have the schema of $rev2" "add column public\.tickets\.by_hand" \
  "stamp --no-verify"
ok by_hand stamp head --no-verify
has "Stamped: the database is now recorded at $rev2"
sql "$url" "ALTER TABLE tickets DROP COLUMN by_hand" || fail "psql failed"
ok target db-verify
has "OK: the database matches"

# ---- Wednesday -------------------------------------------------------------------------------

step "Wednesday: a data step in SQL: RETORT_MESSAGE=\"default tenant\" db-revision-empty, written, db-upgrade"
ok with_message "default tenant" target db-revision-empty
has "\\($rev2\\): default tenant" "then apply with \`cmake --build $build --target db-upgrade\`"
lacks '\$RETORT_MESSAGE'
rev3=$(revision_id default_tenant)
write_data_step default_tenant "INSERT INTO tenants (name) VALUES ('default')" "DELETE FROM tenants WHERE name = 'default'"
ok by_hand rehash
ok target db-upgrade
has "Applied 1 revision; the database is now at $rev3"
[[ $(sql "$url" "SELECT string_agg(name, ' ') FROM tenants") == default ]] || fail "the data step did not run"

step "STAIRWAY_TEST added to retort_add_schema: with no enable_testing() the configure says so"
sed -i 's|^  EMBED_INTO tickets)$|  STAIRWAY_TEST\n&|' "$src/CMakeLists.txt"
grep -q '^  STAIRWAY_TEST$' "$src/CMakeLists.txt" || fail "the edit of CMakeLists.txt did not happen"
ok build # the build reruns the configure
one_line # CMake wraps a warning's text where a path's length puts the line ends
has "retort_add_schema\(tickets\) STAIRWAY_TEST: CTest tests are off in $src" "Call enable_testing\(\)"
ok ctest --test-dir "$build" -N
has "Total Tests: 0"

step "enable_testing() added: ctest -R db-stairway walks every revision up, down, up on the dev cluster"
sed -i 's|^project(tickets LANGUAGES CXX)$|&\nenable_testing()|' "$src/CMakeLists.txt"
grep -q '^enable_testing()$' "$src/CMakeLists.txt" || fail "the edit of CMakeLists.txt did not happen"
ok build
one_line
lacks "CTest tests are off"
ok ctest --test-dir "$build" -R '^db-stairway$' --output-on-failure -V
has "--devdb-dir\"? \"?$devdb_dir" "Stairway on the throwaway database retort_stairway_" "up, down, up" \
  "OK: 3 revisions walked up, down and up again" "100% tests passed"
[[ $(sql "$url" "SELECT count(*) FROM pg_database WHERE datname LIKE 'retort_stairway_%'") == 0 ]] ||
  fail "the throwaway database is left on the dev cluster"

step "a hand-written step whose downgrade forgets its table: db-check cannot see it, db-stairway fails"
ok with_message "audit log" target db-revision-empty
rev4=$(revision_id audit_log)
write_data_step audit_log "CREATE TABLE audit_log (id bigint PRIMARY KEY, what text NOT NULL)" "DELETE FROM audit_log"
ok by_hand rehash
ok target db-check
has "OK: 4 revisions, one head"
fails 8 ctest --test-dir "$build" -R '^db-stairway$' --output-on-failure
has "revision $rev4 \([^)]*_audit_log\.json\): its downgrade does not restore the schema" \
  "drop table public\.audit_log" "0% tests passed, 1 tests failed out of 1"

step "the downgrade fixed (DROP TABLE audit_log): db-stairway passes again"
sed -i 's|"DELETE FROM audit_log"|"DROP TABLE audit_log"|g' "$versions"/*_audit_log.json
grep -q '"DROP TABLE audit_log"' "$versions"/*_audit_log.json || fail "the edit of the audit log step did not happen"
ok by_hand rehash
ok ctest --test-dir "$build" -R '^db-stairway$' --output-on-failure
has "100% tests passed"

# ---- Thursday --------------------------------------------------------------------------------

step "Thursday: db-upgrade, then db-reset undoes every revision and applies them again on the dev database"
ok target db-upgrade
has "Applied 1 revision; the database is now at $rev4"
ok target db-reset
has "Reset undoes 4 revisions, newest first" "Reset: undid 4 revisions and applied 4; the database is now at $rev4"

step "retort reset on a database other than the dev database refuses without --yes, saying what it destroys"
staging=$(other_database tickets_staging)
ok by_hand upgrade --url "$staging" # the global options after the command, too
has "Applied 4 revisions; the database is now at $rev4"
fails 2 by_hand reset --url "$staging"
has "Reset undoes 4 revisions" "drops 2 tables with every row in them: public\.tenants, public\.tickets" \
  "not reset: this is not the local dev database" "--yes"
ok by_hand current --url "$staging"
has "^$rev4 audit log" "The database is at head"
[[ $(sql "$staging" "SELECT string_agg(name, ' ') FROM tenants") == default ]] || fail "the refused reset changed data"

step "retort devdb reset: the dev database dropped and created again, empty; db-upgrade brings it to head"
ok by_hand devdb reset
has "The local dev database retort_dev in $devdb_dir was dropped and created again, empty"
ok by_hand current
has "^base \(no revision applied\)" "4 revision\(s\) to apply"
ok target db-upgrade
has "Applied 4 revisions; the database is now at $rev4"

step "a data step in C++: retort revision --empty --cpp by hand; db-upgrade refuses it, naming the application"
sql "$url" "INSERT INTO tickets (tenant_id, title) SELECT id, 'Printer On Fire!' FROM tenants" || fail "psql failed"
ok by_hand revision --empty --cpp -m "slugs for existing tickets"
has "\\($rev4\\): slugs for existing tickets" "steps\.add\(\"[0-9a-f]+\", upgrade_function, downgrade_function\)"
rev5=$(revision_id slugs_for_existing_tickets)
fails $build_failed target db-upgrade
has "revision $rev5 \([^)]*\) has a C\+\+ data step \(upgrade\), which only the application runs: run the application's migration entry point" \
  "\`retort upgrade $rev4\` applies the revisions before it" "Nothing was run"
current_is "$rev4" "1 revision\(s\) to apply"

step "the application registers the step and runs it through the embedded runtime (migrate_to_head)"
cat >"$src/src/data_steps.cpp" <<EOF
// The ticket service's C++ data steps (written on Thursday of the week).
#include "data_steps.hpp"

#include <cctype>
#include <cstdint>
#include <string>

#include <pqxx/pqxx>

namespace {

// Revision "slugs for existing tickets": each ticket's slug from its title, lower case, words
// joined by '-'. Undone by clearing them.
void fill_slugs(pqxx::work& tx) {
  for (const auto& row : tx.exec("SELECT id, title FROM tickets WHERE slug IS NULL")) {
    std::string slug;
    for (const unsigned char c : row[1].as<std::string>()) {
      if (std::isalnum(c)) slug += static_cast<char>(std::tolower(c));
      else if (!slug.empty() && slug.back() != '-') slug += '-';
    }
    while (!slug.empty() && slug.back() == '-') slug.pop_back();
    tx.exec_params("UPDATE tickets SET slug = \$1 WHERE id = \$2", slug, row[0].as<std::int64_t>());
  }
}
void clear_slugs(pqxx::work& tx) { tx.exec("UPDATE tickets SET slug = NULL"); }

}  // namespace

void register_data_steps(retort::cpp_steps& steps) { steps.add("$rev5", fill_slugs, clear_slugs); }
EOF
ok build
has "Embedding the migrations of tickets"
ok "$build/tickets" "$url"
has "applied 1 revision\(s\)" "applied $rev5"
[[ $(sql "$url" "SELECT slug FROM tickets") == printer-on-fire ]] || fail "the C++ data step did not fill the slug"
ok by_hand current
has "^$rev5 slugs for existing tickets" "The database is at head"

# ---- Friday ----------------------------------------------------------------------------------

step "Friday: databases inside and at the range to squash; retort squash --to the second revision"
inside=$(other_database tickets_inside)
at=$(other_database tickets_at)
ok by_hand upgrade "$rev1" --url "$inside"
ok by_hand upgrade "$rev2" --url "$at"
ok by_hand squash --to "$rev2"
has "Revision $rev2 now creates the schema of the 2 revisions up to it from nothing; 1 file removed"
[[ -z $(find "$versions" -name "*_${rev1}_*") ]] || fail "the squashed revision's file is still there"
ok build
has "Drift gate" "Embedding the migrations of tickets"
ok target db-check
has "OK: 4 revisions, one head"

step "a database inside the squashed range is stopped before anything runs, with what to do"
fails 1 by_hand upgrade --url "$inside"
has "the database stopped inside the history that revision $rev2 \([^)]*\) squashed" "upgrade it to $rev2"
[[ $(sql "$inside" "SELECT count(*) FROM information_schema.columns WHERE table_name = 'tickets' AND column_name = 'slug'") == 0 ]] ||
  fail "the refused upgrade changed the database inside the range"

step "a database at the squashed revision: the application carries it on to head, its C++ step too"
ok "$build/tickets" "$at"
has "applied 3 revision\(s\)" "applied $rev3" "applied $rev4" "applied $rev5"
ok by_hand current --url "$at"
has "^$rev5 " "The database is at head"

step "a database past the squashed revision (the dev database) carries on"
current_is "$rev5" "at head"
ok target db-upgrade
has "Nothing to upgrade: the database is at $rev5"
ok by_hand history
has "^\[applied\] $rev4 -> $rev5 \(head\)  slugs for existing tickets" \
  "^\[applied\] <base> -> $rev2  squash of 2 revisions up to ticket slugs"

step "Friday evening: retort devdb stop"
ok by_hand devdb stop
has "The local dev database is stopped"
fails 4 by_hand devdb status
has "^stopped \($devdb_dir;"

printf '\n%s: all %d steps passed\n' "$test_name" "$step"
