// Named constants in option values (`length = kMaxEmail`), evaluated by Clang where the model
// is declared: constexpr variables, static constexpr members and enumerators.
#pragma once

#include <string_view>

#include <clang/AST/ASTContext.h>
#include <clang/AST/DeclBase.h>

#include "annotation_parser.hpp"

namespace retort::scan {

/// The integer value of the constant `name` (`kMax`, `Limits::email`, `Size::large`,
/// `::app::kMax`), looked up as from inside `scope`: the scope and its bases, then each enclosing
/// namespace with the namespaces its using-directives name. Without a value, why not.
[[nodiscard]] constant_value evaluate_constant(std::string_view name, const clang::DeclContext& scope,
                                               const clang::ASTContext& ast);

}  // namespace retort::scan
