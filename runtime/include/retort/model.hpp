// What model headers include: the annotation macros read by retort-scan, and the value types
// that map to PostgreSQL types. Outside a scan the macros expand to nothing, so they cost nothing.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// ---- Annotations ------------------------------------------------------------------------
//
// retort-scan defines RETORT_SCANNING when it parses the models; only then do the macros
// leave a trace (a Clang `annotate` attribute carrying the arguments' spelling). An
// ordinary compile sees nothing, so g++ and clang build model headers warning-free.
//
//   enum class ProductStatus { draft, active, archived };   // column type: enum product_status
//   struct Timestamps {                                     // no RETORT_TABLE: a mixin
//     RETORT_COLUMN(server_default = "now()") retort::Timestamp created_at;
//     std::optional<retort::Timestamp> updated_at;          // optional: NULL allowed
//   };
//   struct RETORT_TABLE("order_items", primary_key(order_id, product_id)) OrderItem : Timestamps {
//     RETORT_COLUMN(references = "orders.id", on_delete = cascade) std::int64_t order_id;
//     ...
//   };
//
// Every non-static data member of a table, and of its base classes (mixins, any depth, base
// members first), is a column named like the member. Its C++ type gives the column type;
// std::optional<T> makes it nullable, everything else is NOT NULL:
//   bool                     boolean           std::string          text (varchar(n): length)
//   std::int16_t             smallint          retort::Numeric<P,S> numeric(P,S)
//   std::int32_t, int        integer           retort::Timestamp    timestamptz (system_clock)
//   std::int64_t             bigint            retort::Date         date (year_month_day)
//   float                    real              std::chrono::duration interval
//   double                   double precision  retort::Bytes        bytea (vector<std::byte>)
//   retort::Uuid             uuid              retort::Json, Jsonb  json, jsonb
//   std::vector<T>           T[] (T built-in)  enum class E         enum type snake_case(E),
//                                                                   values = enumerator names
//   retort::Citext           citext            retort::TsVector     tsvector
//   retort::Range<T>         int4range, int8range, tstzrange, daterange (T int32, int64,
//                            Timestamp, Date)
// `type = "..."` overrides the mapping. C++ namespaces do not change SQL names; the table
// option `schema` does (an enum type lives in its table's schema unless RETORT_ENUM says).
//
// The arguments are a small option language: `flag`, `option = value` (a string literal, an
// identifier or an integer) and `call(arguments...)`, whose bare identifiers are columns. An
// integer may also be the name of a constant (`length = kMaxEmail`, `Limits::email`): a
// constexpr variable, static constexpr member or enumerator, evaluated where the model is.
//
// RETORT_TABLE("name", options...)    the name defaults to snake_case of the struct's name
//   schema = "billing"                PostgreSQL schema (default public)
//   comment = "..."                   COMMENT ON TABLE
//   renamed_from = "old_name"         an earlier name ("schema.old" too): a rename, not drop
//                                     + create; repeatable
//   primary_key(a, b)                 (composite) primary key; columns by their SQL names
//   unique(a, b)                      unique constraint; `deferrable` or
//                                     `deferrable = initially_deferred` makes it DEFERRABLE
//   index(a, b, unique, where = "deleted_at IS NULL", method = gin)
//                                     a key is a column or a string: "lower(email)",
//                                     "payload jsonb_path_ops", "created_at DESC NULLS LAST";
//                                     also include = "c, d", nulls_not_distinct (with unique),
//                                     with = "fillfactor=70"
//   check("price >= 0")               table check constraint (ck_<table>_price_ge_0)
//   partition_by = "range (created_at)"  a partitioned table: range, list or hash over columns;
//                                     keys must include them; partitions are the database's
//   foreign_key(a, b, references = "orders(x, y)", on_delete = cascade, on_update = restrict)
//                                     also takes deferrable, as unique(...) does
//   exclude("room WITH =", "during WITH &&", method = gist, where = "...", include = "c",
//           deferrable)      EXCLUDE USING gist (room WITH =, during WITH &&): each element a
//                                     column or expression (as index keys are) and an operator
//                                     (ex_<table>_<elements>); `=` on a scalar in gist needs
//                                     RETORT_EXTENSION("btree_gist")
//   row_level_security                ENABLE ROW LEVEL SECURITY (= forced: FORCE too, so the
//                                     table's owner is subject to its policies)
//   policy("name", for = select, to = "app_user, auditor", using = "owner = current_user",
//          with_check = "...", as = restrictive)   CREATE POLICY; for = all (the default) |
//                                     select | insert | update | delete; `to` roles as the
//                                     database spells them (default PUBLIC); as = permissive
//                                     (the default) | restrictive; repeatable
//   Every constraint call also takes name = "..." instead of the conventional pk_/uq_/ix_/ck_/fk_/ex_ name.
//
// RETORT_COLUMN(options...)
//   primary_key                       single-column primary key
//   identity, identity = always       GENERATED BY DEFAULT / ALWAYS AS IDENTITY
//   unique, index                     unique constraint, index; both: one unique index
//   length = 255                      varchar(255) for a std::string
//   type = "numeric(10,2)"            any PostgreSQL type instead of the mapping: built-in ones
//                                     ("int4range", "tsvector", "timestamptz(3)"), serial and
//                                     bigserial, an extension's ("citext", "geometry(Point,4326)",
//                                     bare: named with its extension's schema), arrays ("citext[]");
//                                     kept as format_type() prints it (aliases spelt out)
//   generated = "lower(email)"        GENERATED ALWAYS AS (expression) STORED
//   collation = "C"                   COLLATE "C"
//   name = "sql_name"                 the column's name, when not the member's
//   references = "orders.id"          foreign key ("schema.table.column" too), with
//   on_delete = cascade, on_update =  no_action | restrict | cascade | set_null | set_default
//   deferrable                        with references: DEFERRABLE (= initially_deferred too)
//   check = "quantity > 0"            column check constraint
//   server_default = "now()"          DEFAULT expression
//   comment = "..."                   COMMENT ON COLUMN
//   renamed_from = "login"            an earlier name: a rename, not drop + add; repeatable
//   backfill = "'member'"             fills existing rows when the column is added NOT NULL
//   backfill_batch = 5000             with backfill: that many rows per transaction, committed
//                                     one batch at a time (default: one UPDATE)
//   skip                              alone: the member is not a column (a cache, a std::map)
//
// RETORT_ENUM("name", schema = "billing")   optional, between `enum class` and the name: the
//   enum type's SQL name (default snake_case of the enum's name) and schema.
//
// RETORT_VALUE("label", renamed_from = "old")   optional, after an enumerator's name: its label
//   in SQL when not the enumerator's name ("in-progress", "On Hold", "public"), and its earlier
//   labels (repeatable): ALTER TYPE ... RENAME VALUE, not drop + add.
//     enum class TaskState { todo, in_progress RETORT_VALUE("in-progress"), done };
// RETORT_VIEW("name", query = "SELECT ...", options...)   between `struct` and the name: a view
//   whose columns are the struct's members (name and type as for a table's columns; RETORT_COLUMN
//   takes name, type, length and skip there), in order: CREATE VIEW name (columns) AS query.
//   query = "SELECT id, email FROM users WHERE deleted_at IS NULL"
//   query_file = "views/active_users.sql"   the query in a file, relative to the header; the
//                                     scan reruns when it changes (it is in the depfile)
//   schema = "reporting"              PostgreSQL schema (default public)
//   materialized                      CREATE MATERIALIZED VIEW ... WITH DATA
//   index(a, unique, ...)             with materialized: an index, as a table's index(...)
//   The query names the tables and views of its own schema unqualified (Retort creates the
//   view with search_path pinned to that schema, a tenant's under a tenant mapping) and those
//   of other schemas qualified. It names its columns (no `*`).
//
// RETORT_EXTENSION("citext", schema = "ext", version = "1.6");   at namespace scope: CREATE
//   EXTENSION, before the first object that uses it (schema default public; no version: the
//   server's default). A column of a type an extension provides needs it declared.
// RETORT_SEQUENCE("invoice_numbers", start = 1000, owned_by = "invoices.number");   at namespace
//   scope: CREATE SEQUENCE. Options: schema, type ("smallint", "integer", "bigint" = default),
//   increment, start, min_value, max_value, cache, cycle, owned_by = "table.column" (a table of
//   the sequence's schema; dropped with that column). A default calls it as
//   server_default = "nextval('invoice_numbers')", kept as nextval('invoice_numbers'::regclass).

#if defined(RETORT_SCANNING) && defined(__clang__)
/// Marks a struct as a table: goes between `struct` and the name.
#define RETORT_TABLE(...) __attribute__((annotate("retort:table:" #__VA_ARGS__)))
/// Column options for the data member it precedes.
#define RETORT_COLUMN(...) __attribute__((annotate("retort:column:" #__VA_ARGS__)))
/// Names an `enum class` type: goes between `enum class` and the name.
#define RETORT_ENUM(...) __attribute__((annotate("retort:enum:" #__VA_ARGS__)))
/// Labels an enumerator: goes after its name.
#define RETORT_VALUE(...) __attribute__((annotate("retort:value:" #__VA_ARGS__)))
#define RETORT_DETAIL_CONCAT2(a, b) a##b
#define RETORT_DETAIL_CONCAT(a, b) RETORT_DETAIL_CONCAT2(a, b)
/// Declares an extension the models use: at namespace scope, followed by a semicolon.
#define RETORT_EXTENSION(...) \
  struct __attribute__((annotate("retort:extension:" #__VA_ARGS__))) RETORT_DETAIL_CONCAT(retort_extension_, __COUNTER__) {}
/// Marks a struct as a view: goes between `struct` and the name; its members are the view's columns.
#define RETORT_VIEW(...) __attribute__((annotate("retort:view:" #__VA_ARGS__)))
/// Declares a sequence: at namespace scope, followed by a semicolon.
#define RETORT_SEQUENCE(...) \
  struct __attribute__((annotate("retort:sequence:" #__VA_ARGS__))) RETORT_DETAIL_CONCAT(retort_sequence_, __COUNTER__) {}
#else
/// Marks a struct as a table: goes between `struct` and the name.
#define RETORT_TABLE(...)
/// Column options for the data member it precedes.
#define RETORT_COLUMN(...)
/// Names an `enum class` type: goes between `enum class` and the name.
#define RETORT_ENUM(...)
/// Labels an enumerator: goes after its name.
#define RETORT_VALUE(...)
/// Declares an extension the models use: at namespace scope, followed by a semicolon.
#define RETORT_EXTENSION(...) static_assert(true, "RETORT_EXTENSION")
/// Marks a struct as a view: goes between `struct` and the name; its members are the view's columns.
#define RETORT_VIEW(...)
/// Declares a sequence: at namespace scope, followed by a semicolon.
#define RETORT_SEQUENCE(...) static_assert(true, "RETORT_SEQUENCE")
#endif

namespace retort {

// ---- Value types ------------------------------------------------------------------------
//
// C++ types whose column type has no standard-library counterpart. The scanner recognizes
// them by name; they are plain values an application can fill from a database row.

/// timestamptz: a point in time (UTC).
using Timestamp = std::chrono::system_clock::time_point;

/// date: a calendar day.
using Date = std::chrono::year_month_day;

/// bytea: raw bytes.
using Bytes = std::vector<std::byte>;

/// uuid: 16 bytes in network order.
struct Uuid {
  std::array<std::uint8_t, 16> bytes{};
  friend bool operator==(const Uuid&, const Uuid&) = default;
};

/// json: the document's text, as PostgreSQL stores it (verbatim).
struct Json {
  std::string text;
  friend bool operator==(const Json&, const Json&) = default;
};

/// jsonb: the document's text, as PostgreSQL returns it (normalized).
struct Jsonb {
  std::string text;
  friend bool operator==(const Jsonb&, const Jsonb&) = default;
};

/// citext (extension citext, which the models declare): case-insensitive text.
struct Citext {
  std::string text;
  friend bool operator==(const Citext&, const Citext&) = default;
};

/// tsvector: a full-text search document, as PostgreSQL prints it.
struct TsVector {
  std::string text;
  friend bool operator==(const TsVector&, const TsVector&) = default;
};

/// A range of T: int4range (std::int32_t), int8range (std::int64_t), tstzrange (Timestamp),
/// daterange (Date). Empty, or bounds with their inclusivity ("[)" by default).
template <class T>
struct Range {
  std::optional<T> lower, upper;  ///< none: unbounded
  bool lower_inclusive = true, upper_inclusive = false, empty = false;
  friend bool operator==(const Range&, const Range&) = default;
};

/// numeric(Precision, Scale): an exact decimal, kept as its text ("1234.50") so no digit is lost.
template <int Precision, int Scale = 0>
struct Numeric {
  static_assert(Precision >= 1 && Precision <= 1000, "numeric precision must be 1..1000");
  static_assert(Scale >= 0 && Scale <= Precision, "numeric scale must be 0..precision");
  static constexpr int precision = Precision;
  static constexpr int scale = Scale;
  std::string text = "0";
  friend bool operator==(const Numeric&, const Numeric&) = default;
};

}  // namespace retort
