// SHA-256 through OpenSSL's EVP interface.
#include "retort/hash.hpp"

#include <openssl/evp.h>

#include <array>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "retort/errors.hpp"

namespace retort {

std::string sha256_hex(std::string_view bytes) {
  // Fetched once: EVP_sha256() makes EVP_Digest look the algorithm up again on every call, which
  // costs more than hashing a small migration file.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (!sha256 || EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, sha256, nullptr) != 1)
    throw error("SHA-256 digest failed (OpenSSL EVP_Digest)");
  return fmt::format("{:02x}", fmt::join(digest.begin(), digest.begin() + length, ""));
}

}  // namespace retort
