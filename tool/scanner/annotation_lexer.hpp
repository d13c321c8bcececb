// The one lexer of annotations: Clang's, over the RETORT_* macro's arguments where they are
// written, with literals decoded by Clang's literal parsers. Its tokens are what the annotation
// parser reads and what every diagnostic about an annotation points into.
#pragma once

#include <cstddef>

#include <clang/AST/ASTContext.h>
#include <clang/Basic/SourceLocation.h>

#include "annotation_tokens.hpp"
#include "ast_mapper.hpp"

namespace retort::scan {

/// An annotation's tokens and the source locations their offsets stand for.
struct lexed_annotation {
  annotation_tokens tokens;
  clang::SourceLocation origin;  ///< where offset 0 is
  /// True when the tokens were read where the macro's arguments are written, so an offset is a
  /// column. False when they were not written in a file (another macro passed them on to
  /// RETORT_COLUMN, or the attribute was written by hand): the annotation's text was lexed and
  /// every offset stands for the macro's use, `origin`.
  bool spelled_in_file = true;

  /// The source location of byte `offset`.
  [[nodiscard]] clang::SourceLocation locate(std::size_t offset) const {
    return spelled_in_file ? origin.getLocWithOffset(static_cast<int>(offset)) : origin;
  }
};

/// Lexes the arguments of the RETORT_* macro that left `a`.
[[nodiscard]] lexed_annotation lex_annotation(const annotation& a, const clang::ASTContext& ast);

}  // namespace retort::scan
