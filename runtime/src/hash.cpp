// SHA-256 through OpenSSL's EVP interface.
#include "retort/hash.hpp"

#include <openssl/evp.h>

#include <array>
#include <iterator>

#include <fmt/format.h>

#include "retort/errors.hpp"

namespace retort {

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1)
    throw error("SHA-256 digest failed (OpenSSL EVP_Digest)");
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) fmt::format_to(std::back_inserter(hex), "{:02x}", digest[i]);
  return hex;
}

}  // namespace retort
