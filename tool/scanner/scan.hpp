// The scan: a parsed translation unit's annotated models become a schema (mapper, serialize,
// resolve), and the driver parses model headers with the models' own compile flags, as one
// synthetic translation unit with function bodies skipped.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <clang/AST/ASTContext.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/SourceLocation.h>

#include "resolve.hpp"
#include "retort/schema.hpp"

namespace retort::scan {

/// One expansion of RETORT_TABLE, RETORT_COLUMN, RETORT_ENUM or RETORT_VALUE outside system headers, as the
/// preprocessor saw it (also inside function bodies, which the parse skips).
struct macro_use {
  std::string name;                   ///< "RETORT_TABLE"
  clang::SourceLocation at;           ///< the macro's name where it is expanded
  bool retort_definition = true;      ///< defined by <retort/model.hpp>, not redefined
  clang::SourceLocation defined_at;   ///< the definition in force
};

/// Scans a parsed translation unit. Mistakes are reported through `engine`, whose client
/// must be inside a source file; nullopt when any was. `previous` is the replayed head.
/// `uses`, when given, are checked to have left an annotation on a declaration the scan read.
[[nodiscard]] std::optional<scanned_schema> scan_translation_unit(clang::ASTContext& ast, clang::DiagnosticsEngine& engine,
                                                                  const schema* previous,
                                                                  const std::vector<macro_use>& uses = {});

/// What to parse and how.
struct scan_request {
  std::vector<std::string> headers;          ///< model headers, included in this order
  std::vector<std::string> compile_flags;    ///< the models' flags (-I, -D, -std, ...); with build_dir, extra ones
  std::optional<std::string> build_dir;      ///< a directory holding compile_commands.json
  std::optional<std::string> source;         ///< its entry to take the flags from (default: the one nearest the headers)
  std::string resource_dir;                  ///< Clang's builtin headers, unless the flags give -resource-dir
  const schema* previous = nullptr;          ///< the replayed head, for the new NOT NULL column rule
};

/// What a scan produced.
struct scan_outcome {
  std::optional<scanned_schema> result;  ///< nullopt after any error (printed on stderr like a compiler's)
  std::vector<std::string> files;        ///< every file the parse read, sorted: the snapshot's dependencies
};

/// Parses the headers and scans them. Throws retort::error when no compile command can be
/// found for a build directory.
[[nodiscard]] scan_outcome scan_headers(const scan_request& request);

}  // namespace retort::scan
