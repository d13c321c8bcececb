// The stairway test against real PostgreSQL. `check` proves offline that each downgrade replays
// back to the schema before it; this proves it where replay cannot see: the SQL that really runs
// (hand-written steps, overrides, what PostgreSQL does with it), read back by the introspector.
#include "stairway.hpp"

#include <iostream>

#include <fmt/format.h>
#include <libpq-fe.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "commands.hpp"
#include "retort/authoring.hpp"
#include "retort/diff.hpp"
#include "retort/errors.hpp"
#include "retort/history_check.hpp"
#include "retort/pg/introspect.hpp"
#include "retort/sql_analysis.hpp"

namespace retort::cli {

namespace {

// `url` with its database replaced by `database`, as libpq itself reads the URL (a URI or
// key=value pairs): every other setting (host, user, password, sslmode, ...) kept.
std::string with_database(const std::string& url, const std::string& database) {
  char* problem = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &problem);
  if (!options) {
    std::string why = problem ? problem : "out of memory";
    PQfreemem(problem);
    throw database_error(fmt::format("cannot read the database URL: {}", why));
  }
  std::string out;
  const auto quoted = [](std::string_view v) {
    std::string q = "'";
    for (char c : v) {
      if (c == '\'' || c == '\\') q += '\\';
      q += c;
    }
    return q + "'";
  };
  for (PQconninfoOption* o = options; o->keyword; ++o)
    if (o->val && std::string_view(o->keyword) != "dbname") out += fmt::format("{}={} ", o->keyword, quoted(o->val));
  PQconninfoFree(options);
  return out + "dbname=" + quoted(database);
}

// A database created for one run and dropped after it, also when the run fails.
class throwaway_database {
 public:
  explicit throwaway_database(context& ctx)
      : admin_url_(ctx.database_url()), name_("retort_stairway_" + random_revision_id()) {
    auto admin = ctx.connect();
    pqxx::nontransaction tx(*admin);
    try {
      tx.exec0("CREATE DATABASE " + tx.quote_name(name_));
    } catch (const pqxx::sql_error& e) {
      throw database_error(fmt::format("cannot create the throwaway database {}: {}", name_, e.what()), e.sqlstate(),
                           e.query());
    }
  }
  throwaway_database(const throwaway_database&) = delete;
  throwaway_database& operator=(const throwaway_database&) = delete;
  ~throwaway_database() {
    try {
      pqxx::connection admin(admin_url_);
      pqxx::nontransaction tx(admin);
      tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(name_));
    } catch (const std::exception& e) {
      std::cerr << fmt::format("warning: the throwaway database {} was not dropped: {}\n", name_, e.what());
    }
  }
  [[nodiscard]] std::string url() const { return with_database(admin_url_, name_); }
  [[nodiscard]] const std::string& name() const noexcept { return name_; }

 private:
  std::string admin_url_;
  std::string name_;
};

// What `now` lacks of `expected`, as the operations that would still be needed.
std::vector<std::string> differences(const schema& now, const schema& expected) {
  std::vector<std::string> out;
  for (const auto& op : diff(now, expected, {.require_backfill = false})) out.push_back(ops::describe(op));
  return out;
}

}  // namespace

int stairway(context& ctx) {
  const auto& graph = ctx.graph();
  graph.require_no_conflicts();
  ctx.verify_sum();
  const std::string& books = ctx.opts().bookkeeping_schema;
  std::string failed_revision, failure;
  std::vector<std::string> left;
  std::size_t walked = 0;
  {
    throwaway_database db(ctx);
    pqxx::connection conn(db.url());
    pg::advisory_locker lock(conn, books);
    pg::apply_options options = apply_options(ctx, false);
    options.on_progress = nullptr;  // one line per revision, below
    pg::applier a(conn, graph, lock, options);
    const pg::introspect_options only_user_schema{.exclude_schemas = {books}, .read_sql_object = sql::read_database_sql_object};
    const auto schema_now = [&] { return pg::introspect(conn, only_user_schema); };
    if (!ctx.json())
      std::cout << fmt::format("Stairway on the throwaway database {}: each revision up, down, up.\n", db.name());
    for (const auto& id : graph.order()) {
      const revision& r = graph.at(id);
      ++walked;
      if (!ctx.json()) {
        std::cout << fmt::format("[{}/{}] {} {} ... ", walked, graph.order().size(),
                                 ctx.paint(id.substr(0, 12), style::revision), r.message)
                  << std::flush;
        ctx.begin_progress_line();
      }
      const schema before = schema_now();
      (void)a.upgrade("+1");
      const schema after = schema_now();
      if (irreversible_step(r)) {  // `downgrade` refuses it: nothing to walk down
        if (!ctx.json()) std::cout << "up (irreversible: not walked down)\n";
        ctx.end_progress_line(true);
        continue;
      }
      (void)a.downgrade("-1");
      left = differences(schema_now(), before);
      if (!left.empty()) {
        failure = "its downgrade does not restore the schema before its upgrade";
      } else {
        (void)a.upgrade("+1");
        left = differences(schema_now(), after);
        if (!left.empty()) failure = "upgraded again after its downgrade, it gives another schema than the first time";
      }
      if (!failure.empty()) {
        failed_revision = id;
        break;
      }
      if (!ctx.json()) std::cout << ctx.paint("up, down, up", style::ok) << "\n";
      ctx.end_progress_line(true);
    }
  }  // the throwaway database is dropped here
  if (ctx.json()) {
    nlohmann::json out{{"ok", failure.empty()}, {"revisions", walked}};
    if (!failure.empty())
      out["failure"] = {{"revision", failed_revision},
                        {"file", graph.at(failed_revision).file},
                        {"message", failure},
                        {"differences", left}};
    std::cout << out.dump(2) << "\n";
    return failure.empty() ? exit_ok : exit_drift;
  }
  if (failure.empty()) {
    std::cout << fmt::format("OK: {} revision{} walked up, down and up again; every downgrade restored the schema.\n",
                             walked, walked == 1 ? "" : "s");
    return exit_ok;
  }
  ctx.end_progress_line(false);
  const revision& r = graph.at(failed_revision);
  std::cerr << ctx.paint("error: ", style::error)
            << fmt::format("revision {} ({}): {}; still needed to get it back:\n", r.id, r.file, failure);
  for (const auto& d : left) std::cerr << "  - " << d << "\n";
  return exit_drift;
}

}  // namespace retort::cli
