#pragma once

// Base64 (RFC 4648) encoding: standard alphabet with padding, and the URL-safe alphabet without.

#include <string>
#include <string_view>

namespace vik::core {

std::string Base64Encode(std::string_view bytes);
std::string Base64UrlEncode(std::string_view bytes);  // no padding
std::string HexEncode(std::string_view bytes);        // lower case

}  // namespace vik::core
