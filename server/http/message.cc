#include "http/message.h"

#include "core/logging.h"
#include "core/text.h"
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
  // Built by hand through the one escaping function: `message` often quotes what a client sent
  // (a path, a parameter), which need not be UTF-8; the body is valid JSON and UTF-8 regardless.
  std::string body = "{\"code\":";
  core::AppendJsonString(body, core::StatusCodeName(code));
  body += ",\"message\":";
  core::AppendJsonString(body, message);
  body += '}';
  Response res = JsonResponse(http_status, std::move(body));
  if (code == core::StatusCode::kUnavailable || code == core::StatusCode::kResourceExhausted) {
    SetRetryAfter(res, std::chrono::seconds(1));
  }
  return res;
}

Response ErrorResponse(const core::Status& status) { return ErrorResponse(status, false); }

Response ErrorResponse(const core::Status& status, bool from_store) {
  std::string message = ClientMessage(status, from_store);
  if (message != status.message()) {
    static auto log = core::ModuleLogger("http");
    core::LogWarn(*log, "error answered with a generic message",
                  {{"code", core::StatusCodeName(status.code())}, {"detail", status.message()}});
  }
  return ErrorResponse(HttpStatusFor(status.code()), status.code(), message);
}

void SetRetryAfter(Response& response, std::chrono::seconds after) {
  response.set(bhttp::field::retry_after, std::to_string(after.count()));
}

}  // namespace vik::http
