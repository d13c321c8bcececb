// The random schema generator and mutator used by the diff/replay property test and the
// PostgreSQL round-trip test.
#include "random_schema.hpp"

#include "sql_object_samples.hpp"

#include <algorithm>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "retort/naming.hpp"
#include "retort/snapshot.hpp"

namespace retort::testing {

namespace {

class generator {
 public:
  generator(std::mt19937_64& rng, const random_schema_options& o) : rng_(rng), o_(o) {}

  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  template <class T>
  T& pick(std::vector<T>& v) { return v[std::size_t(between(0, int(v.size()) - 1))]; }

  // A fresh lowercase name; the suffix keeps it clear of keywords and of other names.
  std::string name(std::string_view prefix) {
    while (true) {
      std::string n = fmt::format("{}_{}", prefix, between(1, 99999));
      if (used_.insert(n).second) return n;
    }
  }

  // Marks every name in `s` as taken.
  void reserve(const schema& s) {
    used_.insert(s.schemas.begin(), s.schemas.end());
    for (const auto& e : s.enums) {
      used_.insert(e.name.name);
      used_.insert(e.values.begin(), e.values.end());
    }
    for (const auto& t : s.tables) {
      used_.insert(t.name.name);
      for (const auto& c : t.columns) used_.insert(c.name);
    }
    for (const auto& q : s.sequences) used_.insert(q.name.name);
  }

  column_type random_type(const schema& s, bool indexable) {
    static const std::vector<std::string> builtins{
        "boolean", "smallint", "integer", "bigint", "real", "double precision", "numeric(10,2)", "numeric",
        "text", "varchar(40)", "varchar", "char(3)", "timestamptz", "timestamp", "date", "time", "interval",
        "bytea", "uuid", "json", "jsonb", "inet", "cidr", "macaddr", "text[]", "integer[]",
        // named types: format_type()'s spellings, reached from aliases
        "int4range", "TSTZRANGE", "tsvector", "timestamptz(3)", "varbit(8)", "numrange"};
    if (find_extension(s, "citext") && chance(0.1)) return *parse_type(chance(0.7) ? "citext" : "citext[]");
    if (!s.enums.empty() && chance(0.15)) {
      column_type t;
      t.kind = type_kind::enum_type;
      t.enum_name = s.enums[std::size_t(between(0, int(s.enums.size()) - 1))].name;
      return t;
    }
    while (true) {
      auto t = *parse_type(builtins[std::size_t(between(0, int(builtins.size()) - 1))]);
      if (indexable && t.kind == type_kind::json) continue;  // json has no equality operator
      return t;
    }
  }

  // A default as pg_get_expr() prints it, or none for types without a simple one.
  static std::optional<std::string> default_for(const column_type& t) {
    if (t.array) return std::nullopt;
    switch (t.kind) {
      case type_kind::boolean: return "false";
      case type_kind::smallint: case type_kind::integer: case type_kind::bigint: return "0";
      case type_kind::text: return "'none'::text";
      case type_kind::timestamptz: return "now()";
      case type_kind::jsonb: return "'{}'::jsonb";
      default: return std::nullopt;
    }
  }

  // A value for existing rows of a new NOT NULL column (any SQL expression will do).
  static std::string backfill_for(const column_type& t) {
    if (t.array) return "'{}'";
    if (t.kind == type_kind::named) {
      if (t.name.ends_with("range")) return "'empty'";
      if (t.name.starts_with("timestamp")) return "now()";
      if (t.name.starts_with("bit")) return "B'1'";
      return "''";  // tsvector, citext
    }
    switch (t.kind) {
      case type_kind::boolean: return "false";
      case type_kind::uuid: return "gen_random_uuid()";
      case type_kind::timestamptz: case type_kind::timestamp: case type_kind::date: return "now()";
      case type_kind::time: return "'12:00'";
      case type_kind::interval: return "'1 day'";
      case type_kind::bytea: return "'\\x00'";
      case type_kind::json: case type_kind::jsonb: return "'{}'";
      case type_kind::inet: case type_kind::cidr: return "'10.0.0.0/8'";
      case type_kind::macaddr: return "'08:00:2b:01:02:03'";
      case type_kind::text: case type_kind::varchar: case type_kind::character: return "'x'";
      default: return "0";
    }
  }

  column random_column(const schema& s, bool in_key = false) {
    column c;
    c.name = name("c");
    c.type = random_type(s, in_key);
    c.nullable = !in_key && chance(0.4);
    if (chance(0.3)) c.server_default = default_for(c.type);
    if (!in_key && !c.nullable && !c.server_default && !c.type.array && chance(0.2) &&
        (c.type.kind == type_kind::integer || c.type.kind == type_kind::bigint))
      c.identity = chance(0.5) ? identity_kind::always : identity_kind::by_default;
    if (chance(0.2)) c.comment = chance(0.5) ? "it's a column" : "plain";
    if ((c.type.kind == type_kind::text || c.type.kind == type_kind::varchar) && chance(0.15)) c.collation = "C";
    if (!in_key && chance(0.05)) {  // serial: NOT NULL, its sequence as its default
      c.type = *parse_type(chance(0.5) ? "serial" : "bigserial");
      c.nullable = false;
      c.server_default.reset();
      c.identity = identity_kind::none;
      c.collation.reset();
    }
    return c;
  }

  // A stored generated column over `id`, as pg_get_expr() prints its expression.
  column generated_column() {
    column c;
    c.name = name("g");
    c.type = *parse_type("text");
    c.nullable = true;
    c.generated = "(id)::text";
    return c;
  }

  static bool has_generated(const table& t) {
    return std::any_of(t.columns.begin(), t.columns.end(), [](const column& c) { return c.generated.has_value(); });
  }

  std::string schema_for_new_object(schema& s) {
    if (!s.schemas.empty() && chance(0.3)) return pick(s.schemas);
    return "public";
  }

  void add_table(schema& s) {
    table t;
    t.name = {schema_for_new_object(s), name("t")};
    column id;
    id.name = "id";
    id.type = *parse_type(chance(0.5) ? "bigint" : "integer");
    if (chance(0.5)) id.identity = identity_kind::by_default;
    t.columns.push_back(id);
    int n = between(1, o_.max_columns);
    for (int i = 0; i < n; ++i) t.columns.push_back(random_column(s));
    if (chance(0.2)) t.columns.push_back(generated_column());
    if (chance(0.85)) t.pk = primary_key{"", {"id"}};
    if (chance(0.3)) t.comment = "a table";
    s.tables.push_back(t);
    table& added = s.tables.back();
    if (chance(0.5)) add_index(added);
    if (chance(0.3)) add_unique(added);
    if (chance(0.3)) add_check(added);
    if (chance(0.3)) add_exclusion(added);
    if (chance(0.2)) added.rls = {true, chance(0.3)};
    if (chance(0.3)) add_policy(added);
    // Partitioned by its id, which a primary key always holds (finish() puts it in the other keys),
    // when it has no exclusion constraint (PostgreSQL 15 has none on partitioned tables).
    if (added.exclusions.empty() && chance(0.2)) {
      static constexpr partition_method methods[] = {partition_method::range, partition_method::list, partition_method::hash};
      added.partition = partition_key{methods[between(0, 2)], {"id"}};
    }
  }

  // An exclusion constraint over a range column (&& needs no extension), as pg_get_expr prints it.
  void add_exclusion(table& t) {
    std::vector<const column*> ranges;
    for (const auto& c : t.columns)
      if (c.type.kind == type_kind::named && !c.type.array && c.type.name.ends_with("range")) ranges.push_back(&c);
    if (ranges.empty()) return;
    const column& c = *ranges[std::size_t(between(0, int(ranges.size()) - 1))];
    exclusion_constraint x;
    x.elements = {{index_key{c.name}, "&&"}};
    x.name = naming::exclusion(t.name, x.elements);
    if (chance(0.3)) x.where = fmt::format("({} IS NOT NULL)", c.name);
    x.deferrable = random_deferral();
    if (named_free(t, x.name)) t.exclusions.push_back(x);
  }

  // A policy over the table's first column (its key when it has one), for PUBLIC; each command
  // with the expressions PostgreSQL allows it.
  void add_policy(table& t) {
    policy p;
    p.name = name("p");
    p.command = all_policy_commands[std::size_t(between(0, int(all_policy_commands.size()) - 1))];
    p.restrictive = chance(0.2);
    const std::string& c = t.columns.front().name;
    if (p.command != policy_command::insert) p.using_expression = fmt::format("({} IS NOT NULL)", c);
    if ((p.command == policy_command::insert || p.command == policy_command::update || p.command == policy_command::all) &&
        (p.command == policy_command::insert || chance(0.5)))
      p.check_expression = fmt::format("({} IS NOT NULL)", c);
    t.policies.push_back(p);
  }

  // A sequence with values of its own (never a serial's: its start is not the default), owned
  // by a column of a table of its schema now and then, and called by a new column's default.
  void add_sequence(schema& s) {
    sequence q;
    q.name = {schema_for_new_object(s), name("q")};
    q.type = chance(0.5) ? "bigint" : "integer";
    q.start = between(100, 1000);
    if (chance(0.3)) q.max_value = *q.start + between(1000, 100000);
    if (chance(0.3)) q.increment = between(2, 10);
    if (chance(0.2)) q.cache = between(2, 50);
    q.cycle = chance(0.2);
    std::vector<table*> same_schema;
    for (auto& t : s.tables)
      if (t.name.schema == q.name.schema) same_schema.push_back(&t);
    if (!same_schema.empty() && chance(0.5)) {
      table& t = *same_schema[std::size_t(between(0, int(same_schema.size()) - 1))];
      if (chance(0.5)) {
        column c;
        c.name = name("n");
        c.type = *parse_type("bigint");
        c.nullable = true;
        c.server_default = fmt::format("nextval('{}{}'::regclass)", q.name.schema == "public" ? "" : q.name.schema + ".",
                                       q.name.name);
        t.columns.push_back(c);
      }
      if (chance(0.6)) q.owned_by = sequence_owner{t.name.name, t.columns[std::size_t(between(0, int(t.columns.size()) - 1))].name};
    }
    s.sequences.push_back(q);
  }

  static bool called_by_a_default(const schema& s, const qualified_name& q) {
    for (const auto& t : s.tables)
      for (const auto& c : t.columns)
        if (c.server_default) {
          const auto called = sequences_called(*c.server_default);
          if (std::find(called.begin(), called.end(), q) != called.end()) return true;
        }
    return false;
  }

  void mutate_sequences(schema& s) {
    for (auto& q : s.sequences) {
      if (chance(0.2)) q.increment = q.increment == 1 ? between(2, 10) : 1;
      if (chance(0.2)) q.cache = q.cache == 1 ? between(2, 50) : 1;
      if (chance(0.2)) q.cycle = !q.cycle;
      if (chance(0.2)) q.max_value = q.max_value ? std::nullopt : std::optional<std::int64_t>(*q.start + between(1000, 100000));
      if (chance(0.15)) q.owned_by.reset();
    }
    if (chance(0.2) && !s.sequences.empty()) {
      const qualified_name victim = pick(s.sequences).name;
      if (!called_by_a_default(s, victim)) std::erase_if(s.sequences, [&](const sequence& q) { return q.name == victim; });
    }
    if (chance(0.25)) add_sequence(s);
  }

  std::vector<std::string> key_columns(const table& t) {
    std::vector<std::string> cols;
    for (const auto& c : t.columns)
      if (c.type.kind != type_kind::json && chance(0.4) && cols.size() < 3) cols.push_back(c.name);
    if (cols.empty()) cols.push_back(t.columns.front().name);
    return cols;
  }

  // A plain text column (expressions and text opclasses apply to it), or nullptr.
  const column* text_column(const table& t) {
    std::vector<const column*> found;
    for (const auto& c : t.columns)
      if (c.type.kind == type_kind::text && !c.type.array) found.push_back(&c);
    return found.empty() ? nullptr : found[std::size_t(between(0, int(found.size()) - 1))];
  }

  // Index keys beyond plain columns: an expression, an opclass, an order, INCLUDE columns,
  // storage parameters, another method. Expressions are spelled as pg_get_indexdef prints them.
  void vary_index(const table& t, index& i) {
    const column* text = text_column(t);
    switch (between(0, 6)) {
      case 0:
        if (text) i.columns.insert(i.columns.begin(), index_key::of_expression(fmt::format("lower({})", text->name)));
        break;
      case 1:
        i.columns.front().descending = chance(0.5);
        if (chance(0.5)) i.columns.front().nulls_first = !i.columns.front().descending;
        break;
      case 2:
        if (const auto keys = columns_named(i);
            text && std::find(keys.begin(), keys.end(), text->name) == keys.end()) {
          index_key k{text->name};
          k.opclass = "text_pattern_ops";
          i.columns.push_back(k);
        }
        break;
      case 3: {
        const auto keys = columns_named(i);
        for (const auto& c : t.columns)
          if (std::find(keys.begin(), keys.end(), c.name) == keys.end() && i.include.empty()) i.include.push_back(c.name);
        i.with = {"fillfactor=70"};
        break;
      }
      case 4:
        for (const auto& c : t.columns)
          if (c.type.kind == type_kind::jsonb && !c.type.array) {
            index_key k{c.name};
            k.opclass = "jsonb_path_ops";
            i.columns = {k};
            i.method = "gin";
          }
        break;
      case 5:
        if (text) i.columns = {text->name}, i.method = "hash";
        break;
      default: break;
    }
    if (i.method != "btree") i.unique = false;
    if (i.unique && chance(0.3)) i.nulls_not_distinct = true;
  }

  void add_index(table& t) {
    index i;
    for (auto& c : key_columns(t)) i.columns.emplace_back(std::move(c));
    i.unique = chance(0.3);
    if (chance(0.5)) vary_index(t, i);
    i.name = naming::index_by_keys(t.name, i.columns);
    if (const auto named = columns_named(i); chance(0.3) && !named.empty())
      i.where = fmt::format("({} IS NOT NULL)", named.front());
    if (!named_free(t, i.name)) return;
    t.indexes.push_back(i);
  }

  deferral random_deferral() {
    if (chance(0.8)) return deferral::not_deferrable;
    return chance(0.5) ? deferral::initially_immediate : deferral::initially_deferred;
  }

  void add_unique(table& t) {
    unique_constraint u{"", key_columns(t), random_deferral()};
    u.name = naming::unique(t.name, u.columns);
    bool repeats = (t.pk && t.pk->columns == u.columns) ||
                   std::any_of(t.uniques.begin(), t.uniques.end(),
                               [&](const unique_constraint& x) { return x.columns == u.columns; });
    if (named_free(t, u.name) && !repeats) t.uniques.push_back(u);
  }

  void add_check(table& t) {
    const column& c = t.columns[std::size_t(between(0, int(t.columns.size()) - 1))];
    check_constraint k{naming::check(t.name, c.name), fmt::format("({} IS NOT NULL)", c.name)};
    if (named_free(t, k.name)) t.checks.push_back(k);
  }

  void add_foreign_key(schema& s, table& from) {
    std::vector<const table*> targets;
    for (const auto& t : s.tables)
      if (t.pk && t.pk->columns.size() == 1) targets.push_back(&t);
    if (targets.empty()) return;
    const table& to = *targets[std::size_t(between(0, int(targets.size()) - 1))];
    column c;
    c.name = name("ref");
    c.type = find_column(to, to.pk->columns.front())->type;
    c.nullable = true;  // so it can be added to a table with rows
    foreign_key f{"", {c.name}, to.name, to.pk->columns};
    static const fk_action actions[] = {fk_action::no_action, fk_action::cascade, fk_action::set_null,
                                        fk_action::restrict};
    f.on_delete = actions[between(0, 3)];
    f.on_update = chance(0.2) ? fk_action::cascade : fk_action::no_action;
    f.deferrable = random_deferral();
    f.name = naming::foreign_key(from.name, f.columns, to.name);
    from.columns.push_back(c);
    from.foreign_keys.push_back(f);
  }

  static bool named_free(const table& t, const std::string& n) {
    auto names = constraint_and_index_names(t);
    return std::find(names.begin(), names.end(), n) == names.end();
  }

  schema make() {
    schema s;
    if (chance(0.3)) s.schemas.push_back(name("s"));
    if (chance(0.3)) s.extensions.push_back({"citext", "public", std::nullopt});
    int enums = between(0, 2);
    for (int i = 0; i < enums; ++i) add_enum(s);
    int n = between(1, o_.max_tables);
    for (int i = 0; i < n; ++i) add_table(s);
    for (auto& t : s.tables)
      if (chance(0.4)) add_foreign_key(s, t);
    add_views(s, 1);
    if (chance(0.4)) add_sequence(s);
    add_sql_objects(s);
    return finish(std::move(s));
  }

  // Views over the tables (a plain or materialized one, sometimes a view over that), drawn from
  // a generator of their own seeded by `salt` and the tables' names, so that the draws for
  // everything else stay what the seeds gave before views existed. A mutation draws them anew
  // with another salt: some stay, some change their query (CREATE OR REPLACE) or columns.
  static void add_views(schema& s, std::uint64_t salt) {
    s.views.clear();
    std::uint64_t seed = salt;
    for (const auto& t : s.tables)
      for (char ch : t.name.name) seed = seed * 31 + static_cast<unsigned char>(ch);
    std::mt19937_64 r(seed);
    const auto coin = [&](double p) { return std::bernoulli_distribution(p)(r); };
    const auto sortable = [](const column_type& type) {
      const auto k = type.kind;
      return !type.array && (k == type_kind::integer || k == type_kind::bigint || k == type_kind::text ||
                             k == type_kind::varchar || k == type_kind::uuid || k == type_kind::date);
    };
    for (const table& t : s.tables) {
      if (!coin(0.35)) continue;
      view v;
      v.name = {t.name.schema, naming::fit("view_of_" + t.name.name)};
      const std::size_t n = std::min<std::size_t>(t.columns.size(), 1 + r() % 3);
      std::vector<std::string> names;
      for (std::size_t i = 0; i < n; ++i) {
        view_column c{t.columns[i].name, t.columns[i].type};
        c.type.serial = false;  // a view's column is the plain integer
        v.columns.push_back(std::move(c));
        names.push_back(t.columns[i].name);
      }
      v.query = fmt::format("SELECT {} FROM {}{}", fmt::join(names, ", "), t.name.name,
                            coin(0.5) ? fmt::format(" WHERE {} IS NOT NULL", names.front()) : "");
      v.reads = {t.name};
      v.materialized = coin(0.3);
      if (v.materialized && sortable(v.columns.front().type) && coin(0.5)) {
        index i;
        i.columns = {names.front()};
        v.indexes.push_back(std::move(i));
      }
      s.views.push_back(v);
      if (coin(0.3)) {
        view w;
        w.name = {t.name.schema, naming::fit("view2_of_" + t.name.name)};
        w.columns = {v.columns.front()};
        w.query = fmt::format("SELECT {} FROM {}", names.front(), v.name.name);
        w.reads = {v.name};
        s.views.push_back(std::move(w));
      }
    }
  }

  // SQL objects (in public): the trigger function, maybe a trigger on a table, maybe add_one().
  void add_sql_objects(schema& s) {
    if (chance(0.4)) s.sql_objects.push_back(touch_function());
    if (!s.sql_objects.empty() && chance(0.6)) s.sql_objects.push_back(touch_trigger(pick(s.tables).name, {"public", "touch"}));
    if (chance(0.2)) s.sql_objects.push_back(add_one_function());
  }

  // Replaced bodies, changed headers and trigger events (drop and create), objects added and
  // removed; a trigger goes with its table or its function.
  void mutate_sql_objects(schema& s) {
    const auto has = [&](std::string_view name) {
      return std::any_of(s.sql_objects.begin(), s.sql_objects.end(), [&](const sql_object& o) { return o.name.name == name; });
    };
    if (!has("touch") && chance(0.2)) s.sql_objects.push_back(touch_function());
    if (!has("add_one") && chance(0.15)) s.sql_objects.push_back(add_one_function());
    for (sql_object& o : s.sql_objects) {
      if (o.name.name == "touch" && chance(0.3)) o = touch_function("public", "touch", between(1, 3));
      if (o.name.name == "add_one" && chance(0.3)) o = add_one_function(chance(0.5) ? "y" : "x");
      if (o.kind == sql_object_kind::trigger && chance(0.2)) o = touch_trigger(o.table, o.function, chance(0.5));
    }
    if (has("touch") && !has("trg_touch") && !s.tables.empty() && chance(0.3))
      s.sql_objects.push_back(touch_trigger(pick(s.tables).name, {"public", "touch"}));
    std::erase_if(s.sql_objects, [&](const sql_object& o) {
      if (o.kind != sql_object_kind::trigger) return o.name.name == "add_one" && chance(0.1);
      return !std::any_of(s.tables.begin(), s.tables.end(), [&](const table& t) { return t.name == o.table; }) ||
             chance(0.15);
    });
    if (!has("trg_touch") && chance(0.2)) std::erase_if(s.sql_objects, [](const sql_object& o) { return o.name.name == "touch"; });
  }

  void add_enum(schema& s) {
    enum_type e{{schema_for_new_object(s), name("e")}, {}};
    int n = between(1, 4);
    for (int i = 0; i < n; ++i) e.values.push_back(name("v"));
    s.enums.push_back(e);
  }

  schema finish(schema s) {
    for (table& t : s.tables) partition_key_in_keys(t);
    // An owner that a mutation dropped or renamed away leaves its sequence unowned.
    for (sequence& q : s.sequences) q = canonical(std::move(q));
    for (sequence& q : s.sequences)
      if (q.owned_by) {
        const table* t = nullptr;
        for (const auto& x : s.tables)
          if (x.name == qualified_name{q.name.schema, q.owned_by->table}) t = &x;
        if (!t || !find_column(*t, q.owned_by->column)) q.owned_by.reset();
      }
    naming::assign_names(s);
    sort_canonically(s);
    return s;
  }

  // A partitioned table's unique constraints and unique indexes include its key, as PostgreSQL requires.
  static void partition_key_in_keys(table& t) {
    if (!t.partition) return;
    for (auto& u : t.uniques)
      for (const auto& c : t.partition->columns)
        if (std::find(u.columns.begin(), u.columns.end(), c) == u.columns.end()) u.columns.push_back(c);
    for (auto& i : t.indexes) {
      if (!i.unique) continue;
      for (const auto& c : t.partition->columns)
        if (std::none_of(i.columns.begin(), i.columns.end(), [&](const index_key& k) { return k.column == c; })) {
          std::erase(i.include, c);  // a key now, not a carried column
          i.columns.emplace_back(c);
        }
    }
    std::set<std::vector<std::string>> seen;  // a unique made equal to another (or to the key) goes
    if (t.pk) seen.insert(t.pk->columns);
    std::erase_if(t.uniques, [&](const unique_constraint& u) { return !seen.insert(u.columns).second; });
  }

  // ---- mutations ------------------------------------------------------------------------

  schema mutate(schema s) {
    s = without_hints(std::move(s));
    const schema original = s;
    if (chance(0.2)) s.schemas.push_back(name("s"));
    if (chance(0.2)) add_enum(s);
    if (chance(0.15) && !find_extension(s, "citext")) s.extensions.push_back({"citext", "public", std::nullopt});
    mutate_enums(s);
    mutate_sequences(s);
    if (chance(0.3)) add_table(s);
    if (chance(0.25) && s.tables.size() > 1) drop_table(s, s.tables[std::size_t(between(0, int(s.tables.size()) - 1))].name);
    if (chance(0.25) && !s.tables.empty()) rename_table(s, pick(s.tables));
    const schema before = s;
    for (std::size_t i = 0; i < s.tables.size(); ++i) mutate_table(s, i);
    mutate_sql_objects(s);
    drop_unused_enums_and_schemas(s);
    // Lookups are binary searches: they look in sorted copies (sorting `s` itself would change
    // what the seeds generate).
    give_new_columns_a_backfill(sorted(before), s);
    fix_enum_backfills(sorted(original), sorted(s), s);
    add_views(s, 2);
    return finish(std::move(s));
  }

  // An enum column's backfill names a value that already existed before this migration
  // (PostgreSQL refuses a value added in the same transaction); with none, the column stays nullable.
  static schema sorted(schema s) {
    sort_canonically(s);
    return s;
  }

  static void fix_enum_backfills(const schema& original, const schema& lookup, schema& s) {
    for (table& t : s.tables)
      for (column& c : t.columns) {
        if (!c.backfill || c.type.kind != type_kind::enum_type) continue;
        const enum_type* now = find_enum(lookup, c.type.enum_name);
        const enum_type* old = find_enum(original, c.type.enum_name);
        std::optional<std::string> value;
        for (const auto& v : now->values)
          if (!value && (!old || std::find(old->values.begin(), old->values.end(), v) != old->values.end())) value = v;
        if (value) {
          c.backfill = "'" + *value + "'";
        } else {
          c.backfill.reset();
          c.nullable = true;
        }
      }
  }

  // A column new to an existing table that cannot fill itself gets a backfill, as a model would.
  static void give_new_columns_a_backfill(const schema& before, schema& s) {
    for (table& t : s.tables) {
      const table* old = find_table(before, t.name);
      for (const auto& n : t.renamed_from)
        if (!old) old = find_table(before, n);
      if (!old) continue;
      for (column& c : t.columns) {
        bool existed = find_column(*old, c.name) ||
                       std::any_of(c.renamed_from.begin(), c.renamed_from.end(),
                                   [&](const std::string& n) { return find_column(*old, n) != nullptr; });
        if (!existed && !c.nullable && !c.server_default && c.identity == identity_kind::none && !c.backfill)
          c.backfill = backfill_for(c.type);
        // A nullable column made NOT NULL needs a value for the rows holding NULL, as a model says.
        const column* was = find_column(*old, c.name);
        for (const auto& n : c.renamed_from)
          if (!was) was = find_column(*old, n);
        if (was && was->nullable && !c.nullable && !c.backfill) c.backfill = backfill_for(c.type);
      }
    }
  }

  void mutate_enums(schema& s) {
    for (auto& e : s.enums) {
      if (chance(0.3)) {
        auto at = e.values.begin() + between(0, int(e.values.size()));
        e.values.insert(at, name("v"));
      }
      if (chance(0.15) && e.values.size() > 1) e.values.erase(e.values.begin() + between(0, int(e.values.size()) - 1));
    }
  }

  void drop_unused_enums_and_schemas(schema& s) {
    std::set<qualified_name> used;
    for (const auto& t : s.tables)
      for (const auto& c : t.columns)
        if (c.type.kind == type_kind::enum_type) used.insert(c.type.enum_name);
    std::erase_if(s.enums, [&](const enum_type& e) { return !used.contains(e.name) && chance(0.3); });
    const bool citext_used = std::any_of(s.tables.begin(), s.tables.end(), [](const table& t) {
      return std::any_of(t.columns.begin(), t.columns.end(),
                         [](const column& c) { return extension_of_type(c.type) == "citext"; });
    });
    if (!citext_used && chance(0.5)) s.extensions.clear();
    std::set<std::string> held;
    for (const auto& t : s.tables) held.insert(t.name.schema);
    for (const auto& e : s.enums) held.insert(e.name.schema);
    for (const auto& q : s.sequences) held.insert(q.name.schema);
    std::erase_if(s.schemas, [&](const std::string& n) { return !held.contains(n) && chance(0.5); });
  }

  void drop_table(schema& s, qualified_name victim) {
    for (auto& t : s.tables)
      std::erase_if(t.foreign_keys, [&](const foreign_key& f) { return f.ref_table == victim; });
    std::erase_if(s.tables, [&](const table& t) { return t.name == victim; });
  }

  void rename_table(schema& s, table& t) {
    const qualified_name old = t.name;
    qualified_name fresh{chance(0.2) ? schema_for_new_object(s) : old.schema, name("t")};
    t.name = fresh;
    t.renamed_from = {old};
    for (auto& other : s.tables)
      for (auto& f : other.foreign_keys)
        if (f.ref_table == old) f.ref_table = fresh;
    rename_conventional(s, t, old);
  }

  // Constraint names follow the convention, so they follow renames (diff turns these into renames).
  void rename_conventional(schema& s, table& t, const qualified_name& old) {
    if (t.pk && t.pk->name == naming::primary_key(old)) t.pk->name = naming::primary_key(t.name);
    for (auto& i : t.indexes) i.name = naming::index_by_keys(t.name, i.columns);
    for (auto& u : t.uniques) u.name = naming::unique(t.name, u.columns);
    for (auto& f : t.foreign_keys) f.name = naming::foreign_key(t.name, f.columns, f.ref_table);
    for (auto& x : t.exclusions) x.name = naming::exclusion(t.name, x.elements);
    for (auto& other : s.tables)
      for (auto& f : other.foreign_keys) f.name = naming::foreign_key(other.name, f.columns, f.ref_table);
    dedupe_names(t);
  }

  static void dedupe_names(table& t) {
    auto dedupe = [](auto& list) {
      std::set<std::string> seen;
      std::erase_if(list, [&](const auto& x) { return !seen.insert(x.name).second; });
    };
    dedupe(t.indexes);
    dedupe(t.uniques);
    dedupe(t.foreign_keys);
    dedupe(t.checks);
    dedupe(t.exclusions);
  }

  static bool used_by_keys(const schema& s, const table& t, const std::string& c) {
    auto has = [&](const std::vector<std::string>& v) { return std::find(v.begin(), v.end(), c) != v.end(); };
    if (t.pk && has(t.pk->columns)) return true;
    if (t.partition && has(t.partition->columns)) return true;
    for (const auto& other : s.tables)
      for (const auto& f : other.foreign_keys)
        if (f.ref_table == t.name && has(f.ref_columns)) return true;
    return false;
  }

  void mutate_table(schema& s, std::size_t index) {
    table& t = s.tables[index];
    if (chance(0.2)) t.comment = chance(0.5) ? std::optional<std::string>("changed") : std::nullopt;
    // Add a column: nullable, defaulted, or NOT NULL with a backfill.
    if (chance(0.4)) {
      column c = random_column(s);
      if (!c.nullable && !c.server_default && c.identity == identity_kind::none) c.backfill = backfill_for(c.type);
      t.columns.push_back(c);
    }
    // Drop a column with everything that uses it (never the key).
    if (chance(0.25) && t.columns.size() > 2) {
      const std::string victim = t.columns[std::size_t(between(1, int(t.columns.size()) - 1))].name;
      if (!used_by_keys(s, t, victim)) drop_column(t, victim);
    }
    // Rename a column with a hint.
    if (chance(0.25)) {
      column& c = t.columns[std::size_t(between(0, int(t.columns.size()) - 1))];
      if (!used_by_keys(s, t, c.name)) rename_column(s, t, c);
    }
    // Alter attributes of one column.
    if (chance(0.4)) alter_column(s, t, t.columns[std::size_t(between(0, int(t.columns.size()) - 1))]);
    // Drop or add the primary key.
    const bool referenced = std::any_of(s.tables.begin(), s.tables.end(), [&](const table& other) {
      return std::any_of(other.foreign_keys.begin(), other.foreign_keys.end(),
                         [&](const foreign_key& f) { return f.ref_table == t.name; });
    });
    if (chance(0.1) && t.pk && !referenced) t.pk.reset();
    else if (const column* id = find_column(t, "id"); chance(0.1) && !t.pk && id && !id->nullable) {
      t.pk = primary_key{naming::primary_key(t.name), {"id"}};
      std::erase_if(t.uniques, [&](const unique_constraint& u) { return u.columns == t.pk->columns; });
    }
    if (chance(0.2) && !t.indexes.empty()) t.indexes.erase(t.indexes.begin() + between(0, int(t.indexes.size()) - 1));
    if (chance(0.2) && !t.uniques.empty()) t.uniques.erase(t.uniques.begin() + between(0, int(t.uniques.size()) - 1));
    if (chance(0.2) && !t.checks.empty()) t.checks.erase(t.checks.begin() + between(0, int(t.checks.size()) - 1));
    if (chance(0.2) && !t.foreign_keys.empty())
      t.foreign_keys.erase(t.foreign_keys.begin() + between(0, int(t.foreign_keys.size()) - 1));
    if (chance(0.3)) add_index(t);
    if (chance(0.2)) add_unique(t);
    if (chance(0.2)) add_check(t);
    mutate_row_security(t);
    if (chance(0.2)) add_foreign_key(s, s.tables[index]);
  }

  // Exclusions and policies come and go; a policy changes in place (its expression) or not (its kind).
  void mutate_row_security(table& t) {
    if (chance(0.2) && !t.exclusions.empty()) t.exclusions.erase(t.exclusions.begin() + between(0, int(t.exclusions.size()) - 1));
    if (!t.partition && chance(0.2)) add_exclusion(t);
    if (chance(0.15)) t.rls = {!t.rls.enabled, chance(0.3)};
    if (chance(0.2) && !t.policies.empty()) t.policies.erase(t.policies.begin() + between(0, int(t.policies.size()) - 1));
    if (chance(0.2) && !t.policies.empty()) {
      policy& p = pick(t.policies);
      if (chance(0.5)) p.restrictive = !p.restrictive;
      else if (p.using_expression) *p.using_expression = fmt::format("({} IS NULL)", t.columns.front().name);
    }
    if (chance(0.2)) add_policy(t);
  }

  void drop_column(table& t, const std::string& victim) {
    auto has = [&](const std::vector<std::string>& v) { return std::find(v.begin(), v.end(), victim) != v.end(); };
    std::erase_if(t.indexes, [&](const index& i) {
      return has(columns_named(i)) || (i.where && i.where->find(victim) != std::string::npos) ||
             std::any_of(i.columns.begin(), i.columns.end(),
                         [&](const index_key& k) { return k.expression.find(victim) != std::string::npos; });
    });
    std::erase_if(t.uniques, [&](const unique_constraint& u) { return has(u.columns); });
    std::erase_if(t.foreign_keys, [&](const foreign_key& f) { return has(f.columns); });
    std::erase_if(t.checks, [&](const check_constraint& c) { return c.expression.find(victim) != std::string::npos; });
    std::erase_if(t.exclusions, [&](const exclusion_constraint& x) { return has(columns_named(x)); });
    std::erase_if(t.policies, [&](const policy& p) {
      return p.using_expression.value_or("").find(victim) != std::string::npos ||
             p.check_expression.value_or("").find(victim) != std::string::npos;
    });
    std::erase_if(t.columns, [&](const column& c) { return c.name == victim; });
  }

  void rename_column(schema&, table& t, column& c) {
    if (c.name == "id" && has_generated(t)) return;  // the generation expression names it
    const std::string old = c.name;
    const std::string fresh = name("c");
    c.name = fresh;
    c.renamed_from = {old};
    auto rename_in = [&](std::vector<std::string>& v) { std::replace(v.begin(), v.end(), old, fresh); };
    auto rewrite = [&](std::string& expr) { expr = fmt::format("({} IS NOT NULL)", fresh); };
    for (auto& i : t.indexes) {
      for (auto& k : i.columns) {
        if (k.column == old) k.column = fresh;
        if (k.expression == fmt::format("lower({})", old)) k.expression = fmt::format("lower({})", fresh);
      }
      rename_in(i.include);
      if (i.where && i.where->find(old) != std::string::npos) rewrite(*i.where);
      i.name = naming::index_by_keys(t.name, i.columns);
    }
    for (auto& u : t.uniques) rename_in(u.columns), u.name = naming::unique(t.name, u.columns);
    for (auto& f : t.foreign_keys) rename_in(f.columns), f.name = naming::foreign_key(t.name, f.columns, f.ref_table);
    for (auto& k : t.checks)
      if (k.expression.find(old) != std::string::npos) rewrite(k.expression);
    for (auto& x : t.exclusions) {
      for (auto& e : x.elements)
        if (e.key.column == old) e.key.column = fresh;
      rename_in(x.include);
      if (x.where && x.where->find(old) != std::string::npos) rewrite(*x.where);
      x.name = naming::exclusion(t.name, x.elements);
    }
    // PostgreSQL rewrites a policy's expressions to the new name, word for word.
    const std::regex word("\\b" + old + "\\b");
    for (auto& p : t.policies) {
      if (p.using_expression) p.using_expression = std::regex_replace(*p.using_expression, word, fresh);
      if (p.check_expression) p.check_expression = std::regex_replace(*p.check_expression, word, fresh);
    }
    dedupe_names(t);
  }

  void alter_column(const schema& s, table& t, column& c) {
    // A type change would respell an expression key or void an opclass: keep those columns' types.
    const bool in_special_index = std::any_of(t.indexes.begin(), t.indexes.end(), [&](const index& i) {
      return std::any_of(i.columns.begin(), i.columns.end(), [&](const index_key& k) {
        return !k.is_plain_column() && (k.column == c.name || k.expression.find(c.name) != std::string::npos);
      }) || i.method != "btree";
    });
    const bool in_key = used_by_keys(s, t, c.name) || in_special_index ||
                        std::any_of(t.foreign_keys.begin(), t.foreign_keys.end(), [&](const foreign_key& f) {
                          return std::find(f.columns.begin(), f.columns.end(), c.name) != f.columns.end();
                        });
    // A generated or serial column changes only its comment here (diff refuses the rest), and
    // the column a generation expression reads keeps its type.
    if (c.generated || c.type.serial || (c.name == "id" && has_generated(t))) {
      c.comment = c.comment ? std::nullopt : std::optional<std::string>("new 'comment'");
      return;
    }
    if ((c.type.kind == type_kind::text || c.type.kind == type_kind::varchar) && !c.type.array && chance(0.2)) {
      c.collation = c.collation ? std::nullopt : std::optional<std::string>("C");
      return;
    }
    switch (between(0, 4)) {
      case 0:  // nullability (a primary key column stays NOT NULL; identity columns too)
        if (!in_key && c.identity == identity_kind::none) {
          c.nullable = !c.nullable;
          if (!c.nullable) c.backfill = backfill_for(c.type);
        }
        break;
      case 1:  // default
        if (c.identity == identity_kind::none) c.server_default = c.server_default ? std::nullopt : default_for(c.type);
        break;
      case 2:  // comment
        c.comment = c.comment ? std::nullopt : std::optional<std::string>("new 'comment'");
        break;
      case 3:  // type: widen or narrow within one family
        if (!in_key && c.type.kind == type_kind::integer && !c.type.array) {
          c.type.kind = type_kind::bigint;
        } else if (!in_key && c.type.kind == type_kind::varchar) {
          c.type.length = c.type.length ? std::nullopt : std::optional<int>(80);
        } else if (!in_key && c.type.kind == type_kind::text && !c.type.array && !c.server_default) {
          c.type = *parse_type("varchar(200)");
        }
        break;
      case 4:  // identity on or off
        if (c.type.kind == type_kind::bigint && !c.type.array && !c.nullable && !c.server_default)
          c.identity = c.identity == identity_kind::none ? identity_kind::by_default : identity_kind::none;
        break;
    }
  }

 private:
  std::mt19937_64& rng_;
  random_schema_options o_;
  std::set<std::string> used_;
};

}  // namespace

schema random_schema(std::mt19937_64& rng, const random_schema_options& options) {
  schema s = generator(rng, options).make();
  validate(s);
  return s;
}

schema mutate(const schema& s, std::mt19937_64& rng, const random_schema_options& options) {
  generator g(rng, options);
  g.reserve(s);
  schema out = g.mutate(s);
  validate(out);
  return out;
}

}  // namespace retort::testing
