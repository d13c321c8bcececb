// The AST mapper (clang-doc's Mapper): finds the declarations a scan is about, annotated
// records and enums outside system headers, and nothing else.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/Attr.h>
#include <clang/AST/DeclCXX.h>

namespace retort::scan {

/// A Retort annotation found on a declaration: its kind ("table", "column", "enum", "value"),
/// the arguments' text after the "retort:<kind>:" prefix, and the attribute (for locations).
struct annotation {
  std::string_view kind;
  std::string_view text;
  const clang::AnnotateAttr* attr = nullptr;
};

/// A Retort annotation on a declaration that cannot carry it (RETORT_COLUMN on a static
/// member or a function, ...): an error at the declaration, never silently ignored.
struct misplaced_annotation {
  clang::SourceLocation at;  ///< the declaration's name
  std::string message;
};

/// Annotated declarations in source order.
struct found_declarations {
  std::vector<const clang::CXXRecordDecl*> tables;  ///< RETORT_TABLE definitions
  std::vector<const clang::EnumDecl*> enums;        ///< RETORT_ENUM definitions
  std::vector<const clang::CXXRecordDecl*> extensions;  ///< RETORT_EXTENSION's empty structs
  std::vector<const clang::CXXRecordDecl*> views;       ///< RETORT_VIEW definitions
  std::vector<const clang::CXXRecordDecl*> sequences = {};  ///< RETORT_SEQUENCE's empty structs
  std::vector<misplaced_annotation> misplaced;
  /// Where each Retort annotation the walk saw was written (its macro's expansion location):
  /// a RETORT_* macro expanded anywhere else (inside a function) was not seen.
  std::set<clang::SourceLocation::UIntTy> annotated_at;
};

/// Walks the translation unit, skipping system headers and function bodies.
[[nodiscard]] found_declarations find_declarations(clang::ASTContext& ast);

/// The declaration's "retort:<kind>:" annotation, if it has one.
[[nodiscard]] std::optional<annotation> find_annotation(const clang::Decl& decl, std::string_view kind);

}  // namespace retort::scan
