// The tokens of an annotation's arguments: what Clang's lexer read where the macro is called,
// without Clang types, so the annotation parser reads them and is tested without Clang.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace retort::scan {

/// One token of an annotation's arguments.
struct annotation_token {
  enum class kind {
    identifier,   ///< `cascade`, `kMaxEmail` (keywords too: `public` is an identifier here)
    string,       ///< an ordinary, u8 or raw string literal; `value` is its content
    number,       ///< an integer literal; `value` is its decimal value
    punctuation,  ///< `,` `=` `(` `)` `::` `-` and any other punctuator
    invalid,      ///< a literal Clang could not read (or not one an option takes); `value` says why
  };
  kind what = kind::punctuation;
  std::string spelling;     ///< as written, for messages: `"a\"b"`, `0x10`, `=`
  std::string value;        ///< string: decoded content; number: decimal value; invalid: the problem; else the spelling
  std::size_t offset = 0;   ///< where the token starts, in bytes from the producer's origin
  std::size_t problem_offset = 0;  ///< invalid: where the problem is (inside the token)
  friend bool operator==(const annotation_token&, const annotation_token&) = default;
};

/// The arguments of one annotation, in order.
struct annotation_tokens {
  std::vector<annotation_token> tokens;
  std::size_t end = 0;  ///< where the arguments end (the closing parenthesis): mistakes at the end point here
};

}  // namespace retort::scan
