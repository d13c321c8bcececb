# shellcheck shell=bash disable=SC2034,SC2154  # the variables are the sourcing script's
# The step helpers of the bash-driven CMake tests (e2e/e2e.sh, new_user_week/week.sh), sourced:
# each step is typed as a user types it, and every expected outcome is asserted by exit code and
# by a grep of the output. The sourcing script sets `test_name` (for messages), `build` (the
# project's build tree), `jobs` (build parallelism) and `generator` (CMake's) first.

# The exit code of a failed `cmake --build`: the build tool's own (Ninja 1, Make 2).
case ${generator:-Ninja} in
  *Makefiles) build_failed=2 ;;
  *) build_failed=1 ;;
esac

step=0
step() {
  step=$((step + 1))
  printf '\n=== %s step %d (at %d s): %s\n' "$test_name" "$step" "$SECONDS" "$*"
}
fail() {
  printf '\n%s FAILED at step %d: %s\n' "$test_name" "$step" "$*" >&2
  exit 1
}
# ok COMMAND...: must exit 0. Its output (stdout and stderr) is kept in $out and shown indented.
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
# The id of the one revision file named *_<slug>.json in $versions.
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
# The columns of a table in the database $url, one line, in name order.
columns_are() {
  local got
  got=$(psql -X -At "$url" -c "SELECT string_agg(column_name, ' ' ORDER BY column_name) FROM information_schema.columns
                               WHERE table_schema = 'public' AND table_name = '$1'") || fail "psql failed"
  [[ $got == "$2" ]] || fail "table $1 has columns '$got', expected '$2'"
  echo "    table $1: $got"
}
