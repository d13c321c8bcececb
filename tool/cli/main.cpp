// retort: the command line. CLI11 parses; commands.cpp does the work; errors become one
// clear message and a documented exit code here, and nowhere else.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "commands.hpp"
#include "reset.hpp"
#include "verify.hpp"
#include "fleet_commands.hpp"
#include "retort/lint.hpp"
#include "error_report.hpp"
#include "squash.hpp"
#include "stairway.hpp"

namespace {

constexpr const char* exit_codes_help =
    "Exit codes: 0 success, 1 bad input (migration files, snapshot, revision names), 2 usage error,\n"
    "3 check failed (drift between models and migrations, or several heads), 4 database error.\n"
    "Database: --url, else $DATABASE_URL, else the local dev database (retort devdb).";

// `retort frobnicate`: says the command is unknown, lists the commands, suggests one the word starts.
int unknown_command(const CLI::App& app, const std::string& word) {
  std::vector<std::string> names, starting;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
    if (word.size() >= 2 && sub->get_name().starts_with(word)) starting.push_back(sub->get_name());
  }
  std::cerr << fmt::format("retort: unknown command '{}'{}\nCommands: {}\nRun `retort --help` for what each does.\n",
                           word, starting.empty() ? "" : fmt::format("; did you mean '{}'?", fmt::join(starting, "' or '")),
                           fmt::join(names, ", "));
  return retort::cli::exit_usage;
}

// Ends the process at once with `code`: what a check leaves in memory (see check()) is not freed
// piece by piece.
[[noreturn]] void exit_now(int code) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);  // what fmt::print wrote through C's streams
  std::_Exit(code);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace retort::cli;
  CLI::App app{"Retort: schema migrations for C++ on PostgreSQL", "retort"};
  app.footer(exit_codes_help);
  app.set_version_flag("--version", std::string("retort ") + RETORT_VERSION);
  app.require_subcommand(1);
  app.fallthrough();  // the global options after the command too: `retort current --url URL`

  options o;
  app.add_option("--migrations", o.migrations_dir, "Directory of the migration files")->capture_default_str();
  app.add_option("--url", o.url, "PostgreSQL connection string (default: $DATABASE_URL, else the local dev database)");
  app.add_option("--devdb-dir", o.devdb_dir,
                 "Directory of the local dev database (default: $RETORT_DEVDB_DIR, else the one .retort/devdb-dir "
                 "names, which configuring with retort_add_schema writes, else .retort/devdb)");
  app.add_option("--bookkeeping-schema", o.bookkeeping_schema, "Schema of Retort's own tables")->capture_default_str();
  app.add_option("--tenant-schema", o.tenant_schema,
                 "Schema-per-tenant: create the history's `public` objects in this schema, with its own bookkeeping "
                 "(tables retort_applied, retort_history, retort_progress in it)");
  app.add_option("--format", o.format, "Output format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  app.add_option("--safety", o.safety,
                 "Plans for tables that may hold rows: safe (indexes built concurrently, constraints validated "
                 "after a NOT VALID add, ...) or plain (each revision one transaction)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, retort::pg::safety>{
          {"safe", retort::pg::safety::safe}, {"plain", retort::pg::safety::plain}}))
      ->envname("RETORT_SAFETY")
      ->default_str("safe");
  app.add_option("--lock-timeout", o.lock_timeout_ms, "Milliseconds a statement may wait for a lock (0: forever)")
      ->envname("RETORT_LOCK_TIMEOUT")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--lock-attempts", o.lock_attempts, "Tries of a transaction that hit the lock timeout")
      ->envname("RETORT_LOCK_ATTEMPTS")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--statement-timeout", o.statement_timeout_ms, "Milliseconds a statement may run (0: no limit)")
      ->envname("RETORT_STATEMENT_TIMEOUT")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--connect-timeout", o.connect_timeout_s, "Seconds to wait for the server to answer a connection")
      ->envname("RETORT_CONNECT_TIMEOUT")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  std::string color = "auto";
  app.add_option("--color", color, "Colour output")->check(CLI::IsMember({"auto", "always", "never"}))->capture_default_str();

  std::string up_target, down_target, stamp_target, range, message, name, action;
  bool accept_edited = false, audit = false;
  revision_request revision_with;

  // A fleet: every target of a fleet file instead of one database (upgrade, current, history, verify).
  fleet_request fleet;
  const auto add_fleet_options = [&](CLI::App* command) {
    command->add_option("--fleet", fleet.file, "A fleet file (retort.fleet.json): run on each database or tenant schema it lists")
        ->envname("RETORT_FLEET");
    command->add_option("--labels", fleet.labels, "With --fleet: only the targets carrying these labels (k=v, comma-separated)");
    command->add_option("--parallel", fleet.parallel, "With --fleet: targets at a time, each on its own connection")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
  };

  auto* up = app.add_subcommand("upgrade", "Apply migrations up to TARGET (head, heads, +N, a revision)");
  up->add_option("target", up_target, "Where to go")->default_val("head");
  up->add_flag("--accept-edited", accept_edited, "Accept applied migrations whose files were edited since");
  add_fleet_options(up);
  up->add_option("--canary", fleet.canary, "With --fleet: upgrade the first K targets first; stop if any of them fails")
      ->check(CLI::NonNegativeNumber);
  up->add_flag("--stop-on-error", fleet.stop_on_error, "With --fleet: start no further target after one fails");

  auto* down = app.add_subcommand("downgrade", "Undo migrations down to TARGET (-N, base, a revision)");
  down->add_option("target", down_target, "Where to go")->default_val("-1");
  down->add_flag("--accept-edited", accept_edited, "Accept applied migrations whose files were edited since");

  auto* st = app.add_subcommand("stamp", "Record TARGET as applied without running anything (adopt a database)");
  st->add_option("target", stamp_target, "base, head, heads or a revision")->required();
  bool no_verify = false;
  st->add_flag("--no-verify", no_verify, "Record it even when the database does not have TARGET's schema");

  auto* vf = app.add_subcommand("verify", "Compare the database with the schema its recorded revision replays to "
                                          "(exit 3 on any difference: a hand edit)");
  add_fleet_options(vf);
  auto* rs = app.add_subcommand("reset", "Undo every revision, then apply every one to head (destroys the data)");
  bool yes = false;
  rs->add_flag("--yes", yes, "Confirm a reset of a database other than the local dev database");

  auto* cur = app.add_subcommand("current", "Show the database's revision");
  add_fleet_options(cur);
  auto* hist = app.add_subcommand("history", "List revisions, newest first, marked applied when a database is set");
  hist->add_flag("--audit", audit, "Also show the database's audit history");
  add_fleet_options(hist);
  auto* hd = app.add_subcommand("heads", "Show the heads of the history");
  auto* sh = app.add_subcommand("show", "Show a revision and its SQL");
  sh->add_option("revision", name, "Revision id, a unique prefix of 4+ characters, or head")->required();

  auto* sq = app.add_subcommand("sql", "Print the SQL of FROM:TO (e.g. base:head) for psql -f, without a database");
  sq->add_option("range", range, "FROM:TO, or TO from base")->default_val("base:head");
  bool single_transaction = false;
  sq->add_flag("--single-transaction", single_transaction,
               "No BEGIN/COMMIT: a script for `psql -1 -f`, refused when the range cannot run as one transaction");

  auto* rev = app.add_subcommand("revision", "Write the next migration: the difference between the history and the models");
  auto* rev_snapshot = rev->add_option("--snapshot", revision_with.snapshot, "The models' schema snapshot (written by retort-scan)");
  rev->add_option("-m,--message", message, "What the revision does (default: named from its operations)");
  auto* rev_empty = rev->add_flag("--empty", revision_with.empty,
                                  "A data step: no models compared, a skeleton sql step with up and down to fill in")
                        ->excludes(rev_snapshot);
  rev->add_flag("--cpp", revision_with.cpp,
                "With --empty: the data step is a C++ function the application registers (run by migrate_to_head)")
      ->needs(rev_empty);
  rev->add_flag("--init", revision_with.init, "The project's first revision: create the migrations directory");
  rev->add_option("--apply-command", revision_with.apply_command,
                  "The command to suggest for applying the new revision (default: retort upgrade)");

  auto* mg = app.add_subcommand("merge", "Join several heads with a merge revision");
  mg->add_option("-m,--message", message, "What the merge is");

  auto* ck = app.add_subcommand("check", "Fail when the models and the migrations disagree, or there are several heads");
  check_request check_with;
  ck->add_option("--snapshot", check_with.snapshot, "The models' schema snapshot")->required();
  ck->add_option("--locations", check_with.locations,
                 "retort-scan's locations file: each change names the model declaration it concerns");
  ck->add_option("--fix-command", check_with.fix_command, "The command to suggest for generating the missing migration");
  std::string annotations = "auto";
  ck->add_option("--annotations", annotations,
                 "GitHub Actions `::error` lines on stdout, one per change (auto: when $GITHUB_ACTIONS is true)")
      ->check(CLI::IsMember({"auto", "github", "none"}))
      ->capture_default_str();
  ck->add_option("--lint-since", check_with.lint_since,
                 "Lint only the revisions after this one (applied everywhere already); default: every revision")
      ->envname("RETORT_LINT_SINCE");
  bool no_lint = false;
  ck->add_flag("--no-lint", no_lint, "Do not fail on lint errors");
  ck->add_option("--cache-dir", check_with.cache_dir,
                 "Remember the verified history here: while the migration files keep their bytes, the next check only "
                 "hashes them and compares the models (the CMake targets use the build directory)")
      ->envname("RETORT_CACHE_DIR");

  auto* ln = app.add_subcommand("lint", "Report what migrations do that is dangerous on a busy database (exit 3 on errors)");
  lint_request lint_with;
  ln->add_option("revisions", lint_with.revisions, "Revisions to lint (default: every one, or those after --since)");
  ln->add_option("--since", lint_with.since, "Lint the revisions after this one");
  ln->add_flag("--show-silenced", lint_with.show_silenced, "Also list the findings silenced with a reason");
  bool list_rules = false;
  ln->add_flag("--rules", list_rules, "List the rules and exit");

  auto* rh = app.add_subcommand("rehash",
                                 "Rewrite retort.sum (the migration files' checksums) after an intended edit or a "
                                 "hand-written file");

  auto* rp = app.add_subcommand("replay", "Write the schema the migration history produces (no database) as a snapshot");
  std::string replay_output, replay_target = "heads";
  rp->add_option("-o,--output", replay_output, "The snapshot file (written only when its bytes change)")->required();
  rp->add_option("--to", replay_target, "Replay up to this revision (default: every head)");

  auto* sqz = app.add_subcommand("squash", "Replace the history up to a revision by one revision that creates its schema");
  std::string squash_target;
  bool without_sql_steps = false;
  sqz->add_option("--to", squash_target, "The last revision to squash (it keeps its id)")->required();
  sqz->add_option("-m,--message", message, "What the squash revision is (default: named from the revisions)");
  sqz->add_flag("--without-sql-steps", without_sql_steps,
                "Leave out the sql steps of the squashed revisions (a new database does not get them)");

  auto* stair = app.add_subcommand(
      "stairway", "On a throwaway database (created and dropped), walk every revision up, down and up again; fail "
                  "when a downgrade does not restore the schema PostgreSQL reports");

  auto* db = app.add_subcommand("devdb", "Manage the local dev database");
  db->add_option("action", action, "start, stop, status, url, or reset (drop and create the dev database again)")
      ->required()
      ->check(CLI::IsMember({"start", "stop", "status", "url", "reset"}));

  try {
    app.parse(argc, argv);
    if (*rev && !revision_with.empty && revision_with.snapshot.empty())
      throw CLI::RequiredError("revision: --snapshot FILE (the models to compare) or --empty (a data step)");
  } catch (const CLI::ParseError& e) {
    if (app.get_subcommands().empty())
      for (const std::string& word : app.remaining())
        if (!word.starts_with('-')) return unknown_command(app, word);
    const int code = app.exit(e);
    return code == 0 ? exit_ok : exit_usage;
  }
  o.color = color == "always" || (color == "auto" && isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR"));
  if (const char* m = std::getenv("RETORT_MESSAGE"); message.empty() && m) message = m;
  if (*ck) {
    // JSON output stays one JSON document: it carries each change's file and line itself.
    if (annotations == "github" && o.format == "json") {
      std::cerr << "retort check: --annotations github prints to stdout, which --format json keeps for the JSON\n";
      return exit_usage;
    }
    const char* actions = std::getenv("GITHUB_ACTIONS");
    check_with.github = annotations == "github" ||
                        (annotations == "auto" && o.format != "json" && actions && std::string_view(actions) == "true");
    if (const char* w = std::getenv("GITHUB_WORKSPACE")) check_with.workspace = w;
    check_with.lint = !no_lint;
  }
  if (*ln) {
    if (list_rules) {
      for (const auto& r : retort::lint::rules())
        std::cout << fmt::format("{:<30} {:<7} {}\n", r.id, r.level == retort::lint::severity::error ? "error" : "warning",
                                 r.summary);
      return exit_ok;
    }
    const char* actions = std::getenv("GITHUB_ACTIONS");
    lint_with.github = o.format != "json" && actions && std::string_view(actions) == "true";
    if (const char* w = std::getenv("GITHUB_WORKSPACE")) lint_with.workspace = w;
  }

  const bool on_fleet = !fleet.file.empty();
  if (!on_fleet && (!fleet.labels.empty() || fleet.canary > 0 || fleet.stop_on_error)) {
    std::cerr << "retort: --labels, --canary and --stop-on-error need --fleet\n";
    return exit_usage;
  }
  fleet.target = up_target;
  fleet.accept_edited = accept_edited;
  fleet.audit = audit;

  context ctx(o);
  try {
    if (on_fleet && *up) return fleet_upgrade(ctx, fleet);
    if (on_fleet && *cur) return fleet_current(ctx, fleet);
    if (on_fleet && *hist) return fleet_history(ctx, fleet);
    if (on_fleet && *vf) return fleet_verify(ctx, fleet);
    if (*up) return upgrade(ctx, up_target, accept_edited);
    if (*down) return downgrade(ctx, down_target, accept_edited);
    if (*st) return stamp(ctx, stamp_target, !no_verify);
    if (*vf) return verify(ctx);
    if (*rs) return reset(ctx, yes);
    if (*cur) return current(ctx);
    if (*hist) return history(ctx, audit);
    if (*ln) return lint(ctx, lint_with);
    if (*hd) return heads(ctx);
    if (*sh) return show(ctx, name);
    if (*sq) return sql(ctx, range, single_transaction);
    if (*rev) {
      revision_with.message = message;
      return make_revision(ctx, revision_with);
    }
    if (*mg) return merge(ctx, message);
    if (*ck) exit_now(check(ctx, check_with));
    if (*rh) return rehash(ctx);
    if (*rp) return replay_to_file(ctx, replay_target, replay_output);
    if (*db) return devdb(ctx, action);
    if (*stair) return stairway(ctx);
    if (*sqz) return squash(ctx, squash_target, message, without_sql_steps);
  } catch (...) {
    return report_current_error(ctx);
  }
  return exit_usage;
}
