// The annotation lexer on real source (an AST built from a code string): Clang's tokens of the
// macro's arguments, literals decoded by Clang, offsets that are the tokens' own columns, and
// Clang's complaints about a literal as the token's problem.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include <clang/Frontend/ASTUnit.h>
#include <clang/Tooling/Tooling.h>

#include "annotation_lexer.hpp"
#include "ast_mapper.hpp"

namespace retort::scan {
namespace {

using kind = annotation_token::kind;

// A token as "kind value @line:column".
struct seen_token {
  kind what;
  std::string value;
  unsigned line;
  unsigned column;
  friend bool operator==(const seen_token&, const seen_token&) = default;
};

void PrintTo(const seen_token& t, std::ostream* os) {
  *os << static_cast<int>(t.what) << " '" << t.value << "' @" << t.line << ":" << t.column;
}

class lexed_code {
 public:
  explicit lexed_code(const std::string& code) {
    const std::vector<std::string> args{"-std=c++20", "-DRETORT_SCANNING=1", "-I" RETORT_RUNTIME_INCLUDE_DIR,
                                        "-resource-dir", RETORT_CLANG_RESOURCE_DIR};
    ast_ = clang::tooling::buildASTFromCodeWithArgs(code, args, "models.cpp");
  }

  // The first field's RETORT_COLUMN, lexed.
  lexed_annotation column() {
    const clang::CXXRecordDecl* table = find_declarations(ast_->getASTContext()).tables.at(0);
    const clang::FieldDecl* field = *table->field_begin();
    return lex_annotation(*find_annotation(*field, "column"), ast_->getASTContext());
  }

  std::vector<seen_token> seen(const lexed_annotation& a) const {
    std::vector<seen_token> out;
    const clang::SourceManager& sm = ast_->getSourceManager();
    for (const annotation_token& t : a.tokens.tokens) {
      const clang::PresumedLoc at = sm.getPresumedLoc(a.locate(t.what == kind::invalid ? t.problem_offset : t.offset));
      out.push_back({t.what, t.value, at.getLine(), at.getColumn()});
    }
    return out;
  }

 private:
  std::unique_ptr<clang::ASTUnit> ast_;
};

const std::string prelude = "#include <retort/model.hpp>\n";

TEST(AnnotationLexer, DecodesLiteralsWhereTheyAreWritten) {
  lexed_code code(prelude + R"cpp(struct RETORT_TABLE("t") T {
  RETORT_COLUMN(comment = "say \"hi\"\\" u8"ü" R"(a "raw" one)",  // a comment
                length = 0x10, backfill_batch = 1'000, name = Limits::n) int a;
};)cpp");
  const lexed_annotation a = code.column();
  EXPECT_TRUE(a.spelled_in_file);
  EXPECT_EQ(code.seen(a), (std::vector<seen_token>{
                              {kind::identifier, "comment", 3, 17},
                              {kind::punctuation, "=", 3, 25},
                              {kind::string, "say \"hi\"\\", 3, 27},
                              {kind::string, "ü", 3, 42},
                              {kind::string, "a \"raw\" one", 3, 49},
                              {kind::punctuation, ",", 3, 65},  // columns count bytes, as compilers do: ü is two
                              {kind::identifier, "length", 4, 17},
                              {kind::punctuation, "=", 4, 24},
                              {kind::number, "16", 4, 26},
                              {kind::punctuation, ",", 4, 30},
                              {kind::identifier, "backfill_batch", 4, 32},
                              {kind::punctuation, "=", 4, 47},
                              {kind::number, "1000", 4, 49},
                              {kind::punctuation, ",", 4, 54},
                              {kind::identifier, "name", 4, 56},
                              {kind::punctuation, "=", 4, 61},
                              {kind::identifier, "Limits", 4, 63},
                              {kind::punctuation, "::", 4, 69},
                              {kind::identifier, "n", 4, 71},
                          }));
}

// What Clang's literal parsers refuse is the token's problem, pointed at where Clang points.
TEST(AnnotationLexer, LiteralsClangRefusesCarryItsMessage) {
  lexed_code code(prelude + R"cpp(struct RETORT_TABLE("t") T {
  RETORT_COLUMN(a = "x\qy", b = 12abc, c = L"w", d = 'c', e = 1.5, f = 99999999999999999999) int a;
};)cpp");
  const auto seen = code.seen(code.column());
  std::vector<seen_token> invalid;
  for (const auto& t : seen)
    if (t.what == kind::invalid) invalid.push_back(t);
  EXPECT_EQ(invalid, (std::vector<seen_token>{
                         {kind::invalid, "unknown escape sequence '\\q'", 3, 23},
                         {kind::invalid, "invalid digit 'a' in decimal constant", 3, 35},
                         {kind::invalid, "only an ordinary or u8 string literal can be an option's value", 3, 44},
                         {kind::invalid, "a character literal cannot be an option's value; write a string literal", 3, 54},
                         {kind::invalid, "'1.5' is not an integer", 3, 63},
                         {kind::invalid, "integer literal '99999999999999999999' is too large", 3, 72},
                     }));
}

// Arguments another macro passes on are no file's text: the annotation's own text is lexed,
// and every token stands for the macro's use.
TEST(AnnotationLexer, ArgumentsFromAnotherMacroPointAtItsUse) {
  lexed_code code(prelude + R"cpp(#define EMAIL_COLUMN RETORT_COLUMN(length = 255, unique)
struct RETORT_TABLE("t") T {
  EMAIL_COLUMN std::string email;
};)cpp");
  const lexed_annotation a = code.column();
  EXPECT_FALSE(a.spelled_in_file);
  EXPECT_EQ(code.seen(a), (std::vector<seen_token>{
                              {kind::identifier, "length", 4, 3},
                              {kind::punctuation, "=", 4, 3},
                              {kind::number, "255", 4, 3},
                              {kind::punctuation, ",", 4, 3},
                              {kind::identifier, "unique", 4, 3},
                          }));
}

}  // namespace
}  // namespace retort::scan
