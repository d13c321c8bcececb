// SQL objects in the normalized text sql::read_sql_object gives (sql_object_reader_test proves
// each reads back to itself), for the operation cases and the random schemas, which link the
// core alone.
#pragma once

#include <string>

#include "retort/schema.hpp"

namespace retort::testing {

/// A plpgsql trigger function `schema.name()` returning NEW; `variant` changes its body only.
[[nodiscard]] sql_object touch_function(const std::string& schema = "public", const std::string& name = "touch", int variant = 0);
/// An SQL function `public.add_one(<parameter> integer) RETURNS integer`: renaming the
/// parameter changes its header (drop and create, not CREATE OR REPLACE).
[[nodiscard]] sql_object add_one_function(const std::string& parameter = "x");
/// A procedure `billing.archive(days integer)`.
[[nodiscard]] sql_object archive_procedure();
/// A row trigger `trg_touch` on `table` executing `function`, BEFORE UPDATE, or BEFORE INSERT.
[[nodiscard]] sql_object touch_trigger(const qualified_name& table, const qualified_name& function, bool on_insert = false);

}  // namespace retort::testing
