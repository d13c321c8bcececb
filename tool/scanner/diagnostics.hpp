// Scanner diagnostics through Clang's own DiagnosticsEngine, so a mistake in a model prints
// like a compiler error: `file:line:col: error: message`, the source line and a caret.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/SourceLocation.h>
#include <clang/Basic/SourceManager.h>

namespace retort::scan {

/// Reports errors and notes at source locations; counts the errors it reported. An error
/// already reported at the same place (a mixin's mistake seen from every table) is not repeated.
class diagnostics {
 public:
  diagnostics(clang::DiagnosticsEngine& engine, const clang::SourceManager& sm) : engine_(engine), sm_(sm) {}

  /// `file:line:col: error: message`
  void error(clang::SourceLocation loc, std::string_view message);
  /// `file:line:col: note: message`, attached to the error before it.
  void note(clang::SourceLocation loc, std::string_view message);

  /// Errors reported through this object.
  [[nodiscard]] int error_count() const { return errors_; }

  [[nodiscard]] const clang::SourceManager& source_manager() const { return sm_; }

 private:
  clang::DiagnosticsEngine& engine_;
  const clang::SourceManager& sm_;
  int errors_ = 0;
  std::set<std::pair<clang::SourceLocation::UIntTy, std::string>> reported_;
  bool last_error_repeated_ = false;  // its notes are dropped with it
};

}  // namespace retort::scan
