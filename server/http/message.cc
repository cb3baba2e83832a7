#include "http/message.h"

#include <nlohmann/json.hpp>

#include "http/http_status.h"

namespace vik::http {

Response MakeResponse(bhttp::status status, std::string body, std::string_view content_type) {
  Response res{status, 11};
  res.set(bhttp::field::server, "vikd");
  res.set(bhttp::field::content_type, boost::beast::string_view(content_type.data(), content_type.size()));
  res.set(bhttp::field::cache_control, "no-store");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response JsonResponse(bhttp::status status, std::string json_body) {
  json_body += '\n';
  return MakeResponse(status, std::move(json_body), "application/json");
}

Response ErrorResponse(bhttp::status http_status, core::StatusCode code, std::string_view message) {
  nlohmann::json body = {{"code", core::StatusCodeName(code)}, {"message", message}};
  Response res = JsonResponse(http_status, body.dump());
  if (code == core::StatusCode::kUnavailable || code == core::StatusCode::kResourceExhausted) {
    SetRetryAfter(res, std::chrono::seconds(1));
  }
  return res;
}

Response ErrorResponse(const core::Status& status) {
  return ErrorResponse(HttpStatusFor(status.code()), status.code(), status.message());
}

void SetRetryAfter(Response& response, std::chrono::seconds after) {
  response.set(bhttp::field::retry_after, std::to_string(after.count()));
}

}  // namespace vik::http
