// Every operation kind applied to one small schema, with the exact SQL it renders to. The
// renderer's unit test checks the SQL; the PostgreSQL round trip executes each case up and down.
#pragma once

#include <string>
#include <vector>

#include "retort/ops.hpp"
#include "retort/schema.hpp"

namespace retort::testing {

/// users(id identity pk, email varchar(255) unique, status mood default, bio text null),
/// posts(id pk, user_id -> users.id, indexed), enum public.mood(happy, sad), schema billing.
[[nodiscard]] const schema& operation_base_schema();

struct operation_case {
  std::string name;
  ops::operation op;
  std::vector<std::string> sql;             ///< what pg::render gives for `op` applied to `before`
  schema before = operation_base_schema();  ///< where the operation applies
};

/// At least one case per alternative of ops::operation; every expression is in the form
/// PostgreSQL prints it, so introspection gives each `before` back exactly.
[[nodiscard]] std::vector<operation_case> operation_cases();

}  // namespace retort::testing
