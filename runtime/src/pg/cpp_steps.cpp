// The registry of an application's C++ data steps.
#include "retort/pg/cpp_steps.hpp"

#include <fmt/format.h>

#include "retort/errors.hpp"

namespace retort::pg {

cpp_steps& cpp_steps::add(std::string id, cpp_step_function upgrade, cpp_step_function downgrade) {
  if (by_revision_.contains(id))
    throw error(fmt::format("the C++ data step of revision {} is registered twice", id));
  by_revision_.emplace(std::move(id), functions{std::move(upgrade), std::move(downgrade)});
  return *this;
}

const cpp_step_function* cpp_steps::find(std::string_view id, ops::cpp::function which) const {
  const auto it = by_revision_.find(id);
  if (it == by_revision_.end()) return nullptr;
  const cpp_step_function& f = which == ops::cpp::function::upgrade ? it->second.upgrade : it->second.downgrade;
  return f ? &f : nullptr;
}

std::vector<std::string> cpp_steps::ids() const {
  std::vector<std::string> out;
  for (const auto& [id, f] : by_revision_) out.push_back(id);
  return out;
}

}  // namespace retort::pg
