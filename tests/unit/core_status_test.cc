// core::Status, core::Result and StatusOf.

#include <string>
#include <utility>

#include <catch2/catch.hpp>

#include "core/result.h"
#include "core/status.h"

namespace vik::core {
namespace {

TEST_CASE("a default status is OK and renders as OK", "[core][status]") {
  const Status s;
  CHECK(s.ok());
  CHECK(s.code() == StatusCode::kOk);
  CHECK(s.message().empty());
  CHECK(s.ToString() == "OK");
  CHECK(Status::Ok().ok());
}

TEST_CASE("every status code has its canonical upper-case name", "[core][status]") {
  const std::pair<StatusCode, const char*> kNames[] = {
      {StatusCode::kOk, "OK"},
      {StatusCode::kCancelled, "CANCELLED"},
      {StatusCode::kUnknown, "UNKNOWN"},
      {StatusCode::kInvalidArgument, "INVALID_ARGUMENT"},
      {StatusCode::kDeadlineExceeded, "DEADLINE_EXCEEDED"},
      {StatusCode::kNotFound, "NOT_FOUND"},
      {StatusCode::kAlreadyExists, "ALREADY_EXISTS"},
      {StatusCode::kPermissionDenied, "PERMISSION_DENIED"},
      {StatusCode::kResourceExhausted, "RESOURCE_EXHAUSTED"},
      {StatusCode::kFailedPrecondition, "FAILED_PRECONDITION"},
      {StatusCode::kAborted, "ABORTED"},
      {StatusCode::kOutOfRange, "OUT_OF_RANGE"},
      {StatusCode::kUnimplemented, "UNIMPLEMENTED"},
      {StatusCode::kInternal, "INTERNAL"},
      {StatusCode::kUnavailable, "UNAVAILABLE"},
      {StatusCode::kDataLoss, "DATA_LOSS"},
      {StatusCode::kUnauthenticated, "UNAUTHENTICATED"},
  };
  for (const auto& [code, name] : kNames) {
    INFO("code " << static_cast<int>(code));
    CHECK(StatusCodeName(code) == name);
  }
}

TEST_CASE("an out-of-range status code is named UNKNOWN", "[core][status]") {
  CHECK(StatusCodeName(static_cast<StatusCode>(99)) == "UNKNOWN");
}

TEST_CASE("the helper constructors set the matching code and keep the message", "[core][status]") {
  const std::pair<Status, StatusCode> kCases[] = {
      {InvalidArgument("m"), StatusCode::kInvalidArgument},
      {NotFound("m"), StatusCode::kNotFound},
      {AlreadyExists("m"), StatusCode::kAlreadyExists},
      {PermissionDenied("m"), StatusCode::kPermissionDenied},
      {Unauthenticated("m"), StatusCode::kUnauthenticated},
      {ResourceExhausted("m"), StatusCode::kResourceExhausted},
      {FailedPrecondition("m"), StatusCode::kFailedPrecondition},
      {Aborted("m"), StatusCode::kAborted},
      {OutOfRange("m"), StatusCode::kOutOfRange},
      {Unavailable("m"), StatusCode::kUnavailable},
      {DeadlineExceeded("m"), StatusCode::kDeadlineExceeded},
      {Internal("m"), StatusCode::kInternal},
      {Unknown("m"), StatusCode::kUnknown},
      {Unimplemented("m"), StatusCode::kUnimplemented},
  };
  for (const auto& [status, code] : kCases) {
    INFO(status.ToString());
    CHECK_FALSE(status.ok());
    CHECK(status.code() == code);
    CHECK(status.message() == "m");
  }
}

TEST_CASE("ToString joins the code name and the message", "[core][status]") {
  CHECK(Unavailable("could not connect").ToString() == "UNAVAILABLE: could not connect");
}

TEST_CASE("WithContext prefixes the message and keeps the code", "[core][status]") {
  const Status s = NotFound("no such row").WithContext("loading instance \"a\"");
  CHECK(s.code() == StatusCode::kNotFound);
  CHECK(s.message() == "loading instance \"a\": no such row");

  const Status twice = s.WithContext("start-up");
  CHECK(twice.message() == "start-up: loading instance \"a\": no such row");
}

TEST_CASE("WithContext leaves an OK status OK and without a message", "[core][status]") {
  const Status s = Status::Ok().WithContext("ignored");
  CHECK(s.ok());
  CHECK(s.message().empty());
}

TEST_CASE("a result holding a value is OK and gives the value back", "[core][result]") {
  Result<std::string> r(std::string("hello"));
  REQUIRE(r.ok());
  CHECK(r.status().ok());
  CHECK(*r == "hello");
  CHECK(r->size() == 5);
  CHECK(std::move(r).value() == "hello");
}

TEST_CASE("a result holding an error exposes the status", "[core][result]") {
  const Result<int> r = Aborted("serialization failure");
  CHECK_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kAborted);
  CHECK(r.status().message() == "serialization failure");
}

TEST_CASE("StatusOf gives the status of both a Status and a Result", "[core][result]") {
  const Status plain = Internal("boom");
  const Result<int> failed = Unavailable("down");
  const Result<int> good = 7;
  CHECK(StatusOf(plain).code() == StatusCode::kInternal);
  CHECK(StatusOf(failed).code() == StatusCode::kUnavailable);
  CHECK(StatusOf(failed).message() == "down");
  CHECK(StatusOf(good).ok());
}

}  // namespace
}  // namespace vik::core
