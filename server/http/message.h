#pragma once

// Request and response types shared by the HTTP server, the router and handlers.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <ostream>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "core/status.h"

namespace vik::http {

namespace bhttp = boost::beast::http;
using Response = bhttp::response<bhttp::string_body>;

struct Request {
  bhttp::request<bhttp::string_body> msg;
  std::string path;   // target without the query string
  std::string query;  // after '?', undecoded
  std::string remote_address;
};

// Completes a request: call exactly once, from any thread.
using Responder = std::function<void(Response)>;
// Handles one request; must not block (hand blocking work to the blocking pool).
using Handler = std::function<void(std::shared_ptr<const Request>, Responder)>;

// A response with `body` of `content_type`.
Response MakeResponse(bhttp::status status, std::string body, std::string_view content_type);
Response JsonResponse(bhttp::status status, std::string json_body);

// {"code":"NOT_FOUND","message":"..."} with the status mapped through http_status.h.
Response ErrorResponse(const core::Status& status);
// The same with an explicit HTTP status (for protocol-level errors such as 405 or 413).
Response ErrorResponse(bhttp::status http_status, core::StatusCode code, std::string_view message);

// Adds Retry-After (seconds) to overload and unavailability answers.
void SetRetryAfter(Response& response, std::chrono::seconds after);

}  // namespace vik::http
