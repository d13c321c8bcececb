// The scanner on ASTs built from code strings (clang::tooling::buildASTFromCodeWithArgs):
// annotated structs in, tables (and where they are declared) out, compared as one readable
// line per element.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>

#include <clang/Frontend/ASTUnit.h>
#include <clang/Frontend/TextDiagnosticPrinter.h>
#include <clang/Tooling/Tooling.h>
#include <fmt/format.h>

#include "retort/snapshot.hpp"
#include "scan.hpp"

namespace retort::scan {
namespace {

// ---- a compact text form of what the scan produced ---------------------------------------

std::string_view action(fk_action a) {
  switch (a) {
    case fk_action::no_action: return "no action";
    case fk_action::restrict: return "restrict";
    case fk_action::cascade: return "cascade";
    case fk_action::set_null: return "set null";
    case fk_action::set_default: return "set default";
  }
  return "?";
}

// "a", "lower(email)", "payload jsonb_path_ops", "at DESC NULLS LAST": as a model writes a key.
std::string key_text(const index_key& k) {
  std::string out = k.expression.empty() ? k.column : k.expression;
  if (k.opclass) out += " " + *k.opclass;
  if (k.descending) out += " DESC";
  if (k.nulls_first) out += *k.nulls_first ? " NULLS FIRST" : " NULLS LAST";
  return out;
}

std::string_view deferral_text(deferral d) {
  switch (d) {
    case deferral::not_deferrable: return "";
    case deferral::initially_immediate: return " deferrable";
    case deferral::initially_deferred: return " deferrable initially deferred";
  }
  return "?";
}

std::string describe(const table& t) {
  std::string out = "table " + to_string(t.name);
  if (t.comment) out += fmt::format(" comment \"{}\"", *t.comment);
  for (const auto& r : t.renamed_from) out += " renamed_from " + to_string(r);
  if (t.partition) out += " partition by " + to_string(*t.partition);
  out += "\n";
  for (const column& c : t.columns) {
    out += fmt::format("  column {} {}{}", c.name, to_string(c.type), c.nullable ? " null" : " not null");
    if (c.type.kind == type_kind::enum_type) out += " (enum)";
    if (c.server_default) out += " default " + *c.server_default;
    if (c.identity == identity_kind::always) out += " identity always";
    if (c.identity == identity_kind::by_default) out += " identity by_default";
    if (c.comment) out += fmt::format(" comment \"{}\"", *c.comment);
    if (c.generated) out += " generated " + *c.generated;
    if (c.collation) out += " collate " + *c.collation;
    for (const auto& r : c.renamed_from) out += " renamed_from " + r;
    if (c.backfill) out += " backfill " + *c.backfill;
    out += "\n";
  }
  if (t.pk) out += fmt::format("  pk {} ({})\n", t.pk->name, fmt::join(t.pk->columns, ", "));
  for (const auto& u : t.uniques)
    out += fmt::format("  unique {} ({}){}\n", u.name, fmt::join(u.columns, ", "), deferral_text(u.deferrable));
  for (const auto& i : t.indexes) {
    std::vector<std::string> keys;
    for (const auto& k : i.columns) keys.push_back(key_text(k));
    out += fmt::format("  index {} ({})", i.name, fmt::join(keys, ", "));
    if (i.unique) out += " unique";
    if (i.nulls_not_distinct) out += " nulls not distinct";
    if (!i.include.empty()) out += fmt::format(" include ({})", fmt::join(i.include, ", "));
    if (!i.with.empty()) out += fmt::format(" with ({})", fmt::join(i.with, ", "));
    if (i.where) out += " where " + *i.where;
    if (i.method != "btree") out += " using " + i.method;
    out += "\n";
  }
  for (const auto& f : t.foreign_keys) {
    out += fmt::format("  fk {} ({}) -> {} ({})", f.name, fmt::join(f.columns, ", "), to_string(f.ref_table), fmt::join(f.ref_columns, ", "));
    if (f.on_delete != fk_action::no_action) out += fmt::format(" on delete {}", action(f.on_delete));
    if (f.on_update != fk_action::no_action) out += fmt::format(" on update {}", action(f.on_update));
    out += deferral_text(f.deferrable);
    out += "\n";
  }
  for (const auto& c : t.checks) out += fmt::format("  check {}: {}\n", c.name, c.expression);
  for (const auto& x : t.exclusions) {
    std::vector<std::string> elements;
    for (const auto& e : x.elements) elements.push_back(key_text(e.key) + " WITH " + e.op);
    out += fmt::format("  exclude {} using {} ({})", x.name, x.method, fmt::join(elements, ", "));
    if (!x.include.empty()) out += fmt::format(" include ({})", fmt::join(x.include, ", "));
    if (x.where) out += " where " + *x.where;
    out += deferral_text(x.deferrable);
    out += "\n";
  }
  if (t.rls.enabled) out += t.rls.forced ? "  row level security forced\n" : "  row level security\n";
  for (const auto& p : t.policies) {
    out += fmt::format("  policy {} for {}{} to {}", p.name, to_string(p.command), p.restrictive ? " restrictive" : "",
                       p.roles.empty() ? std::string("public") : fmt::format("{}", fmt::join(p.roles, ", ")));
    if (p.using_expression) out += " using " + *p.using_expression;
    if (p.check_expression) out += " with check " + *p.check_expression;
    out += "\n";
  }
  return out;
}

// The whole schema in canonical order.
std::string describe(schema s) {
  sort_canonically(s);
  std::string out;
  if (!s.schemas.empty()) out += fmt::format("schemas {}\n", fmt::join(s.schemas, ", "));
  for (const extension& e : s.extensions) out += fmt::format("extension {} in {}{}\n", e.name, e.schema, e.version ? " version " + *e.version : "");
  for (const enum_type& e : s.enums) {
    out += fmt::format("enum {} ({})", to_string(e.name), fmt::join(e.values, ", "));
    for (const auto& [value, labels] : e.renamed_values) out += fmt::format(" {} renamed_from {}", value, fmt::join(labels, ", "));
    out += "\n";
  }

  for (const table& t : s.tables) out += describe(t);
  for (const view& v : s.views) {
    out += fmt::format("{}view {}\n  query {}\n", v.materialized ? "materialized " : "", to_string(v.name), v.query);
    for (const auto& r : v.reads) out += "  reads " + to_string(r) + "\n";
    for (const auto& c : v.columns) out += fmt::format("  column {} {}\n", c.name, to_string(c.type));
    for (const auto& i : v.indexes) {
      std::vector<std::string> keys;
      for (const auto& k : i.columns) keys.push_back(key_text(k));
      out += fmt::format("  index {} ({}){}\n", i.name, fmt::join(keys, ", "), i.unique ? " unique" : "");
    }
  }
  for (const sequence& q : s.sequences) {
    out += fmt::format("sequence {} {} increment {}", to_string(q.name), q.type, q.increment);
    if (q.start) out += fmt::format(" start {}", *q.start);
    if (q.min_value) out += fmt::format(" min {}", *q.min_value);
    if (q.max_value) out += fmt::format(" max {}", *q.max_value);
    if (q.cache != 1) out += fmt::format(" cache {}", q.cache);
    if (q.cycle) out += " cycle";
    if (q.owned_by) out += fmt::format(" owned by {}.{}", q.owned_by->table, q.owned_by->column);
    out += "\n";
  }
  return out;
}

// ---- scanning a code string --------------------------------------------------------------

struct scanned {
  std::optional<schema> result;
  declaration_sites sites;  ///< where result's tables, columns and enums are declared
  std::string diagnostics;  ///< what a user would have seen on stderr

  // The scan's result, or its diagnostics, for one-line expectations.
  [[nodiscard]] std::string text() const { return result ? describe(*result) : "errors:\n" + diagnostics; }
};

scanned scan_code(const std::string& code, const schema* previous = nullptr) {
  const std::vector<std::string> args{"-std=c++20", "-DRETORT_SCANNING=1", "-I" RETORT_RUNTIME_INCLUDE_DIR, "-resource-dir",
                                      RETORT_CLANG_RESOURCE_DIR};
  scanned out;
  llvm::raw_string_ostream stream(out.diagnostics);
  auto options = llvm::makeIntrusiveRefCnt<clang::DiagnosticOptions>();
  clang::TextDiagnosticPrinter printer(stream, options.get());
  std::unique_ptr<clang::ASTUnit> ast = clang::tooling::buildASTFromCodeWithArgs(
      code, args, "models.cpp", "scanner_tests", std::make_shared<clang::PCHContainerOperations>(),
      clang::tooling::getClangStripDependencyFileAdjuster(), clang::tooling::FileContentMappings(), &printer);
  if (!ast || ast->getDiagnostics().hasErrorOccurred()) {
    ADD_FAILURE() << "the code does not compile:\n" << out.diagnostics;
    return out;
  }
  printer.BeginSourceFile(ast->getLangOpts(), &ast->getPreprocessor());
  if (auto s = scan_translation_unit(ast->getASTContext(), ast->getDiagnostics(), previous)) {
    out.result = std::move(s->model);
    out.sites = std::move(s->sites);
  }
  printer.EndSourceFile();
  stream.flush();
  return out;
}

// "models.cpp:LINE:COL: error: ..." lines only.
std::string errors_of(const scanned& s) {
  std::string out;
  std::size_t start = 0;
  while (start < s.diagnostics.size()) {
    std::size_t end = s.diagnostics.find('\n', start);
    if (end == std::string::npos) end = s.diagnostics.size();
    std::string_view line(s.diagnostics.data() + start, end - start);
    if (line.find(": error: ") != std::string_view::npos) out += std::string(line) + "\n";
    start = end + 1;
  }
  return out;
}

const std::string prelude = "#include <retort/model.hpp>\n";

// ---- tables, columns and types -----------------------------------------------------------

TEST(Serialize, TypeMap) {
  auto s = scan_code(prelude + R"cpp(
    enum class Color { red, green };
    struct RETORT_TABLE("everything") Everything {
      RETORT_COLUMN(primary_key) std::int64_t id;
      bool flag;
      std::int16_t small;
      std::int32_t medium;
      int plain_int;
      long long big;
      float single;
      double twice;
      std::string text;
      RETORT_COLUMN(length = 40) std::string bounded;
      retort::Numeric<12, 3> amount;
      retort::Timestamp at;
      std::chrono::system_clock::time_point at_too;
      retort::Date day;
      std::chrono::year_month_day day_too;
      std::chrono::milliseconds took;
      retort::Bytes blob;
      std::vector<std::byte> blob_too;
      retort::Uuid uuid;
      retort::Json json;
      retort::Jsonb jsonb;
      Color color;
      std::vector<std::int32_t> numbers;
      std::vector<std::string> words;
      std::optional<std::int64_t> maybe;
      std::optional<std::vector<std::string>> maybe_words;
      RETORT_COLUMN(type = "inet") std::string address;
      RETORT_COLUMN(type = "numeric(6,2)") double price;
      RETORT_COLUMN(type = "text") std::optional<Color> color_text;
    };
  )cpp");
  EXPECT_EQ(s.text(), R"(enum public.color (red, green)
table public.everything
  column id bigint not null
  column flag boolean not null
  column small smallint not null
  column medium integer not null
  column plain_int integer not null
  column big bigint not null
  column single real not null
  column twice double precision not null
  column text text not null
  column bounded varchar(40) not null
  column amount numeric(12,3) not null
  column at timestamptz not null
  column at_too timestamptz not null
  column day date not null
  column day_too date not null
  column took interval not null
  column blob bytea not null
  column blob_too bytea not null
  column uuid uuid not null
  column json json not null
  column jsonb jsonb not null
  column color public.color not null (enum)
  column numbers integer[] not null
  column words text[] not null
  column maybe bigint null
  column maybe_words text[] null
  column address inet not null
  column price numeric(6,2) not null
  column color_text text null
  pk pk_everything (id)
)");
}

TEST(Serialize, TypesWithoutAMappingAreErrors) {
  auto s = scan_code(prelude + R"cpp(
    struct RETORT_TABLE("t") T {
      RETORT_COLUMN(primary_key) std::int64_t id;
      unsigned count;
      char letter;
      std::optional<std::optional<int>> twice;
      std::vector<std::vector<int>> nested;
      std::chrono::steady_clock::time_point monotonic;
      std::string_view view;
    };
  )cpp");
  EXPECT_FALSE(s.result);
  EXPECT_EQ(errors_of(s), R"(models.cpp:5:7: error: no column type for C++ type 'unsigned int'; use a mapped type or RETORT_COLUMN(type = "...")
models.cpp:6:7: error: no column type for C++ type 'char'; use a mapped type or RETORT_COLUMN(type = "...")
models.cpp:7:7: error: no column type for C++ type 'std::optional<int>'; use a mapped type or RETORT_COLUMN(type = "...")
models.cpp:8:7: error: no column type for C++ type 'std::vector<std::vector<int>>'; use a mapped type or RETORT_COLUMN(type = "...")
models.cpp:9:7: error: no column type for C++ type 'std::chrono::steady_clock::time_point'; use a mapped type or RETORT_COLUMN(type = "...")
models.cpp:10:7: error: no column type for C++ type 'std::string_view'; use a mapped type or RETORT_COLUMN(type = "...")
)");
}

TEST(Serialize, MixinsAtAnyDepthComeFirstAndNamesDefaultToSnakeCase) {
  auto s = scan_code(prelude + R"cpp(
    namespace app::models {
    struct Id { RETORT_COLUMN(primary_key, identity) std::int64_t id; };
    struct Timestamps { RETORT_COLUMN(server_default = "now()") retort::Timestamp created_at; };
    struct Entity : Id, Timestamps {};
    struct Audited : Entity { std::optional<std::string> changed_by; };
    struct RETORT_TABLE() UserProfile : Audited { std::string bio; };
    struct NotATable { std::int64_t x; };   // no annotation: ignored
    }
  )cpp");
  EXPECT_EQ(s.text(), R"(table public.user_profile
  column id bigint not null identity by_default
  column created_at timestamptz not null default now()
  column changed_by text null
  column bio text not null
  pk pk_user_profile (id)
)");
}

TEST(Serialize, ColumnOptions) {
  auto s = scan_code(prelude + R"cpp(
    struct RETORT_TABLE("users") User {
      RETORT_COLUMN(primary_key, identity = always) std::int64_t id;
      RETORT_COLUMN(length = 255, unique, index) std::string email;
      RETORT_COLUMN(unique, renamed_from = "login", renamed_from = "nick") std::string username;
      RETORT_COLUMN(index) std::int32_t age;
      RETORT_COLUMN(check = "score >= 0", server_default = "0", comment = "points") std::int32_t score;
      RETORT_COLUMN(backfill = "'member'") std::string role;
      RETORT_COLUMN(name = "type") std::string kind;
    };
  )cpp");
  EXPECT_EQ(s.text(), R"(table public.users
  column id bigint not null identity always
  column email varchar(255) not null
  column username text not null renamed_from login renamed_from nick
  column age integer not null
  column score integer not null default 0 comment "points"
  column role text not null backfill 'member'
  column type text not null
  pk pk_users (id)
  unique uq_users_username (username)
  index ix_users_age (age)
  index ix_users_email (email) unique
  check ck_users_score: score >= 0
)");
}

// RETORT_COLUMN(skip): a member that is no column (a cache, a map), inherited ones too, even
// of a type no column could have.
TEST(Serialize, SkippedMembersAreNoColumns) {
  auto s = scan_code(prelude + R"cpp(
    #include <map>
    struct Cached { RETORT_COLUMN(skip) std::map<std::string, int> lookups; };
    struct RETORT_TABLE("users") User : Cached {
      RETORT_COLUMN(primary_key) std::int64_t id;
      RETORT_COLUMN(skip) mutable std::map<int, std::string> cache;
      RETORT_COLUMN(skip) unsigned hits;
      std::string name;
    };
  )cpp");
  EXPECT_EQ(s.text(), R"(table public.users
  column id bigint not null
  column name text not null
  pk pk_users (id)
)");
  auto both = scan_code(prelude + R"cpp(
    struct RETORT_TABLE("users") User {
      RETORT_COLUMN(primary_key) std::int64_t id;
      RETORT_COLUMN(skip, length = 3) std::string cache;
    };
  )cpp");
  EXPECT_EQ(errors_of(both), "models.cpp:5:21: error: option 'skip' cannot be combined with other options\n");
}

// Integer options take named constants, evaluated by Clang as C++ sees them from the model.
TEST(Serialize, ConstantOptionValues) {
  auto s = scan_code(prelude + R"cpp(
    namespace app {
      constexpr int kMaxEmail = 320;
      namespace limits { constexpr std::int64_t name = 2 * 40; }
      enum Size { small = 8 };
      enum class Batch { rows = 500 };
      struct Limits { static constexpr int phone = 20; };
      inline namespace v1 { constexpr int kCode = 3; }
      namespace shared { constexpr int kTag = 16; }
      using namespace shared;
      struct Base { static constexpr int kBase = 9; };
      struct RETORT_TABLE("users") User : Base {
        static constexpr int kNick = 12;
        RETORT_COLUMN(primary_key) std::int64_t id;
        RETORT_COLUMN(length = kMaxEmail) std::string email;
        RETORT_COLUMN(length = limits::name) std::string name;
        RETORT_COLUMN(length = Limits::phone) std::string phone;
        RETORT_COLUMN(length = small) std::string size;
        RETORT_COLUMN(length = kNick) std::string nick;
        RETORT_COLUMN(length = kCode) std::string code;
        RETORT_COLUMN(length = kTag) std::string tag;
        RETORT_COLUMN(length = kBase) std::string base;
        RETORT_COLUMN(length = ::app::kMaxEmail, backfill = "''", backfill_batch = Batch::rows) std::string alias;
      };
    }
  )cpp");
  EXPECT_EQ(s.text(), R"(table public.users
  column id bigint not null
  column email varchar(320) not null
  column name varchar(80) not null
  column phone varchar(20) not null
  column size varchar(8) not null
  column nick varchar(12) not null
  column code varchar(3) not null
  column tag varchar(16) not null
  column base varchar(9) not null
  column alias varchar(320) not null backfill ''
  pk pk_users (id)
)");
  ASSERT_TRUE(s.result);
  EXPECT_EQ(s.result->tables[0].columns.back().backfill_batch, 500);
}

TEST(Serialize, ConstantsThatAreNone) {
  auto s = scan_code(prelude + R"cpp(
    int kRuntime = 3;
    const double kRatio = 2.5;
    constexpr int f() { return 3; }
    struct RETORT_TABLE("users") User {
      RETORT_COLUMN(primary_key) std::int64_t id;
      RETORT_COLUMN(length = kRuntime) std::string a;
      RETORT_COLUMN(length = kRatio) std::string b;
      RETORT_COLUMN(length = f) std::string c;
      RETORT_COLUMN(length = User::id) std::string d;
      RETORT_COLUMN(length = kMissing) std::string e;
      RETORT_COLUMN(length = f::x) std::string g;
    };
  )cpp");
  EXPECT_EQ(errors_of(s),
            "models.cpp:8:30: error: invalid value for 'length': 'kRuntime' is not a constant; declare it constexpr\n"
            "models.cpp:9:30: error: invalid value for 'length': 'kRatio' is not an integer constant\n"
            "models.cpp:10:30: error: invalid value for 'length': 'f' is not a constant\n"
            "models.cpp:11:30: error: invalid value for 'length': 'User::id' is not a constant\n"
            "models.cpp:12:30: error: invalid value for 'length': no constant named 'kMissing' is declared where the model is\n"
            "models.cpp:13:30: error: invalid value for 'length': 'f' is not a namespace, class or enum\n");
}

// Open types in format_type()'s spelling, serials, extensions, generated columns, collations.
TEST(Serialize, OpenTypesExtensionsGeneratedColumnsAndCollations) {
  auto s = scan_code(prelude + R"cpp(
    RETORT_EXTENSION("citext");
    RETORT_EXTENSION("pg_trgm", schema = "ext", version = "1.6");
    struct RETORT_TABLE("docs") Doc {
      RETORT_COLUMN(primary_key, type = "bigserial") std::int64_t id;
      RETORT_COLUMN(type = "CITEXT", unique) std::string email;
      RETORT_COLUMN(type = "citext[]") std::optional<std::vector<std::string>> aliases;
      RETORT_COLUMN(type = "timestamptz(3)") retort::Timestamp at;
      RETORT_COLUMN(type = "int4range") std::string seats;
      RETORT_COLUMN(collation = "C") std::string code;
      std::string title;
      RETORT_COLUMN(type = "tsvector", generated = "to_tsvector('english'::regconfig, title)") std::optional<std::string> search;
      RETORT_COLUMN(type = "geometry(Point,4326)") std::optional<std::string> place;
    };
  )cpp");
  EXPECT_EQ(errors_of(s), R"~(models.cpp:14:21: error: invalid value for 'type': type "geometry(Point,4326)" is provided by extension postgis: declare it with RETORT_EXTENSION("postgis")
)~") << s.diagnostics;
  auto ok = scan_code(prelude + R"cpp(
    RETORT_EXTENSION("citext");
    RETORT_EXTENSION("pg_trgm", schema = "ext", version = "1.6");
    RETORT_EXTENSION("postgis");
    struct RETORT_TABLE("docs") Doc {
      RETORT_COLUMN(primary_key, type = "bigserial") std::int64_t id;
      RETORT_COLUMN(type = "CITEXT", unique) std::string email;
      RETORT_COLUMN(type = "citext[]") std::optional<std::vector<std::string>> aliases;
      RETORT_COLUMN(type = "timestamptz(3)") retort::Timestamp at;
      RETORT_COLUMN(type = "int4range") std::string seats;
      RETORT_COLUMN(collation = "C") std::string code;
      std::string title;
      RETORT_COLUMN(type = "tsvector", generated = "to_tsvector('english'::regconfig, title)") std::optional<std::string> search;
      RETORT_COLUMN(type = "geometry(Point,4326)") std::optional<std::string> place;
      retort::Citext nick;
      std::optional<retort::TsVector> doc;
      retort::Range<std::int32_t> r4;
      retort::Range<std::int64_t> r8;
      retort::Range<retort::Timestamp> during;
      retort::Range<retort::Date> days;
    };
  )cpp");
  EXPECT_EQ(ok.text(), R"(schemas ext
extension citext in public
extension pg_trgm in ext version 1.6
extension postgis in public
table public.docs
  column id bigserial not null
  column email citext not null
  column aliases citext[] null
  column at timestamp(3) with time zone not null
  column seats int4range not null
  column code text not null collate C
  column title text not null
  column search tsvector null generated to_tsvector('english'::regconfig, title)
  column place geometry(Point,4326) null
  column nick citext not null
  column doc tsvector null
  column r4 int4range not null
  column r8 int8range not null
  column during tstzrange not null
  column days daterange not null
  pk pk_docs (id)
  unique uq_docs_email (email)
)");
}

// ---- views -------------------------------------------------------------------------------

// A view's members are its columns; its query is stored in one canonical spelling, with the
// relations it reads (its own schema's unqualified, WITH queries left out).
TEST(Serialize, Views) {
  auto s = scan_code(prelude + R"cpp(
    enum class Mood { happy, sad };
    struct RETORT_TABLE("users") User {
      RETORT_COLUMN(primary_key) std::int64_t id;
      RETORT_COLUMN(length = 255) std::string email;
      Mood mood;
      std::optional<retort::Timestamp> deleted_at;
    };
    struct RETORT_VIEW("active_users", query = "select id,  email, mood\n  FROM users -- not deleted\n WHERE deleted_at IS NULL") ActiveUser {
      std::int64_t id;
      RETORT_COLUMN(length = 255) std::string email;
      Mood mood;
    };
    struct RETORT_VIEW(schema = "reporting", materialized, index(n, unique),
                       query = "WITH a AS (SELECT id FROM public.active_users) SELECT count(*) FROM a JOIN public.users u ON u.id = a.id") UserCount {
      std::int64_t n;
    };
  )cpp");
  EXPECT_EQ(s.text(), R"(schemas reporting
enum public.mood (happy, sad)
table public.users
  column id bigint not null
  column email varchar(255) not null
  column mood public.mood not null (enum)
  column deleted_at timestamptz null
  pk pk_users (id)
view public.active_users
  query SELECT id, email, mood FROM users WHERE deleted_at IS NULL
  reads public.users
  column id bigint
  column email varchar(255)
  column mood public.mood
materialized view reporting.user_count
  query WITH a AS (SELECT id FROM public.active_users) SELECT count(*) FROM a JOIN public.users u ON u.id = a.id
  reads public.active_users
  reads public.users
  column n bigint
  index ix_user_count_n (n) unique
)") << s.diagnostics;
}

// A view's mistakes are errors where they are written: a query PostgreSQL cannot parse, `*`,
// a relation no model declares, an option only a table has, no query at all.
TEST(Serialize, ViewMistakes) {
  auto s = scan_code(prelude + R"cpp(
    struct RETORT_TABLE("users") User { RETORT_COLUMN(primary_key) std::int64_t id; };
    struct RETORT_VIEW("a", query = "SELECT id FROM") A { std::int64_t id; };
    struct RETORT_VIEW("b", query = "SELECT * FROM users") B { std::int64_t id; };
    struct RETORT_VIEW("d", query = "SELECT id FROM users") D { RETORT_COLUMN(server_default = "1") std::int64_t id; };
    struct RETORT_VIEW("e") E { std::int64_t id; };
    struct RETORT_VIEW("f", query = "SELECT id FROM users", index(id)) F { std::int64_t id; };
  )cpp");
  EXPECT_EQ(errors_of(s), R"(models.cpp:4:37: error: invalid query of view public.a: SQL does not parse: syntax error at end of input
models.cpp:5:37: error: invalid query of view public.b: a view's query selects *: PostgreSQL expands it once, when the view is created, so the view would not follow its tables; name the columns
models.cpp:6:114: error: column 'id' of view public.d: a view's column takes only name, type, length and skip (its values come from the query)
models.cpp:1:1: error: RETORT_VIEW needs its query: query = "SELECT ..." or query_file = "views/name.sql"
models.cpp:8:61: error: option 'index' needs 'materialized'
)") << s.diagnostics;
  // A relation of the view's schema that no model declares (unqualified: the view's own schema).
  auto unknown = scan_code(prelude + R"cpp(
    struct RETORT_TABLE("users") User { RETORT_COLUMN(primary_key) std::int64_t id; };
    struct RETORT_VIEW("c", query = "SELECT id FROM orders") C { std::int64_t id; };
  )cpp");
  EXPECT_EQ(errors_of(unknown), "models.cpp:4:24: error: view public.c reads public.orders, which is neither a table nor a view of the schema\n")
      << unknown.diagnostics;
}

// Sequences at namespace scope (values PostgreSQL picks left out, nextval() defaults in
// pg_get_expr's spelling) and a partitioned table whose keys include its partition key.
TEST(Serialize, SequencesAndPartitionedTables) {
  auto ok = scan_code(prelude + R"cpp(
    constexpr std::int64_t kFirstInvoice = 1000;
    RETORT_SEQUENCE("invoice_numbers", start = kFirstInvoice, cache = 20, owned_by = "invoices.number");
    RETORT_SEQUENCE("countdown", schema = "ops", type = "int4", increment = -1, min_value = -100, max_value = -1, cycle);
    RETORT_SEQUENCE("plain", start = 1, max_value = 9223372036854775807);
    struct RETORT_TABLE("invoices") Invoice {
      RETORT_COLUMN(primary_key, identity) std::int64_t id;
      RETORT_COLUMN(server_default = "nextval('invoice_numbers')", unique) std::int64_t number;
      RETORT_COLUMN(server_default = "nextval('ops.countdown'::regclass) * 2") std::int64_t left;
    };
    struct RETORT_TABLE("events", partition_by = "range (created_at)", primary_key(id, created_at)) Event {
      RETORT_COLUMN(identity) std::int64_t id;
      RETORT_COLUMN(server_default = "now()") retort::Timestamp created_at;
      std::string kind;
    };
  )cpp");
  EXPECT_EQ(ok.text(), R"(schemas ops
table public.events partition by RANGE (created_at)
  column id bigint not null identity by_default
  column created_at timestamptz not null default now()
  column kind text not null
  pk pk_events (id, created_at)
table public.invoices
  column id bigint not null identity by_default
  column number bigint not null default nextval('invoice_numbers'::regclass)
  column left bigint not null default nextval('ops.countdown'::regclass) * 2
  pk pk_invoices (id)
  unique uq_invoices_number (number)
sequence ops.countdown integer increment -1 min -100 cycle
sequence public.invoice_numbers bigint increment 1 start 1000 cache 20 owned by invoices.number
sequence public.plain bigint increment 1
)") << ok.diagnostics;

  auto bad = scan_code(prelude + R"cpp(
    RETORT_SEQUENCE("numbers", increment = 0, owned_by = "invoices(number)");
    RETORT_SEQUENCE("counts", type = "numeric", strat = 5);
    struct RETORT_TABLE("events", partition_by = "range (lower(kind))") Event {
      RETORT_COLUMN(primary_key) std::int64_t id;
      std::string kind;
    };
    struct RETORT_TABLE("logs", partition_by = "hash (at)") Log {
      RETORT_COLUMN(primary_key) std::int64_t id;
      RETORT_COLUMN(unique) retort::Timestamp at;
      RETORT_COLUMN(server_default = "nextval('missing')") std::int64_t n;
    };
  )cpp");
  EXPECT_EQ(errors_of(bad), R"~(models.cpp:3:58: error: invalid value for 'owned_by': expected "table.column" (a table of the sequence's schema), not "invoices(number)"
models.cpp:4:38: error: invalid value for 'type': a sequence is "smallint", "integer" or "bigint", not "numeric"
models.cpp:4:49: error: unknown sequence option 'strat'
models.cpp:5:50: error: invalid value for 'partition_by': "range (lower(kind))" is not "range (column, ...)", "list (column)" or "hash (column, ...)" (a key of columns)
)~") << bad.diagnostics;
  auto rules = scan_code(prelude + R"cpp(
    RETORT_SEQUENCE("numbers", increment = 0);
    struct RETORT_TABLE("logs", partition_by = "hash (at)") Log {
      RETORT_COLUMN(primary_key) std::int64_t id;
      RETORT_COLUMN(unique) retort::Timestamp at;
      RETORT_COLUMN(server_default = "nextval('missing')") std::int64_t n;
    };
  )cpp");
  EXPECT_EQ(errors_of(rules), R"~(models.cpp:5:21: error: primary key pk_logs of partitioned table public.logs must include the partition key's column at (PostgreSQL enforces it in each partition, so it must contain the key)
models.cpp:3:21: error: sequence public.numbers: the increment cannot be 0
models.cpp:7:73: error: the default of column public.logs.n calls nextval() of sequence public.missing, which the schema does not declare (RETORT_SEQUENCE)
)~") << rules.diagnostics;
}

// The batch size reaches the snapshot, which carries it into the diff's backfill step.
TEST(Serialize, BackfillBatchIsWrittenToTheSnapshot) {
  auto s = scan_code(prelude + R"cpp(
    struct RETORT_TABLE("users") User {
      RETORT_COLUMN(primary_key) std::int64_t id;
      RETORT_COLUMN(backfill = "'member'", backfill_batch = 5000) std::string role;
      RETORT_COLUMN(backfill = "''") std::string nick;
    };
  )cpp");
  ASSERT_TRUE(s.result) << s.diagnostics;
  const std::string snapshot = write_snapshot(*s.result);
  EXPECT_NE(snapshot.find(R"("backfill_batch": 5000)"), std::string::npos) << snapshot;
  EXPECT_EQ(snapshot.find("backfill_batch"), snapshot.rfind("backfill_batch")) << snapshot;  // the role's alone
  EXPECT_EQ(read_snapshot(snapshot, "schema.json").tables[0].columns[1].backfill_batch, 5000);
  EXPECT_EQ(read_snapshot(snapshot, "schema.json").tables[0].columns[2].backfill_batch, std::nullopt);
}

TEST(Serialize, TableOptions) {
  auto s = scan_code(prelude + R"cpp(
    struct RETORT_TABLE("lines", schema = "sales", comment = "order lines", renamed_from = "items",
                        renamed_from = "old.order_lines", primary_key(order_id, line),
                        unique(order_id, sku), unique(sku, line, name = "uq_custom"),
                        index(sku, where = "line > 0"), index(order_id, line, unique, method = hash, name = "ix_custom"),
                        check("line > 0"), check("price >= 0", name = "ck_price")) Line {
      std::int64_t order_id;
      std::int32_t line;
      std::string sku;
      double price;
    };
  )cpp");
  EXPECT_EQ(s.text(), R"(schemas sales
table sales.lines comment "order lines" renamed_from sales.items renamed_from old.order_lines
  column order_id bigint not null
  column line integer not null
  column sku text not null
  column price double precision not null
  pk pk_lines (order_id, line)
  unique uq_custom (sku, line)
  unique uq_lines_order_id_sku (order_id, sku)
  index ix_custom (order_id, line) unique using hash
  index ix_lines_sku (sku) where line > 0
  check ck_lines_line_gt_0: line > 0
  check ck_price: price >= 0
)");
}

TEST(Serialize, IndexKeysOptionsAndDeferrableConstraints) {
  auto s = scan_code(prelude + R"cpp(
    struct RETORT_TABLE("rooms", unique(code, deferrable)) Room {
      RETORT_COLUMN(primary_key) std::int64_t id;
      std::string code;
    };
    struct RETORT_TABLE("seats",
                        index("lower(label)", unique, nulls_not_distinct),
                        index("payload jsonb_path_ops", method = gin),
                        index("created_at DESC NULLS LAST", "label text_pattern_ops", include = "payload, room_id",
                              with = "fillfactor=70, deduplicate_items=off"),
                        index("created_at DESC NULLS FIRST", name = "ix_default_nulls"),
                        unique(room_id, label, deferrable = initially_deferred),
                        foreign_key(room_id, references = "rooms(id)", deferrable = initially_deferred)) Seat {
      RETORT_COLUMN(primary_key) std::int64_t id;
      std::int64_t room_id;
      RETORT_COLUMN(references = "rooms.id", deferrable) std::int64_t spare_room_id;
      std::string label;
      RETORT_COLUMN(type = "jsonb") std::string payload;
      RETORT_COLUMN(type = "timestamptz") std::string created_at;
    };
  )cpp");
  EXPECT_EQ(s.text(), R"(table public.rooms
  column id bigint not null
  column code text not null
  pk pk_rooms (id)
  unique uq_rooms_code (code) deferrable
table public.seats
  column id bigint not null
  column room_id bigint not null
  column spare_room_id bigint not null
  column label text not null
  column payload jsonb not null
  column created_at timestamptz not null
  pk pk_seats (id)
  unique uq_seats_room_id_label (room_id, label) deferrable initially deferred
  index ix_default_nulls (created_at DESC)
  index ix_seats_created_at_label (created_at DESC NULLS LAST, label text_pattern_ops) include (payload, room_id) with (deduplicate_items=off, fillfactor=70)
  index ix_seats_lower_label (lower(label)) unique nulls not distinct
  index ix_seats_payload (payload jsonb_path_ops) using gin
  fk fk_seats_room_id_rooms (room_id) -> public.rooms (id) deferrable initially deferred
  fk fk_seats_spare_room_id_rooms (spare_room_id) -> public.rooms (id) deferrable
)");
}

TEST(Serialize, IndexKeysNameOnlyExistingColumns) {
  auto s = scan_code(prelude + R"cpp(
    struct RETORT_TABLE("t", index("lbl text_pattern_ops"), index(label, include = "nope")) T {
      RETORT_COLUMN(primary_key) std::int64_t id;
      std::string label;
    };
  )cpp");
  EXPECT_NE(s.diagnostics.find("unknown column 'lbl' in index(...) of table public.t"), std::string::npos)
      << s.diagnostics;
  EXPECT_NE(s.diagnostics.find("unknown column 'nope' in index(...)"), std::string::npos) << s.diagnostics;
}

TEST(Serialize, ExclusionConstraintsRowLevelSecurityAndPolicies) {
  auto s = scan_code(prelude + R"cpp(
    RETORT_EXTENSION("btree_gist");
    struct RETORT_TABLE("bookings",
                        exclude("room WITH =", "during WITH &&", where = "NOT cancelled", include = "id"),
                        exclude("lower(guest) with =", method = gist, deferrable = initially_deferred, name = "ex_guest"),
                        row_level_security = forced,
                        policy("bookings_guest", using = "guest = current_user"),
                        policy("bookings_staff", for = select, to = "staff, Auditor", as = restrictive, using = "true"),
                        policy("bookings_new", for = insert, to = "PUBLIC", with_check = "NOT cancelled")) Booking {
      RETORT_COLUMN(primary_key) std::int64_t id;
      std::int32_t room;
      retort::Range<retort::Timestamp> during;
      std::string guest;
      bool cancelled;
    };
    struct RETORT_TABLE("notes", row_level_security) Note {
      RETORT_COLUMN(primary_key) std::int64_t id;
    };
  )cpp");
  EXPECT_EQ(s.text(), R"(extension btree_gist in public
table public.bookings
  column id bigint not null
  column room integer not null
  column during tstzrange not null
  column guest text not null
  column cancelled boolean not null
  pk pk_bookings (id)
  exclude ex_bookings_room_during using gist (room WITH =, during WITH &&) include (id) where NOT cancelled
  exclude ex_guest using gist (lower(guest) WITH =) deferrable initially deferred
  row level security forced
  policy bookings_guest for all to public using guest = current_user
  policy bookings_new for insert to public with check NOT cancelled
  policy bookings_staff for select restrictive to Auditor, staff using true
table public.notes
  column id bigint not null
  pk pk_notes (id)
  row level security
)") << s.diagnostics;
}

TEST(Serialize, ExclusionAndPolicyMistakes) {
  auto s = scan_code(prelude + R"cpp(
    struct RETORT_TABLE("bookings",
                        exclude("room", "during WITH &&"),
                        exclude("nope WITH ="),
                        exclude("room WITH ;"),
                        policy(using = "true"),
                        policy("p", for = upsert, using = "true")) Booking {
      RETORT_COLUMN(primary_key) std::int64_t id;
      std::int32_t room;
      retort::Range<retort::Timestamp> during;
    };
  )cpp");
  EXPECT_EQ(errors_of(s), R"~(models.cpp:7:25: error: 'policy' needs its name first: policy("name", using = "...")
models.cpp:8:43: error: invalid value for 'for': expected one of all, select, insert, update, delete
models.cpp:4:33: error: an element of exclude(...) is "<column or expression> WITH <operator>", as in "room WITH ="; found "room"
models.cpp:5:33: error: unknown column 'nope' in exclude(...) of table public.bookings
models.cpp:6:33: error: ";" is not an operator (=, &&, <>, ...)
)~") << s.diagnostics;
  // What PostgreSQL refuses of a policy is found once the annotations read cleanly.
  auto checked = scan_code(prelude + R"cpp(
    struct RETORT_TABLE("bookings", policy("q", for = select, with_check = "true")) Booking {
      RETORT_COLUMN(primary_key) std::int64_t id;
    };
  )cpp");
  EXPECT_EQ(errors_of(checked),
            "models.cpp:3:37: error: policy q of table public.bookings: a select policy has no WITH CHECK expression "
            "(only USING)\n")
      << checked.diagnostics;
}

TEST(Serialize, ReferencesResolveAcrossTablesAndSchemas) {
  auto s = scan_code(prelude + R"cpp(
    struct RETORT_TABLE("accounts") PublicAccount { RETORT_COLUMN(primary_key) std::int64_t id; };
    struct RETORT_TABLE("accounts", schema = "billing") BillingAccount { RETORT_COLUMN(primary_key) std::int64_t id; };
    struct RETORT_TABLE("invoices", schema = "billing", unique(account_id, number),
                        foreign_key(account_id, number, references = "billing.invoices(account_id, number)", name = "fk_self")) Invoice {
      RETORT_COLUMN(primary_key) std::int64_t id;
      // Unqualified: the table in the referencing table's schema comes first.
      RETORT_COLUMN(references = "accounts.id", on_delete = cascade, on_update = restrict) std::int64_t account_id;
      RETORT_COLUMN(references = "public.accounts.id", on_delete = set_null) std::optional<std::int64_t> owner_id;
      std::int32_t number;
    };
    struct RETORT_TABLE("payments") Payment {
      RETORT_COLUMN(primary_key) std::int64_t id;
      RETORT_COLUMN(references = "invoices.id") std::int64_t invoice_id;   // only in billing
    };
  )cpp");
  EXPECT_EQ(s.text(), R"(schemas billing
table billing.accounts
  column id bigint not null
  pk pk_accounts (id)
table billing.invoices
  column id bigint not null
  column account_id bigint not null
  column owner_id bigint null
  column number integer not null
  pk pk_invoices (id)
  unique uq_invoices_account_id_number (account_id, number)
  fk fk_invoices_account_id_accounts (account_id) -> billing.accounts (id) on delete cascade on update restrict
  fk fk_invoices_owner_id_accounts (owner_id) -> public.accounts (id) on delete set null
  fk fk_self (account_id, number) -> billing.invoices (account_id, number)
table public.accounts
  column id bigint not null
  pk pk_accounts (id)
table public.payments
  column id bigint not null
  column invoice_id bigint not null
  pk pk_payments (id)
  fk fk_payments_invoice_id_invoices (invoice_id) -> billing.invoices (id)
)");
}

TEST(Serialize, EnumTypes) {
  auto s = scan_code(prelude + R"cpp(
    enum class OrderStatus { pending, paid };
    enum class RETORT_ENUM("visibility", schema = "shared") Visibility { hidden, shown };
    enum class RETORT_ENUM("unused_state") Unused { a, b };
    enum class RETORT_ENUM(schema = "shared") Mood { happy };
    struct RETORT_TABLE("orders") Order {
      RETORT_COLUMN(primary_key) std::int64_t id;
      RETORT_COLUMN(server_default = "'pending'") OrderStatus status;
      std::optional<OrderStatus> previous_status;
      Visibility visibility;
      Mood mood;
    };
    struct RETORT_TABLE("orders", schema = "archive") ArchivedOrder {
      RETORT_COLUMN(primary_key) std::int64_t id;
      OrderStatus status;   // the enum type lives in the table's schema
    };
  )cpp");
  EXPECT_EQ(s.text(), R"(schemas archive, shared
enum archive.order_status (pending, paid)
enum public.order_status (pending, paid)
enum public.unused_state (a, b)
enum shared.mood (happy)
enum shared.visibility (hidden, shown)
table archive.orders
  column id bigint not null
  column status archive.order_status not null (enum)
  pk pk_orders (id)
table public.orders
  column id bigint not null
  column status public.order_status not null (enum) default 'pending'
  column previous_status public.order_status null (enum)
  column visibility shared.visibility not null (enum)
  column mood shared.mood not null (enum)
  pk pk_orders (id)
)");
}

// RETORT_VALUE: labels that are no C++ identifiers, and earlier labels for the diff.
TEST(Serialize, EnumValueLabels) {
  auto s = scan_code(prelude + R"cpp(
    enum class Visibility { public_ RETORT_VALUE("public"), private_ RETORT_VALUE("private") };
    enum class TaskState {
      todo,
      in_progress RETORT_VALUE("in-progress", renamed_from = "in_progress", renamed_from = "doing"),
      on_hold RETORT_VALUE("On Hold") = 7,
      done RETORT_VALUE(renamed_from = "finished"),
    };
    struct RETORT_TABLE("tasks") Task {
      RETORT_COLUMN(primary_key) std::int64_t id;
      TaskState state;
      Visibility visibility;
    };
  )cpp");
  EXPECT_EQ(s.text(), R"(enum public.task_state (todo, in-progress, On Hold, done) done renamed_from finished in-progress renamed_from in_progress, doing
enum public.visibility (public, private)
table public.tasks
  column id bigint not null
  column state public.task_state not null (enum)
  column visibility public.visibility not null (enum)
  pk pk_tasks (id)
)");
  // The earlier labels reach the snapshot, which the diff reads them from.
  ASSERT_TRUE(s.result);
  const std::string snapshot = write_snapshot(*s.result);
  EXPECT_NE(snapshot.find(R"("renamed_values")"), std::string::npos) << snapshot;
  schema scanned = *s.result;
  sort_canonically(scanned);
  EXPECT_EQ(read_snapshot(snapshot, "schema.json").enums, scanned.enums);
}

TEST(Serialize, EnumValueMistakes) {
  auto s = scan_code(prelude + R"cpp(
    enum class Size { small, huge RETORT_VALUE(renamed_frm = "x") };
    struct RETORT_TABLE("boxes") Box {
      RETORT_COLUMN(primary_key) std::int64_t id;
      Size size;
    };
    struct RETORT_VALUE("x") NotAnEnumerator {};
  )cpp");
  EXPECT_EQ(errors_of(s),
            "models.cpp:8:30: error: RETORT_VALUE on a declaration of kind CXXRecord: RETORT_VALUE labels an enumerator\n"
            "models.cpp:3:48: error: unknown enum value option 'renamed_frm'; did you mean 'renamed_from'?\n");
  // Two enumerators with one label: at the second, where the label is written.
  auto twice = scan_code(prelude + R"cpp(
    enum class Size { small RETORT_VALUE("big"), big };
    struct RETORT_TABLE("boxes") Box {
      RETORT_COLUMN(primary_key) std::int64_t id;
      Size size;
    };
  )cpp");
  EXPECT_EQ(errors_of(twice), "models.cpp:3:50: error: enum public.size has the value \"big\" twice\n");
}

TEST(Serialize, TwoEnumsOfOneNameAreAnError) {
  auto s = scan_code(prelude + R"cpp(
    namespace a { enum class Status { x }; }
    namespace b { enum class Status { y }; }
    struct RETORT_TABLE("t") T {
      RETORT_COLUMN(primary_key) std::int64_t id;
      a::Status first;
      b::Status second;
    };
  )cpp");
  EXPECT_EQ(errors_of(s), "models.cpp:4:30: error: duplicate enum type public.status; name one of them with RETORT_ENUM(\"...\")\n");
}

TEST(Serialize, ClassTemplatesCannotBeTables) {
  auto s = scan_code(prelude + R"cpp(
    template <class T> struct RETORT_TABLE("boxes") Box { RETORT_COLUMN(primary_key) std::int64_t id; };
  )cpp");
  EXPECT_EQ(errors_of(s), "models.cpp:3:53: error: a table must be a class, not a class template\n");
}

TEST(Serialize, TemplateMixins) {
  auto s = scan_code(prelude + R"cpp(
    template <class Key> struct Keyed { RETORT_COLUMN(primary_key) Key id; };
    struct RETORT_TABLE("tags") Tag : Keyed<std::int32_t> { std::string label; };
  )cpp");
  EXPECT_EQ(s.text(), R"(table public.tags
  column id integer not null
  column label text not null
  pk pk_tags (id)
)");
}

// ---- the previous snapshot: NOT NULL columns added to existing tables ---------------------

TEST(Serialize, NewNotNullColumnsNeedADefaultOrABackfill) {
  const schema previous = read_snapshot(R"({"format": 1, "schemas": [], "enums": [], "tables": [
    {"schema": "public", "name": "users", "columns": [{"name": "id", "type": "bigint"}, {"name": "login", "type": "text"}],
     "primary_key": {"columns": ["id"]}},
    {"schema": "public", "name": "old_teams", "columns": [{"name": "id", "type": "bigint"}]}]})",
                                        "head.json");
  const std::string code = prelude + R"cpp(
    struct RETORT_TABLE("users") User {
      RETORT_COLUMN(primary_key) std::int64_t id;
      RETORT_COLUMN(renamed_from = "login") std::string username;          // renamed: not new
      std::optional<std::string> nickname;                                  // nullable
      RETORT_COLUMN(server_default = "true") bool active;                   // a default
      RETORT_COLUMN(backfill = "'member'") std::string role;                // a backfill
      RETORT_COLUMN(identity) std::int64_t number;                          // generated
      std::string email;                                                    // needs one
    };
    struct RETORT_TABLE("teams", renamed_from = "old_teams") Team {         // an existing table
      RETORT_COLUMN(primary_key) std::int64_t id;
      std::string name;                                                     // needs one
    };
    struct RETORT_TABLE("projects") Project {                               // a new table
      RETORT_COLUMN(primary_key) std::int64_t id;
      std::string name;
    };
  )cpp";
  auto s = scan_code(code, &previous);
  EXPECT_EQ(errors_of(s),
            "models.cpp:10:19: error: new NOT NULL column 'email' of table public.users needs a server_default or a backfill value for the existing rows\n"
            "models.cpp:14:19: error: new NOT NULL column 'name' of table public.teams needs a server_default or a backfill value for the existing rows\n");
  // Without a previous snapshot the rule does not apply.
  EXPECT_TRUE(scan_code(code).result);
}

// ---- declaration sites (the locations file) ----------------------------------------------

// One line per site, "<section> <key> <file name>:<line>:<column>"; the file is absolute.
std::string describe(const declaration_sites& sites) {
  std::string out;
  auto section = [&](std::string_view name, const std::map<std::string, declaration_site>& entries) {
    for (const auto& [key, site] : entries) {
      EXPECT_TRUE(std::filesystem::path(site.file).is_absolute()) << site.file;
      out += fmt::format("{} {} {}:{}:{}\n", name, key, std::filesystem::path(site.file).filename().string(), site.line,
                         site.column);
    }
  };
  section("table", sites.tables);
  section("column", sites.columns);
  section("enum", sites.enums);
  return out;
}

TEST(ScannedSites, TheStructTheFieldAndTheEnum) {
  auto s = scan_code(prelude + R"cpp(
struct Timestamps {
  RETORT_COLUMN(server_default = "now()") retort::Timestamp created_at;
};
enum class RETORT_ENUM("state", schema = "auth") Status { on, off };
enum class Color { red, green };
struct RETORT_TABLE("users", schema = "auth")
    User : Timestamps {
  RETORT_COLUMN(primary_key) std::int64_t id;
  RETORT_COLUMN(name = "mail",
                length = 255)
      std::string email;
  Status status;
};
struct RETORT_TABLE() Item : Timestamps {
  RETORT_COLUMN(primary_key) std::int64_t id;
  Color color;
};
)cpp");
  ASSERT_TRUE(s.result) << s.diagnostics;
  // Inherited columns point into the mixin, for every table that inherits them; a renamed
  // column at its field, a table at its struct's name even when RETORT_TABLE is lines above.
  EXPECT_EQ(describe(s.sites), R"(table auth.users models.cpp:9:5
table public.item models.cpp:16:23
column auth.users.created_at models.cpp:4:61
column auth.users.id models.cpp:10:43
column auth.users.mail models.cpp:13:19
column auth.users.status models.cpp:14:10
column public.item.color models.cpp:18:9
column public.item.created_at models.cpp:4:61
column public.item.id models.cpp:17:43
enum auth.state models.cpp:6:50
enum public.color models.cpp:7:12
)");
}

TEST(ScannedSites, MacroExpansionsPointAtTheirUse) {
  auto s = scan_code(prelude + R"cpp(
#define ID_COLUMN RETORT_COLUMN(primary_key) std::int64_t id;
#define TABLE(sql_name, Name) struct RETORT_TABLE(sql_name) Name
TABLE("things", Thing) {
  ID_COLUMN
};
)cpp");
  ASSERT_TRUE(s.result) << s.diagnostics;
  EXPECT_EQ(describe(s.sites), R"(table public.things models.cpp:5:17
column public.things.id models.cpp:6:3
)");
}

TEST(ScannedSites, NoneAfterAnError) {
  auto s = scan_code(prelude + R"cpp(
struct RETORT_TABLE("t") T { RETORT_COLUMN(bogus) std::int64_t id; };
)cpp");
  EXPECT_FALSE(s.result);
  EXPECT_TRUE(s.sites.tables.empty() && s.sites.columns.empty() && s.sites.enums.empty());
}

}  // namespace
}  // namespace retort::scan
