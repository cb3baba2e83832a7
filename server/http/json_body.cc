#include "http/json_body.h"

#include <string>

namespace vik::http {

core::Status CheckJsonDepth(std::string_view body, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return core::InvalidArgument("the body nests JSON deeper than " + std::to_string(max_depth) + " levels");
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return core::Status::Ok();
}

core::Result<nlohmann::json> ParseJsonObject(std::string_view body) {
  if (core::Status depth = CheckJsonDepth(body); !depth.ok()) {
    return depth;
  }
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return core::InvalidArgument("the body must be a JSON object");
  }
  return j;
}

}  // namespace vik::http
