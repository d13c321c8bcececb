// The lint rules: each operation is judged with the schema before it (does the table hold rows
// already, was the column just added) and with the statements it runs, as PostgreSQL's parser
// reads them (generated, overridden or hand-written alike).
#include "retort/lint.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include <fmt/format.h>

#include "../overloaded.hpp"
#include "retort/errors.hpp"
#include "retort/history_check.hpp"
#include "retort/pg/migration_plan.hpp"
#include "retort/sql_analysis.hpp"

namespace retort::lint {

namespace {

constexpr std::array all_rules{
    rule{"drop-table", severity::error, "drops a table: its rows are lost"},
    rule{"drop-column", severity::error, "drops a column: its values are lost"},
    rule{"drop-enum-value", severity::error,
         "removes an enum value: the type is rebuilt, and rows holding the value make it fail"},
    rule{"narrowing-type", severity::error,
         "changes a column to a type that holds less (shorter, smaller, less precise): values may not fit, and "
         "the table is rewritten"},
    rule{"table-rewrite", severity::error,
         "changes a column's type in a way that rewrites the table under ACCESS EXCLUSIVE (integer to bigint, "
         "text to varchar(n), ...)"},
    rule{"index-not-concurrent", severity::error,
         "builds an index on a table that may hold rows without CONCURRENTLY: writes wait until it is built"},
    rule{"constraint-validated-inline", severity::error,
         "adds a foreign key, check or NOT NULL to a table that may hold rows and scans it under a lock that "
         "blocks writes"},
    rule{"set-not-null-without-backfill", severity::error,
         "makes an existing nullable column NOT NULL with no backfill: rows holding NULL make it fail"},
    rule{"not-null-without-default", severity::error,
         "a new NOT NULL column without a default: every INSERT of the running version that does not name it "
         "fails once the revision commits"},
    rule{"rename-column", severity::error,
         "renames a column that the running version still reads and writes (backward-incompatible)"},
    rule{"rename-enum-value", severity::error,
         "renames an enum value that the running version still reads and writes (backward-incompatible)"},
    rule{"rename-table", severity::error,
         "renames a table that the running version still reads and writes (backward-incompatible)"},
    rule{"volatile-default", severity::error,
         "adds a column whose default is volatile (random(), clock_timestamp(), an identity, ...) to a table that "
         "may hold rows: the table is rewritten under ACCESS EXCLUSIVE"},
    rule{"lock-table", severity::error, "an explicit LOCK in an sql step: writers wait for as long as it is held"},
    rule{"exclusion-constraint", severity::error,
         "adds an exclusion constraint to a table that may hold rows: its index is built under ACCESS EXCLUSIVE "
         "(PostgreSQL cannot attach one built concurrently), so reads and writes wait until it is built"},
    rule{"several-statements", severity::warning,
         "an sql step with several statements: make it one statement per step where you can, so a failure "
         "names its step"},
    rule{"unparsable-sql", severity::warning, "an sql step that PostgreSQL's parser cannot read: the lint cannot check it"},
    rule{"unknown-allow", severity::error, "an \"allow\" that names no rule"},
    rule{"branch-conflict", severity::error,
         "two branches of the history change the same object: one must be rewritten on top of the other"},
    rule{"drop-sequence", severity::error,
         "drops a sequence: its current value is lost, and one created again starts over (numbers repeat)"},
};

const rule& rule_named(std::string_view id) {
  for (const auto& r : all_rules)
    if (r.id == id) return r;
  throw error(fmt::format("no lint rule {}", id));
}

// Functions whose value changes per row: a default calling one is evaluated for every existing row.
constexpr std::array volatile_functions{"random", "clock_timestamp", "timeofday", "gen_random_uuid",
                                        "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4",
                                        "nextval", "txid_current", "pg_current_xact_id"};

// One side (upgrade or downgrade) of one revision, operation by operation.
class side_linter {
 public:
  side_linter(const revision& r, side where, const std::vector<ops::operation>& list, const operation_notes& notes,
              const options& o)
      : r_(r), where_(where), list_(list), notes_(notes), o_(o) {}

  // Leaves `s` at the schema after the list: rendering replays it (with no copy of the schema).
  std::vector<finding> run(replayer& s) {
    // Only the tables the list names change; their existence is noted before it runs, the
    // others' is read from the schema after it (the same), so the cost follows the list's size.
    named_ = ops::tables_named(list_);
    for (const auto& n : named_)
      if (find_table(s.state(), n)) named_before_.insert(n);
    after_ = &s.state();
    const std::vector<bool> judged = operations_judged();
    const auto statements =
        pg::render_with_overrides(list_, notes_, s, o_.render, [&](std::size_t i) { return bool(judged[i]); });
    std::size_t next = 0;
    for (i_ = 0; i_ < list_.size(); ++i_) {
      std::vector<const pg::statement*> mine;
      for (; next < statements.size() && statements[next].operation == i_; ++next) mine.push_back(&statements[next]);
      std::visit([&](const auto& op) { structural(op); }, list_[i_]);
      if (judged[i_]) judge_statements(mine);
      check_allows();
      track(list_[i_]);
    }
    return std::move(out_);
  }

 private:
  // The table existed before this list of operations (it may hold rows and writers).
  [[nodiscard]] bool existing(const qualified_name& t) const {
    if (fresh_.contains(t)) return false;
    return named_.contains(t) ? named_before_.contains(t) : find_table(*after_, t) != nullptr;
  }

  // The statements are Retort's own, for an operation whose tables were all created by this
  // list: they hold no rows and no one writes them yet, so no statement of it can stall anyone
  // (reading them would cost a parse per statement of every initial revision).
  [[nodiscard]] bool generated_for_empty_tables() const {
    if (std::holds_alternative<ops::sql>(list_[i_]) || std::holds_alternative<ops::cpp>(list_[i_])) return false;
    if (auto n = notes_.find(i_); n != notes_.end() && n->second.sql) return false;
    const auto named = ops::tables_named(list_[i_]);
    return std::none_of(named.begin(), named.end(), [&](const qualified_name& t) { return existing(t); });
  }

  // Whether the statements of each operation are judged: all but Retort's own for tables the
  // list created, which need not even be rendered. A dry run of what run() tracks.
  [[nodiscard]] std::vector<bool> operations_judged() {
    const auto before = named_before_;
    std::vector<bool> out(list_.size());
    for (i_ = 0; i_ < list_.size(); ++i_) {
      out[i_] = !generated_for_empty_tables();
      track(list_[i_]);
    }
    fresh_.clear();
    named_before_ = before;
    return out;
  }

  void report(std::string_view id, std::string message, std::string hint) {
    const rule& ru = rule_named(id);
    finding f{std::string(id), where_ == side::downgrade ? severity::warning : ru.level, r_.id, r_.file, where_, i_,
              std::move(message), std::move(hint), {}};
    if (auto n = notes_.find(i_); n != notes_.end())
      for (const auto& a : n->second.allow)
        if (a.rule == id) f.allowed = a.reason;
    out_.push_back(std::move(f));
  }

  // Rules that the operation's kind decides.
  void structural(const ops::drop_table& o) {
    if (!existing(o.def.name)) return;  // created by this revision: nothing to lose
    report("drop-table", fmt::format("drops table {} and its rows", to_string(o.def.name)),
           "Stop using it in a release first; drop it once no running version reads it, with a reason in \"allow\".");
  }
  void structural(const ops::drop_column& o) {
    if (!existing(o.table) || added_.contains({o.table, o.def.name})) return;
    report("drop-column", fmt::format("drops column {}.{} and its values", to_string(o.table), o.def.name),
           "Stop reading and writing it in a release first, then drop it, with a reason in \"allow\".");
  }
  void structural(const ops::create_sequence& o) { created_sequences_.insert(o.def.name); }
  void structural(const ops::drop_sequence& o) {
    if (created_sequences_.contains(o.def.name)) return;
    report("drop-sequence", fmt::format("drops sequence {} and its current value", to_string(o.def.name)),
           "Keep it while any row holds a number it gave; drop it with a reason in \"allow\".");
  }
  void structural(const ops::drop_enum_value& o) {
    report("drop-enum-value", fmt::format("removes '{}' from enum {}", o.value, to_string(o.type)),
           "Update the rows that hold it first (an sql step), then allow this with a reason.");
  }
  void structural(const ops::rename_enum_value& o) {
    report("rename-enum-value", fmt::format("renames value '{}' of enum {} to '{}'", o.from, to_string(o.type), o.to),
           "Expand and contract: add the new value, move writers and the rows over in a release, then drop the old "
           "value.");
  }
  void structural(const ops::rename_table& o) {
    if (!existing(o.from)) return;
    report("rename-table", fmt::format("renames table {} to {}", to_string(o.from), to_string(o.to)),
           "Expand and contract: create the new table (or a view under the new name), move readers and writers "
           "over in a release, then drop the old one.");
  }
  void structural(const ops::rename_column& o) {
    if (!existing(o.table) || added_.contains({o.table, o.from})) return;
    report("rename-column", fmt::format("renames column {}.{} to {}", to_string(o.table), o.from, o.to),
           "Expand and contract: add the new column, write both and backfill, move readers over in a release, "
           "then drop the old column.");
  }
  void structural(const ops::add_column& o) {
    if (!existing(o.table)) return;
    added_.insert_or_assign({o.table, o.def.name}, o.def);
    const column& c = o.def;
    if (!c.nullable && !c.server_default && c.identity == identity_kind::none && !c.generated && !c.type.serial)
      report("not-null-without-default",
             fmt::format("adds {}.{} NOT NULL with no default", to_string(o.table), c.name),
             "Give it a server_default, or add it nullable and make it NOT NULL in a later release.");
    // An identity, a serial's nextval() and a stored generated column fill every row: a rewrite.
    bool is_volatile = c.identity != identity_kind::none || c.type.serial || c.generated;
    if (c.server_default) {
      try {
        for (const auto& f : sql::functions_called(*c.server_default))
          if (std::find(volatile_functions.begin(), volatile_functions.end(), f) != volatile_functions.end())
            is_volatile = true;
      } catch (const error&) {  // not parsed: validation reports the expression
      }
    }
    if (is_volatile)
      report("volatile-default",
             fmt::format("adds {}.{} with a {} on a table that may hold rows", to_string(o.table), c.name,
                         c.identity != identity_kind::none ? "identity"
                         : c.type.serial                    ? "serial type"
                         : c.generated                      ? "stored generated expression"
                                                            : "volatile default"),
             "Add it with no default (or a constant one), then set the default and backfill the rows in batches.");
  }
  void structural(const ops::backfill_column& o) { backfilled_.insert({o.table, o.column}); }
  void structural(const ops::alter_column& reduced) {
    if (!existing(reduced.table)) return;
    const auto added = added_.find({reduced.table, reduced.to.name});
    const bool just_added = added != added_.end();
    // A file states only what changes; a column added by this revision is known whole.
    const ops::alter_column o = just_added ? ops::completed(reduced, added->second) : reduced;
    if (just_added) added->second = o.to;
    if ((o.changes & ops::change_nullable) && !o.to.nullable) {
      if (!just_added && !backfilled_.contains({o.table, o.to.name}))
        report("set-not-null-without-backfill",
               fmt::format("makes {}.{} NOT NULL with no backfill", to_string(o.table), o.to.name),
               "Give the column a backfill in the model (the value for rows that hold NULL).");
      if (just_added && !o.to.server_default && o.to.identity == identity_kind::none)
        report("not-null-without-default",
               fmt::format("adds {}.{} NOT NULL with no default", to_string(o.table), o.to.name),
               "Give it a server_default, or keep it nullable until every running version writes it.");
    }
    if (o.changes & ops::change_type) {
      const auto change = classify_type_change(o.from.type, o.to.type);
      const std::string what = fmt::format("{}.{} from {} to {}", to_string(o.table), o.to.name,
                                           pg::type_sql(o.from.type), pg::type_sql(o.to.type));
      if (change == type_change::narrowing)
        report("narrowing-type", "narrows " + what,
               "Check that every value fits, then allow this with a reason; or add a new column and move the data.");
      if (change == type_change::rewrite)
        report("table-rewrite", "rewrites the table to change " + what,
               "Add a new column of the new type, backfill it in batches and switch readers over, or allow this "
               "for a small table with a reason.");
    }
    type_judged_ = true;
  }
  void structural(const ops::sql& o) {
    try {
      const auto statements = sql::analyze(o.up);
      if (statements.size() > 1)
        report("several-statements", fmt::format("an sql step with {} statements", statements.size()),
               "Split it into one sql step per statement.");
    } catch (const error& e) {
      report("unparsable-sql", e.what(), "Check the SQL; the lint skipped this step.");
    }
  }
  template <class Op>
  void structural(const Op&) {}

  // Rules that the statements decide: what runs, generated or written by hand.
  void judge_statements(const std::vector<const pg::statement*>& mine) {
    bool validated = false;
    for (const pg::statement* st : mine) {
      std::vector<sql::statement_facts> facts;
      try {
        facts = sql::analyze(st->sql);
      } catch (const error&) {
        continue;  // reported once, for the step (unparsable-sql)
      }
      for (const auto& f : facts) {
        const bool on_existing = f.table && existing(*f.table);
        if (f.validates_constraint) validated = true;
        if (f.creates_index && !f.concurrently && on_existing) {
          const table* t = find_table(*after_, *f.table);
          report("index-not-concurrent", fmt::format("builds an index on {} without CONCURRENTLY", to_string(*f.table)),
                 t && t->partition
                     ? "PostgreSQL cannot build it CONCURRENTLY on a partitioned table: create it ON ONLY the parent, "
                       "build each partition's index CONCURRENTLY and ATTACH PARTITION it (sql steps), or allow the rule "
                       "with a reason."
                     : "Use the safe plans (the default), or CREATE INDEX CONCURRENTLY in a step that is not transactional.");
        }
        if (f.adds_validated_constraint && on_existing)
          report("constraint-validated-inline",
                 fmt::format("adds a constraint to {} and validates it at once", to_string(*f.table)),
                 "Add it NOT VALID, then VALIDATE CONSTRAINT in a transaction of its own (the safe plans do).");
        if (f.sets_not_null && on_existing && !validated)
          report("constraint-validated-inline", fmt::format("SET NOT NULL on {} scans it", to_string(*f.table)),
                 "Add CHECK (col IS NOT NULL) NOT VALID and validate it first (the safe plans do).");
        if (f.changes_column_type && !type_judged_)
          report("table-rewrite",
                 f.table ? fmt::format("changes a column type of {}", to_string(*f.table)) : "changes a column type",
                 "Add a new column of the new type and move the data in batches.");
        if (f.adds_exclusion_constraint && on_existing)
          report("exclusion-constraint",
                 fmt::format("adds an exclusion constraint to {}, building its index under ACCESS EXCLUSIVE",
                             to_string(*f.table)),
                 "Add it while the table is small or in a maintenance window, with a reason in \"allow\"; or create "
                 "the table with it.");
        if (f.locks_table)
          report("lock-table", f.table ? fmt::format("LOCK {}", to_string(*f.table)) : "LOCK",
                 "Let the statements take the locks they need, with a lock_timeout.");
      }
    }
    type_judged_ = false;
  }

  void check_allows() {
    auto n = notes_.find(i_);
    if (n == notes_.end()) return;
    for (const auto& a : n->second.allow) {
      const bool known = std::any_of(all_rules.begin(), all_rules.end(), [&](const rule& ru) { return ru.id == a.rule; });
      if (!known)
        report("unknown-allow", fmt::format("\"allow\" names the rule \"{}\", which does not exist", a.rule),
               "See `retort lint --rules` for the rule ids.");
    }
  }

  void track(const ops::operation& op) {
    if (const auto* c = std::get_if<ops::create_table>(&op)) fresh_.insert(c->def.name);
    if (const auto* r = std::get_if<ops::rename_table>(&op)) {
      if (fresh_.erase(r->from)) fresh_.insert(r->to);
      if (named_before_.erase(r->from)) named_before_.insert(r->to);  // the same rows under a new name
    }
  }

  const revision& r_;
  side where_;
  const std::vector<ops::operation>& list_;
  const operation_notes& notes_;
  const options& o_;
  std::set<qualified_name> named_;         ///< the tables the list names
  std::set<qualified_name> named_before_;  ///< those of them that existed before it: they may hold rows
  const schema* after_ = nullptr;          ///< the schema after the list (the others are as before it)
  std::size_t i_ = 0;
  std::set<qualified_name> fresh_;
  std::map<std::pair<qualified_name, std::string>, column> added_;  ///< columns added by this list, as they are now
  std::set<qualified_name> created_sequences_;  ///< sequences created by this list: dropping one loses nothing
  std::set<std::pair<qualified_name, std::string>> backfilled_;
  bool type_judged_ = false;  ///< the operation's own rule judged its type change
  std::vector<finding> out_;
};

}  // namespace

std::span<const rule> rules() { return all_rules; }

std::vector<finding> lint_side_in_place(const revision& r, side which, replayer& s, const options& o) {
  if (which == side::upgrade) return side_linter(r, side::upgrade, r.upgrade, r.upgrade_notes, o).run(s);
  return side_linter(r, side::downgrade, r.downgrade, r.downgrade_notes, o).run(s);
}

std::vector<finding> lint_revision_in_place(const revision& r, replayer& s, const options& o) {
  std::vector<finding> out = lint_side_in_place(r, side::upgrade, s, o);
  if (!o.downgrades) return out;
  replayer after = s;  // the downgrade side starts from the upgrade's result
  for (auto& f : lint_side_in_place(r, side::downgrade, after, o))
    out.push_back(std::move(f));
  return out;
}

std::vector<finding> lint_revision(const revision& r, const schema& before, const options& o) {
  schema sorted = before;
  sort_canonically(sorted);
  replayer s(std::move(sorted));
  return lint_revision_in_place(r, s, o);
}

std::vector<finding> lint_revisions(const revision_graph& graph, const std::vector<std::string>& ids,
                                    const options& o) {
  std::vector<finding> out;
  const std::set<std::string> wanted(ids.begin(), ids.end());
  // verify_downgrades' one walk over the history: each downgrade side is judged on the walk's own
  // downgrade replay, so no revision copies the schema (a copy each made the lint of N tables
  // and R revisions cost N x R). What the walk finds wrong with a downgrade is check's to report.
  const auto side_of = [&](side which) {
    return [&, which](const revision& r, replayer& s) {
      if (wanted.contains(r.id)) {
        for (auto& f : lint_side_in_place(r, which, s, o)) out.push_back(std::move(f));
        return;
      }
      for (const auto& op : which == side::upgrade ? r.upgrade : r.downgrade) s.apply(op);
    };
  };
  history_walk walk{.upgrade = side_of(side::upgrade), .downgrade = {}, .head = nullptr};
  if (o.downgrades) walk.downgrade = side_of(side::downgrade);
  (void)verify_downgrades(graph, walk);
  return out;
}

std::vector<finding> conflict_findings(const revision_graph& graph) {
  std::vector<finding> out;
  for (const auto& c : graph.conflicts())
    out.push_back({"branch-conflict", severity::error, "", "", side::upgrade, 0, c,
                   "Keep one branch's revision and regenerate the other on top of it with `retort revision`.", {}});
  return out;
}

std::string location(const finding& f) {
  return fmt::format("{}[{}]", f.where == side::upgrade ? "upgrade" : "downgrade", f.operation);
}

}  // namespace retort::lint
