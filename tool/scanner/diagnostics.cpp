// Diagnostics: custom Clang diagnostic IDs for Retort's messages, and the mapping from an
// offset in a stringized macro argument back to the file where the argument is spelled.
#include "diagnostics.hpp"

#include <vector>

#include <clang/AST/Attr.h>
#include <clang/Lex/Lexer.h>

namespace retort::scan {

void diagnostics::error(clang::SourceLocation loc, std::string_view message) {
  ++errors_;
  last_error_repeated_ = !reported_.emplace(loc.getRawEncoding(), std::string(message)).second;
  if (last_error_repeated_) return;
  unsigned id = engine_.getCustomDiagID(clang::DiagnosticsEngine::Error, "%0");
  engine_.Report(loc, id) << llvm::StringRef(message.data(), message.size());
}

void diagnostics::note(clang::SourceLocation loc, std::string_view message) {
  if (last_error_repeated_) return;
  unsigned id = engine_.getCustomDiagID(clang::DiagnosticsEngine::Note, "%0");
  engine_.Report(loc, id) << llvm::StringRef(message.data(), message.size());
}

namespace {

struct spelled_token {
  clang::SourceLocation loc;
  std::size_t text_offset;  // where the token starts in the stringized arguments
  std::size_t length;
};

// The tokens of `MACRO(arguments)` starting at `macro_name`, with their offsets in the
// argument text as `#__VA_ARGS__` spells it: one space wherever the source had whitespace
// or comments between two tokens. Empty when the text there is not such a macro call.
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
  std::vector<spelled_token> tokens = macro_argument_tokens(sm_, lang_, macro_name);
  // Lexing must reproduce the annotation's text exactly, else the offsets mean nothing.
  if (tokens.empty() || tokens.back().text_offset + tokens.back().length != a.text.size()) return macro_name;
  for (const spelled_token& t : tokens)
    if (offset < t.text_offset + t.length)
      return t.loc.getLocWithOffset(static_cast<int>(offset < t.text_offset ? 0 : offset - t.text_offset));
  return tokens.back().loc.getLocWithOffset(static_cast<int>(tokens.back().length));
}

}  // namespace retort::scan
