// The gRPC catch boundary: a throwing body is reported once and its call ends with a generic INTERNAL.

#include <atomic>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "exchange/grpc_boundary.h"

using vik::core::ErrorBoundary;

TEST_CASE("A throwing gRPC callback is reported as grpc_reactor and ends its call with a generic INTERNAL",
          "[exchange][boundary]") {
  std::atomic<int> reported{0};
  vik::core::SetInternalErrorObserver([&](ErrorBoundary where) {
    if (where == ErrorBoundary::kGrpcReactor) {
      ++reported;
    }
  });
  grpc::Status ended = grpc::Status::OK;
  int failed = 0;
  vik::exchange::GrpcBoundary(
      "/vik.v1.Test/Method", [] { throw std::runtime_error("database said: secret detail"); },
      [&](const grpc::Status& s) {
        ended = s;
        ++failed;
      });
  CHECK(failed == 1);
  CHECK(ended.error_code() == grpc::StatusCode::INTERNAL);
  CHECK(ended.error_message() == "internal error");
  CHECK(reported == 1);

  // A body that does not throw never calls `fail`; a `fail` that throws does not escape either.
  vik::exchange::GrpcBoundary("/vik.v1.Test/Method", [] {}, [&](const grpc::Status&) { ++failed; });
  CHECK(failed == 1);
  vik::exchange::GrpcBoundary(
      "/vik.v1.Test/Method", [] { throw 42; }, [](const grpc::Status&) { throw std::logic_error("again"); });
  CHECK(reported == 3);
  vik::core::SetInternalErrorObserver(nullptr);
}
