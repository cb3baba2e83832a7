#pragma once

// The path and the query string of a request target, decoded and checked once where a request
// enters (the server does it before any handler runs), then matched against what a route accepts.
//
// Query strings: "a=1&b=x%20y" -> [("a", "1"), ("b", "x y")] (application/x-www-form-urlencoded:
// '+' is a space, %XX a byte). DecodeQuery refuses (INVALID_ARGUMENT, naming the parameter) a
// malformed escape, a name or value that is not UTF-8 or holds a control character (NUL included),
// and more than 32 parameters. ParseQuery then refuses a repeated or unknown name (when `allowed`
// is given); names in `repeatable` may be given more than once ("theme=2&theme=3.1"): their values
// are joined with ',' ("2,3.1"). Pure.

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace vik::http {

// Decoded (name, value) pairs in the order given.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::size_t kMaxQueryParams = 32;

core::Result<QueryParams> DecodeQuery(std::string_view query);

// The path of a target, percent-decoded ('+' stays '+'); INVALID_ARGUMENT ("path: ...") for a
// malformed escape, bytes that are not UTF-8 or a control character.
core::Result<std::string> DecodePath(std::string_view path);

core::Result<std::map<std::string, std::string>> ParseQuery(const QueryParams& params,
                                                            const std::set<std::string>& allowed = {},
                                                            const std::set<std::string>& repeatable = {});
// DecodeQuery, then ParseQuery.
core::Result<std::map<std::string, std::string>> ParseQuery(std::string_view query,
                                                            const std::set<std::string>& allowed = {},
                                                            const std::set<std::string>& repeatable = {});

}  // namespace vik::http
