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
// Every non-static data member of a table, and of its base classes (mixins, any depth,
// base fields first), is a column named like the member; its C++ type gives the column type:
//   bool boolean | std::int16_t smallint | std::int32_t integer | std::int64_t bigint |
//   float real | double double precision | std::string text (varchar(n) with length) |
//   retort::Numeric<P,S> numeric(P,S) | retort::Timestamp timestamptz | retort::Date date |
//   retort::Bytes bytea | retort::Uuid uuid | retort::Json json | retort::Jsonb jsonb |
//   std::chrono::duration interval | std::vector<T> T[] | enum class E: enum type snake_case(E)
//   in the table's schema, values = enumerator names | std::optional<T>: T, nullable.
// Everything else is NOT NULL. C++ namespaces do not change SQL names; `schema` does.
//
// The arguments are a small option language: `flag`, `option = value` (a string literal,
// an identifier or an integer) and `call(arguments...)`.
//
// RETORT_TABLE("name", options...) -- the name defaults to snake_case of the struct's name:
//   schema = "billing"                 PostgreSQL schema (default public)
//   comment = "..."                    COMMENT ON TABLE
//   renamed_from = "old_name"          earlier name: a rename, not drop + create (repeatable)
//   primary_key(a, b)                  composite primary key (columns by SQL name)
//   unique(a, b)                       unique constraint
//   index(a, b, unique, where = "...", method = gin)   index, optionally unique/partial
//   check("price >= 0")                table check constraint
//   foreign_key(a, b, references = "t(x, y)", on_delete = cascade, on_update = cascade)
//   each call also takes name = "..." to override the conventional pk_/uq_/ix_/ck_/fk_ name.
//
// RETORT_COLUMN(options...):
//   primary_key | identity (= by_default, or = always) | unique | index (with unique: a
//   unique index) | length = 255 (varchar) | type = "numeric(10,2)" (any
//   PostgreSQL built-in type; overrides the C++ mapping) | name = "sql_name" |
//   references = "table.column" (or "schema.table.column"), on_delete / on_update =
//   no_action | restrict | cascade | set_null | set_default | check = "expr" |
//   server_default = "now()" | comment = "..." | renamed_from = "old" (repeatable) |
//   backfill = "'user'" (fills existing rows when the column is added NOT NULL).
//
// RETORT_ENUM("name", schema = "billing") -- optional, on an enum class, between `enum class`
// and the name: the enum type's SQL name (default snake_case of the enum's name) and schema
// (default: the schema of the table using it).

#if defined(RETORT_SCANNING) && defined(__clang__)
/// Marks a struct as a table: goes between `struct` and the name.
#define RETORT_TABLE(...) __attribute__((annotate("retort:table:" #__VA_ARGS__)))
/// Column options for the data member it precedes.
#define RETORT_COLUMN(...) __attribute__((annotate("retort:column:" #__VA_ARGS__)))
/// Names an `enum class` type: goes between `enum class` and the name.
#define RETORT_ENUM(...) __attribute__((annotate("retort:enum:" #__VA_ARGS__)))
#else
/// Marks a struct as a table: goes between `struct` and the name.
#define RETORT_TABLE(...)
/// Column options for the data member it precedes.
#define RETORT_COLUMN(...)
/// Names an `enum class` type: goes between `enum class` and the name.
#define RETORT_ENUM(...)
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
