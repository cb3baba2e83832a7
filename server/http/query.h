#pragma once

// Query strings: "a=1&b=x%20y" -> {"a": "1", "b": "x y"} (application/x-www-form-urlencoded: '+'
// is a space, %XX a byte). INVALID_ARGUMENT for a malformed escape, a repeated or unknown name
// (when `allowed` is given), or more than 32 parameters. Names in `repeatable` may be given more than
// once ("theme=2&theme=3.1"): their values are joined with ',' ("2,3.1"). Pure.

#include <map>
#include <set>
#include <string>
#include <string_view>

#include "core/result.h"

namespace vik::http {

core::Result<std::map<std::string, std::string>> ParseQuery(std::string_view query,
                                                            const std::set<std::string>& allowed = {},
                                                            const std::set<std::string>& repeatable = {});

}  // namespace vik::http
