// The application's C++ data steps: functions registered by revision id, which the `cpp`
// operations of migration files run inside their revision's transaction when the application
// migrates itself (retort::migrate_to_head). The retort CLI registers none.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/transaction>

#include "retort/ops.hpp"

namespace retort::pg {

/// A C++ data step: gets the revision's open transaction (do not commit it); throws to fail
/// the revision, which is then rolled back whole.
using cpp_step_function = std::function<void(pqxx::work&)>;

/// The C++ data steps of an application, by revision id.
class cpp_steps {
 public:
  /// Registers the functions of revision `id` (its full id): `upgrade` runs at the cpp step of
  /// the revision's upgrade, `downgrade` at the one of its downgrade (empty when it has none).
  /// Throws retort::error when `id` is registered already. Returns *this, to chain.
  cpp_steps& add(std::string id, cpp_step_function upgrade, cpp_step_function downgrade = {});

  /// The function registered for `id`'s upgrade or downgrade; nullptr when there is none.
  [[nodiscard]] const cpp_step_function* find(std::string_view id, ops::cpp::function which) const;

  /// The registered revision ids, sorted.
  [[nodiscard]] std::vector<std::string> ids() const;

 private:
  struct functions {
    cpp_step_function upgrade, downgrade;
  };
  std::map<std::string, functions, std::less<>> by_revision_;
};

}  // namespace retort::pg
