#pragma once

// Bearer token secrets. A token reads "vik_<id>_<secret>": the id is public (listings, audit), the
// secret is 32 random bytes (base64url). Only SHA-256 of the whole token is stored.

#include <string>
#include <string_view>

#include "core/result.h"

namespace vik::auth {

struct NewToken {
  std::string id;      // "t" + 12 hex digits
  std::string secret;  // the whole token, shown once
  std::string digest;  // raw SHA-256 of `secret`
};

NewToken GenerateToken();

// The id part of a well-formed token; INVALID_ARGUMENT otherwise (the message never echoes it).
core::Result<std::string> TokenId(std::string_view token);

std::string TokenDigest(std::string_view token);

// Constant-time comparison of two digests.
bool DigestsEqual(std::string_view a, std::string_view b);

}  // namespace vik::auth
