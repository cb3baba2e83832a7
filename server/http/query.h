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
#include "domain/picture.h"

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

// The values of a parsed query, read the one way every route reads them (no route parses numbers
// itself): messages name the parameter and say what was expected.

// The query parameter `name`, or "" when absent.
std::string Param(const std::map<std::string, std::string>& params, const char* name);

// `value` as a decimal integer in [min, max]; INVALID_ARGUMENT "name: expected a number from min to
// max" otherwise. The one number parser of the query string (IntParam, cursors).
core::Result<int> ParseIntValue(std::string_view name, std::string_view value, int min, int max);

// The integer query parameter `name` in [min, max], `fallback` when absent; INVALID_ARGUMENT
// "name: expected a number from min to max" otherwise (also for an empty value when required).
core::Result<int> IntParam(const std::map<std::string, std::string>& params, const char* name, int fallback, int min,
                           int max);

// The query parameter "limit": `fallback` when absent; INVALID_ARGUMENT unless 1..`max`.
core::Result<int> LimitParam(const std::map<std::string, std::string>& params, int fallback, int max);

// The query parameter "picture": actual (also when absent) or exercise; INVALID_ARGUMENT otherwise.
core::Result<domain::Picture> PictureParam(const std::map<std::string, std::string>& params);

}  // namespace vik::http
