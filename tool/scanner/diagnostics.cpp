// Diagnostics: custom Clang diagnostic IDs for Retort's messages, each reported once.
#include "diagnostics.hpp"


namespace retort::scan {

namespace {

// The message is the diagnostic's format text itself ('%' escaped): Clang 14 drops the bytes
// of a "%0" string argument that are not ASCII, so a name in UTF-8 printed as "".
std::string as_format(std::string_view message) {
  std::string format;
  for (char c : message) {
    if (c == '%') format += '%';
    format += c;
  }
  return format;
}

}  // namespace

void diagnostics::error(clang::SourceLocation loc, std::string_view message) {
  ++errors_;
  last_error_repeated_ = !reported_.emplace(loc.getRawEncoding(), std::string(message)).second;
  if (last_error_repeated_) return;
  engine_.Report(loc, engine_.getDiagnosticIDs()->getCustomDiagID(clang::DiagnosticIDs::Error, as_format(message)));
}

void diagnostics::note(clang::SourceLocation loc, std::string_view message) {
  if (last_error_repeated_) return;
  engine_.Report(loc, engine_.getDiagnosticIDs()->getCustomDiagID(clang::DiagnosticIDs::Note, as_format(message)));
}

}  // namespace retort::scan
