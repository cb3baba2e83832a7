#include "auth/tokens.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

#include "core/base64.h"

namespace vik::auth {
namespace {

std::string RandomBytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return out;
}

}  // namespace

std::string TokenDigest(std::string_view token) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(token.data(), token.size(), md.data(), &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("sha256 failed");
  }
  return std::string(reinterpret_cast<const char*>(md.data()), len);
}

NewToken GenerateToken() {
  NewToken t;
  t.id = "t" + core::HexEncode(RandomBytes(6));
  t.secret = "vik_" + t.id + "_" + core::Base64UrlEncode(RandomBytes(32));
  t.digest = TokenDigest(t.secret);
  return t;
}

core::Result<std::string> TokenId(std::string_view token) {
  if (token.size() < 20 || token.size() > 128 || token.substr(0, 4) != "vik_") {
    return core::InvalidArgument("malformed token (expected vik_<id>_<secret>)");
  }
  const auto sep = token.find('_', 4);
  if (sep == std::string_view::npos || sep == 4) {
    return core::InvalidArgument("malformed token (expected vik_<id>_<secret>)");
  }
  return std::string(token.substr(4, sep - 4));
}

bool DigestsEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace vik::auth
