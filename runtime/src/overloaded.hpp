// The usual lambda-overload set for std::visit.
#pragma once

namespace retort {
template <class... F>
struct overloaded : F... {
  using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;
}  // namespace retort
