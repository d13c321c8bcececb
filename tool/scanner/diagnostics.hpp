// Scanner diagnostics through Clang's own DiagnosticsEngine, so a mistake in a model prints
// like a compiler error: `file:line:col: error: message`, the source line and a caret.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <vector>
#include <string>
#include <string_view>
#include <utility>

#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/LangOptions.h>
#include <clang/Basic/SourceLocation.h>
#include <clang/Basic/SourceManager.h>

namespace clang {
class AnnotateAttr;
}

namespace retort::scan {

/// A Retort annotation found on a declaration: its kind ("table", "column", "enum"), the
/// arguments' text after the "retort:<kind>:" prefix, and the attribute (for locations).
struct annotation {
  std::string_view kind;
  std::string_view text;
  const clang::AnnotateAttr* attr = nullptr;
};

/// Reports errors and notes at source locations; counts the errors it reported. An error
/// already reported at the same place (a mixin's mistake seen from every table) is not repeated.
class diagnostics {
 public:
  diagnostics(clang::DiagnosticsEngine& engine, const clang::SourceManager& sm, const clang::LangOptions& lang)
      : engine_(engine), sm_(sm), lang_(lang) {}

  /// `file:line:col: error: message`
  void error(clang::SourceLocation loc, std::string_view message);
  /// `file:line:col: note: message`, attached to the error before it.
  void note(clang::SourceLocation loc, std::string_view message);
  /// An error at byte `offset` of an annotation's arguments.
  void error(const annotation& a, std::size_t offset, std::string_view message) { error(locate(a, offset), message); }

  /// Errors reported through this object.
  [[nodiscard]] int error_count() const { return errors_; }

  /// Where byte `offset` of the annotation's arguments is spelled: inside the macro's
  /// argument when the annotation comes from RETORT_TABLE/COLUMN/ENUM written in a file,
  /// else the annotation's expansion location.
  [[nodiscard]] clang::SourceLocation locate(const annotation& a, std::size_t offset) const;

  [[nodiscard]] const clang::SourceManager& source_manager() const { return sm_; }

 private:
  clang::DiagnosticsEngine& engine_;
  const clang::SourceManager& sm_;
  const clang::LangOptions& lang_;
  /// Where each token of an annotation's arguments is spelled, lexed once per annotation: an
  /// annotation with n options costs O(n) to lex however many locations are asked of it.
  struct spelled_token {
    clang::SourceLocation loc;
    std::size_t text_offset;  // where the token starts in the stringized arguments
    std::size_t length;
  };
  mutable std::map<const clang::AnnotateAttr*, std::vector<spelled_token>> tokens_;
  [[nodiscard]] const std::vector<spelled_token>& tokens_of(const annotation& a, clang::SourceLocation macro_name) const;
  int errors_ = 0;
  std::set<std::pair<clang::SourceLocation::UIntTy, std::string>> reported_;
  bool last_error_repeated_ = false;  // its notes are dropped with it
};

}  // namespace retort::scan
