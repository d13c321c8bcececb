// Hashing (OpenSSL's SHA-256): file checksums and stable name suffixes.
#pragma once

#include <string>
#include <string_view>

namespace retort {

/// SHA-256 of `bytes` as 64 lowercase hex digits.
[[nodiscard]] std::string sha256_hex(std::string_view bytes);

}  // namespace retort
