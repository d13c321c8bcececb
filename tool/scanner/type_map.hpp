// The C++ type -> column type map (BRIEF's table), read off Clang's types: builtins by
// size and signedness, library and Retort types by their qualified name.
#pragma once

#include <optional>

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/Type.h>

#include "retort/schema.hpp"

namespace retort::scan {

/// What a data member's type maps to.
struct mapped_type {
  std::optional<column_type> type;              ///< nullopt: no mapping
  bool nullable = false;                        ///< the member is a std::optional<T>
  const clang::EnumDecl* enum_decl = nullptr;   ///< the enum class of an enum_type column
  clang::QualType value_type;                   ///< T of std::optional<T>, else the type itself
};

/// Maps a data member's type. An enum class gives kind enum_type with `enum_decl` set and
/// the enum's SQL name left for the caller to fill in.
[[nodiscard]] mapped_type map_type(clang::QualType type, const clang::ASTContext& ast);

}  // namespace retort::scan
