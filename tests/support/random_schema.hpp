// Random schemas for property tests: valid schemas, and mutations of them that a real
// project could make (with renamed_from and backfill hints where a model would have them).
// Expressions are written in PostgreSQL's canonical form so introspection gives them back.
#pragma once

#include <cstdint>
#include <random>

#include "retort/schema.hpp"

namespace retort::testing {

struct random_schema_options {
  int max_tables = 6;
  int max_columns = 6;
};

/// A valid schema (passes validate()) drawn from `rng`.
[[nodiscard]] schema random_schema(std::mt19937_64& rng, const random_schema_options& options = {});

/// A valid schema derived from `s` by random edits: tables, columns, keys, indexes, checks,
/// enums and schemas added, dropped, renamed (with hints) and altered.
[[nodiscard]] schema mutate(const schema& s, std::mt19937_64& rng, const random_schema_options& options = {});

}  // namespace retort::testing
