#pragma once

// UTF-8 checks shared by the validators. Pure.

#include <cstddef>
#include <string>
#include <string_view>

namespace vik::core {

// True when `s` is well-formed UTF-8: no stray continuation bytes, no overlong forms, no UTF-16
// surrogates, nothing above U+10FFFF.
bool IsValidUtf8(std::string_view s);

// The length (1 to 4) of the well-formed UTF-8 sequence that starts at s[i], or 0 when the bytes
// there are not one (by the rules of IsValidUtf8). Requires i < s.size().
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i);

// `s` with each byte that does not start a well-formed sequence replaced by U+FFFD: valid UTF-8
// for any input, `s` itself when it is valid already.
std::string ValidUtf8(std::string_view s);

}  // namespace vik::core
