// http::HttpStatusFor (the one status table) and http::ErrorResponse.

#include <string>
#include <utility>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/status.h"
#include "http/http_status.h"
#include "http/message.h"

namespace vik::http {
namespace {

using core::StatusCode;

TEST_CASE("every status code maps to its documented HTTP status", "[http][status]") {
  const std::pair<StatusCode, unsigned> kTable[] = {
      {StatusCode::kOk, 200},
      {StatusCode::kCancelled, 499},
      {StatusCode::kUnknown, 500},
      {StatusCode::kInvalidArgument, 400},
      {StatusCode::kDeadlineExceeded, 504},
      {StatusCode::kNotFound, 404},
      {StatusCode::kAlreadyExists, 409},
      {StatusCode::kPermissionDenied, 403},
      {StatusCode::kResourceExhausted, 429},
      {StatusCode::kFailedPrecondition, 412},
      {StatusCode::kAborted, 409},
      {StatusCode::kOutOfRange, 410},
      {StatusCode::kUnimplemented, 501},
      {StatusCode::kInternal, 500},
      {StatusCode::kUnavailable, 503},
      {StatusCode::kDataLoss, 500},
      {StatusCode::kUnauthenticated, 401},
  };
  for (const auto& [code, http] : kTable) {
    INFO(core::StatusCodeName(code));
    CHECK(static_cast<unsigned>(HttpStatusFor(code)) == http);
  }
}

TEST_CASE("an out-of-range status code maps to 500", "[http][status]") {
  CHECK(HttpStatusFor(static_cast<StatusCode>(99)) == bhttp::status::internal_server_error);
}

TEST_CASE("an error response carries the code name and message as JSON", "[http][status]") {
  const Response res = ErrorResponse(core::NotFound("no signal \"abc\""));
  CHECK(res.result() == bhttp::status::not_found);
  CHECK(res[bhttp::field::content_type] == "application/json");
  CHECK(res[bhttp::field::cache_control] == "no-store");
  CHECK(res[bhttp::field::retry_after].empty());
  CHECK(res[bhttp::field::content_length] == std::to_string(res.body().size()));

  const auto body = nlohmann::json::parse(res.body());
  CHECK(body == nlohmann::json{{"code", "NOT_FOUND"}, {"message", "no signal \"abc\""}});
}

TEST_CASE("overload and unavailability answers tell the client when to retry", "[http][status]") {
  const Response busy = ErrorResponse(core::ResourceExhausted("the database pool is busy"));
  CHECK(busy.result() == bhttp::status::too_many_requests);
  CHECK(busy[bhttp::field::retry_after] == "1");

  const Response down = ErrorResponse(core::Unavailable("the database is unreachable"));
  CHECK(down.result() == bhttp::status::service_unavailable);
  CHECK(down[bhttp::field::retry_after] == "1");

  const Response other = ErrorResponse(core::Internal("bug"));
  CHECK(other[bhttp::field::retry_after].empty());
}

TEST_CASE("an error response with an explicit HTTP status keeps that status", "[http][status]") {
  const Response res = ErrorResponse(bhttp::status::payload_too_large, StatusCode::kInvalidArgument, "too big");
  CHECK(res.result() == bhttp::status::payload_too_large);
  CHECK(nlohmann::json::parse(res.body()).at("code") == "INVALID_ARGUMENT");
}

TEST_CASE("SetRetryAfter writes whole seconds", "[http][status]") {
  Response res = JsonResponse(bhttp::status::ok, "{}");
  SetRetryAfter(res, std::chrono::seconds(30));
  CHECK(res[bhttp::field::retry_after] == "30");
}

}  // namespace
}  // namespace vik::http
