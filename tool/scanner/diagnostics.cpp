// Diagnostics: custom Clang diagnostic IDs for Retort's messages, and the mapping from an
// offset in a stringized macro argument back to the file where the argument is spelled.
#include "diagnostics.hpp"

#include <algorithm>
#include <vector>

#include <clang/AST/Attr.h>
#include <clang/Lex/Lexer.h>

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

namespace {

// The tokens of `MACRO(arguments)` starting at `macro_name`, with their offsets in the
// argument text as `#__VA_ARGS__` spells it: one space wherever the source had whitespace
// or comments between two tokens. Empty when the text there is not such a macro call.
template <class spelled_token>
std::vector<spelled_token> macro_argument_tokens(const clang::SourceManager& sm, const clang::LangOptions& lang,
                                                 clang::SourceLocation macro_name) {
  auto [file, offset] = sm.getDecomposedLoc(macro_name);
  bool invalid = false;
  llvm::StringRef buffer = sm.getBufferData(file, &invalid);
  if (invalid) return {};
  clang::Lexer lexer(sm.getLocForStartOfFile(file), lang, buffer.begin(), buffer.begin() + offset, buffer.end());
  clang::Token token;
  lexer.LexFromRawLexer(token);
  if (!token.is(clang::tok::raw_identifier) || !token.getRawIdentifier().startswith("RETORT_")) return {};
  lexer.LexFromRawLexer(token);
  if (!token.is(clang::tok::l_paren)) return {};
  std::vector<spelled_token> tokens;
  int depth = 0;
  std::size_t text_offset = 0;
  unsigned previous_end = sm.getFileOffset(token.getLocation()) + token.getLength();
  while (true) {
    lexer.LexFromRawLexer(token);
    if (token.is(clang::tok::eof)) return {};
    if (token.is(clang::tok::l_paren)) ++depth;
    if (token.is(clang::tok::r_paren) && depth-- == 0) break;
    unsigned start = sm.getFileOffset(token.getLocation());
    if (!tokens.empty() && start > previous_end) ++text_offset;
    tokens.push_back({token.getLocation(), text_offset, token.getLength()});
    text_offset += token.getLength();
    previous_end = start + token.getLength();
  }
  return tokens;
}

}  // namespace

clang::SourceLocation diagnostics::locate(const annotation& a, std::size_t offset) const {
  clang::SourceLocation loc = a.attr->getLocation();
  if (!loc.isMacroID()) return loc;
  clang::SourceLocation macro_name = sm_.getExpansionLoc(loc);
  const std::vector<spelled_token>& tokens = tokens_of(a, macro_name);
  // Lexing must reproduce the annotation's text exactly, else the offsets mean nothing.
  if (tokens.empty() || tokens.back().text_offset + tokens.back().length != a.text.size()) return macro_name;
  // The first token that ends after `offset`.
  auto t = std::upper_bound(tokens.begin(), tokens.end(), offset,
                            [](std::size_t o, const spelled_token& x) { return o < x.text_offset + x.length; });
  if (t == tokens.end()) return tokens.back().loc.getLocWithOffset(static_cast<int>(tokens.back().length));
  return t->loc.getLocWithOffset(static_cast<int>(offset < t->text_offset ? 0 : offset - t->text_offset));
}

const std::vector<diagnostics::spelled_token>& diagnostics::tokens_of(const annotation& a,
                                                                     clang::SourceLocation macro_name) const {
  auto it = tokens_.find(a.attr);
  if (it == tokens_.end()) it = tokens_.emplace(a.attr, macro_argument_tokens<spelled_token>(sm_, lang_, macro_name)).first;
  return it->second;
}

}  // namespace retort::scan
