#pragma once

// The one way the HTTP routes read a JSON request body: the nesting depth is checked by a flat
// scan before any parser sees the text, so neither nlohmann::json nor protobuf's JSON parser (nor
// a later dump) recurses over untrusted depth. The size is bounded before that by the server
// (http.max_body_bytes, 413). Pure.

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "core/status.h"

namespace vik::http {

inline constexpr std::size_t kMaxJsonDepth = 64;

// OK when `body` nests arrays and objects at most `max_depth` deep (strings are skipped, so
// brackets inside them do not count); INVALID_ARGUMENT "the body nests JSON deeper than 64 levels"
// otherwise. Says nothing about whether `body` is otherwise valid JSON.
core::Status CheckJsonDepth(std::string_view body, std::size_t max_depth = kMaxJsonDepth);

// CheckJsonDepth, then the parse; INVALID_ARGUMENT "the body must be a JSON object" when it is not
// JSON (or not UTF-8) or not an object.
core::Result<nlohmann::json> ParseJsonObject(std::string_view body);

}  // namespace vik::http
