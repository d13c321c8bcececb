// Annotation lexer: a raw clang::Lexer from the RETORT_* macro's name to its closing parenthesis;
// string literals decoded by clang::StringLiteralParser and integers by NumericLiteralParser,
// whose own complaints (an unknown escape, a bad suffix) become the token's problem.
#include "annotation_lexer.hpp"

#include <optional>

#include <clang/AST/Attr.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/DiagnosticOptions.h>
#include <clang/Lex/Lexer.h>
#include <clang/Lex/LiteralSupport.h>
#include <fmt/format.h>
#include <llvm/ADT/APInt.h>
#include <llvm/ADT/SmallString.h>

namespace retort::scan {

namespace {

using token_kind = annotation_token::kind;

// Keeps the first complaint of Clang's literal parsers: its text and where it points.
class first_problem : public clang::DiagnosticConsumer {
 public:
  void HandleDiagnostic(clang::DiagnosticsEngine::Level level, const clang::Diagnostic& info) override {
    DiagnosticConsumer::HandleDiagnostic(level, info);
    if (level < clang::DiagnosticsEngine::Warning || message) return;
    llvm::SmallString<128> text;
    info.FormatDiagnostic(text);
    message = text.str().str();
    at = info.getLocation();
  }
  std::optional<std::string> message;
  clang::SourceLocation at;
};

// Turns raw tokens into annotation tokens, with offsets from the start of their file.
class token_reader {
 public:
  token_reader(const clang::SourceManager& sm, const clang::ASTContext& ast)
      : sm_(sm),
        ast_(ast),
        // The literal parsers report through an engine; this one only collects. Reporting reads
        // the SourceManager, never changes it.
        engine_(new clang::DiagnosticIDs(), new clang::DiagnosticOptions(), &problem_, /*ShouldOwnClient=*/false) {
    engine_.setSourceManager(const_cast<clang::SourceManager*>(&sm));
  }

  [[nodiscard]] std::size_t offset_of(clang::SourceLocation loc) const { return sm_.getFileOffset(loc); }

  annotation_token read(const clang::Token& t) {
    annotation_token out;
    out.offset = offset_of(t.getLocation());
    out.spelling = clang::Lexer::getSpelling(t, sm_, ast_.getLangOpts());
    out.value = out.spelling;
    switch (t.getKind()) {
      case clang::tok::raw_identifier:
        out.what = token_kind::identifier;
        break;
      case clang::tok::numeric_constant:
        number(t, out);
        break;
      case clang::tok::string_literal:
      case clang::tok::utf8_string_literal:
        string(t, out);
        break;
      case clang::tok::wide_string_literal:
      case clang::tok::utf16_string_literal:
      case clang::tok::utf32_string_literal:
        invalid(out, "only an ordinary or u8 string literal can be an option's value");
        break;
      case clang::tok::char_constant:
      case clang::tok::wide_char_constant:
      case clang::tok::utf8_char_constant:
      case clang::tok::utf16_char_constant:
      case clang::tok::utf32_char_constant:
        invalid(out, "a character literal cannot be an option's value; write a string literal");
        break;
      default:
        out.what = token_kind::punctuation;
        break;
    }
    return out;
  }

 private:
  void invalid(annotation_token& out, std::string why, std::optional<std::size_t> at = std::nullopt) {
    out.what = token_kind::invalid;
    out.value = std::move(why);
    out.problem_offset = at.value_or(out.offset);
  }

  // The parser's complaint, where it points (inside the token when it can tell).
  bool complained(annotation_token& out) {
    if (!problem_.message) return false;
    const bool located = problem_.at.isValid() && problem_.at.isFileID();
    invalid(out, *problem_.message, located ? std::optional(offset_of(problem_.at)) : std::nullopt);
    problem_.message.reset();
    return true;
  }

  void string(const clang::Token& t, annotation_token& out) {
    clang::StringLiteralParser literal(llvm::ArrayRef<clang::Token>(t), sm_, ast_.getLangOpts(), ast_.getTargetInfo(), &engine_);
    if (complained(out)) return;
    if (literal.hadError) return invalid(out, "invalid string literal");
    out.what = token_kind::string;
    out.value = literal.GetString().str();
  }

  void number(const clang::Token& t, annotation_token& out) {
    clang::NumericLiteralParser literal(out.spelling, t.getLocation(), sm_, ast_.getLangOpts(), ast_.getTargetInfo(),
                                        engine_);
    if (complained(out)) return;
    if (literal.hadError) return invalid(out, fmt::format("invalid number '{}'", out.spelling));
    if (!literal.isIntegerLiteral()) return invalid(out, fmt::format("'{}' is not an integer", out.spelling));
    llvm::APInt value(64, 0);
    if (literal.GetIntegerValue(value) || value.isNegative())
      return invalid(out, fmt::format("integer literal '{}' is too large", out.spelling));
    out.what = token_kind::number;
    out.value = std::to_string(value.getZExtValue());
  }

  const clang::SourceManager& sm_;
  const clang::ASTContext& ast_;
  first_problem problem_;
  clang::DiagnosticsEngine engine_;
};

// The tokens between `MACRO(` and its `)` when `macro_name` starts such a call in a file.
std::optional<annotation_tokens> macro_arguments(const clang::SourceManager& sm, const clang::ASTContext& ast,
                                                 clang::SourceLocation macro_name) {
  auto [file, offset] = sm.getDecomposedLoc(macro_name);
  bool invalid = false;
  const llvm::StringRef buffer = sm.getBufferData(file, &invalid);
  if (invalid) return std::nullopt;
  clang::Lexer lexer(sm.getLocForStartOfFile(file), ast.getLangOpts(), buffer.begin(), buffer.begin() + offset,
                     buffer.end());
  clang::Token t;
  lexer.LexFromRawLexer(t);
  if (!t.is(clang::tok::raw_identifier) || !t.getRawIdentifier().startswith("RETORT_")) return std::nullopt;
  lexer.LexFromRawLexer(t);
  if (!t.is(clang::tok::l_paren)) return std::nullopt;
  token_reader reader(sm, ast);
  annotation_tokens out;
  for (int depth = 0;;) {
    lexer.LexFromRawLexer(t);
    if (t.is(clang::tok::eof)) return std::nullopt;
    if (t.is(clang::tok::l_paren)) ++depth;
    if (t.is(clang::tok::r_paren) && depth-- == 0) break;
    out.tokens.push_back(reader.read(t));
  }
  out.end = reader.offset_of(t.getLocation());
  return out;
}

// The annotation's text itself, in a buffer of its own: for arguments no file spells.
annotation_tokens text_tokens(std::string_view text, const clang::ASTContext& ast) {
  const std::string content(text);  // the lexer reads up to a NUL after the end; it outlives `scratch`
  clang::SourceManagerForFile scratch("retort-annotation", content);
  const clang::SourceManager& sm = scratch.get();
  const clang::FileID file = sm.getMainFileID();
  const llvm::StringRef buffer = sm.getBufferData(file);
  clang::Lexer lexer(sm.getLocForStartOfFile(file), ast.getLangOpts(), buffer.begin(), buffer.begin(), buffer.end());
  token_reader reader(sm, ast);
  annotation_tokens out;
  for (clang::Token t; lexer.LexFromRawLexer(t), !t.is(clang::tok::eof);) out.tokens.push_back(reader.read(t));
  out.end = text.size();
  return out;
}

}  // namespace

lexed_annotation lex_annotation(const annotation& a, const clang::ASTContext& ast) {
  const clang::SourceManager& sm = ast.getSourceManager();
  const clang::SourceLocation at = a.attr->getLocation();
  if (at.isMacroID()) {
    // The macro whose expansion wrote the attribute: RETORT_COLUMN where the model calls it.
    const clang::SourceLocation macro_name = sm.getImmediateExpansionRange(at).getBegin();
    if (macro_name.isFileID())
      if (auto tokens = macro_arguments(sm, ast, macro_name))
        return {std::move(*tokens), sm.getLocForStartOfFile(sm.getFileID(macro_name)), true};
  }
  return {text_tokens(a.text, ast), sm.getExpansionLoc(at), false};
}

}  // namespace retort::scan
