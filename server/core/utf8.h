#pragma once

// UTF-8 checks shared by the validators. Pure.

#include <string_view>

namespace vik::core {

// True when `s` is well-formed UTF-8: no stray continuation bytes, no overlong forms, no UTF-16
// surrogates, nothing above U+10FFFF.
bool IsValidUtf8(std::string_view s);

}  // namespace vik::core
