// Serialize (clang-doc's Serialize): an annotated record becomes a Retort table and an enum
// class an enum type, each part paired with the source location that diagnostics point at.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/DeclCXX.h>

#include "annotation_parser.hpp"
#include "diagnostics.hpp"
#include "retort/schema.hpp"

namespace retort::scan {

/// A foreign key whose target is known only once every table is: resolve() completes it.
struct pending_foreign_key {
  std::vector<std::string> columns;
  reference target;
  fk_action on_delete = fk_action::no_action;
  fk_action on_update = fk_action::no_action;
  std::optional<std::string> name;
  clang::SourceLocation at;  ///< the `references` value
  deferral deferrable = deferral::not_deferrable;
};

/// Where a table's parts are declared; the vectors run parallel to the table's. Diagnostics
/// point at the names as spelled; the locations file points at the declarations.
struct table_origin {
  clang::SourceLocation table;  ///< the name in RETORT_TABLE, or the struct's name
  clang::SourceLocation record;  ///< the struct's name
  std::vector<clang::SourceLocation> columns;  ///< the `name` option, or the field's name
  std::vector<clang::SourceLocation> fields;   ///< the field's name (in the mixin, for an inherited one)
  clang::SourceLocation primary_key;
  std::vector<clang::SourceLocation> uniques;
  std::vector<clang::SourceLocation> indexes;
  std::vector<clang::SourceLocation> foreign_keys;  ///< filled by resolve()
  std::vector<clang::SourceLocation> checks;
  std::vector<clang::SourceLocation> exclusions = {};
  std::vector<clang::SourceLocation> policies = {};
};

/// A table as declared, before references between tables are resolved.
struct scanned_table {
  retort::table table;
  table_origin origin;
  std::vector<pending_foreign_key> foreign_keys;
};

/// An enum type and the declaration it comes from.
struct scanned_enum {
  enum_type type;
  const clang::EnumDecl* decl = nullptr;
  clang::SourceLocation at;  ///< the name in RETORT_ENUM, or the enum's name
  std::vector<clang::SourceLocation> values;  ///< parallel to type.values: the label in RETORT_VALUE, or the enumerator
};

/// An extension and where RETORT_EXTENSION names it.
struct scanned_extension {
  extension def;
  clang::SourceLocation at;
};

/// A view and where it is declared.
struct scanned_view {
  view def;
  clang::SourceLocation at;  ///< the name in RETORT_VIEW, or the struct's name
};

/// A sequence and where RETORT_SEQUENCE names it.
struct scanned_sequence {
  sequence def;
  clang::SourceLocation at;
};

/// What serializing one translation unit shares between declarations.
struct serialize_context {
  const clang::ASTContext& ast;
  diagnostics& diags;
  std::vector<scanned_enum> enums;  ///< every enum type a column uses, first use first
  std::vector<scanned_extension> extensions = {};  ///< every RETORT_EXTENSION, read before the tables
  std::vector<std::string> query_files = {};  ///< the views' query files read (absolute): the depfile lists them
  std::vector<scanned_sequence> sequences = {};    ///< every RETORT_SEQUENCE
};

/// The table a RETORT_TABLE record declares: its own and its bases' data members as
/// columns, constraints from column and table options. nullopt when the record cannot be a
/// table; mistakes in its parts are reported and the rest is still returned.
[[nodiscard]] std::optional<scanned_table> serialize_table(const clang::CXXRecordDecl& record, serialize_context& cx);

/// The view a RETORT_VIEW record declares: its members as columns (as a table's), its query
/// (from `query` or `query_file`) normalized, and the relations it reads. nullopt when the
/// record cannot be a view; every mistake is reported.
[[nodiscard]] std::optional<scanned_view> serialize_view(const clang::CXXRecordDecl& record, serialize_context& cx);

/// The extension a RETORT_EXTENSION declares, added to cx.extensions (mistakes reported).
void serialize_extension(const clang::CXXRecordDecl& decl, serialize_context& cx);

/// The sequence a RETORT_SEQUENCE declares, added to cx.sequences (mistakes reported).
void serialize_sequence(const clang::CXXRecordDecl& decl, serialize_context& cx);

/// The enum type of `decl` (named by RETORT_ENUM, else snake_case of the enum's name, in
/// `default_schema` unless RETORT_ENUM gives one), added to cx.enums on first use.
qualified_name serialize_enum(const clang::EnumDecl& decl, const std::string& default_schema, serialize_context& cx);

}  // namespace retort::scan
