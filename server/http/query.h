#pragma once

// Query strings: "a=1&b=x%20y" -> {"a": "1", "b": "x y"} (application/x-www-form-urlencoded: '+'
// is a space, %XX a byte). INVALID_ARGUMENT for a malformed escape, a repeated or unknown name
// (when `allowed` is given), or more than 32 parameters. Pure.

#include <map>
#include <set>
#include <string>
#include <string_view>

#include "core/result.h"

namespace vik::http {

core::Result<std::map<std::string, std::string>> ParseQuery(std::string_view query,
                                                            const std::set<std::string>& allowed = {});

}  // namespace vik::http
