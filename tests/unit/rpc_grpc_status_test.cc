// rpc::ToGrpcStatus / rpc::FromGrpcStatus: the same code set, mapped 1:1.

#include <string>

#include <grpcpp/support/status.h>
#include <catch2/catch.hpp>

#include "core/status.h"
#include "rpc/grpc_status.h"

namespace vik::exchange {
namespace {

using core::StatusCode;

constexpr int kLastCode = static_cast<int>(StatusCode::kUnauthenticated);

TEST_CASE("every non-OK status survives a round trip through gRPC", "[exchange][grpc_status]") {
  for (int i = 1; i <= kLastCode; ++i) {
    const auto code = static_cast<StatusCode>(i);
    INFO(core::StatusCodeName(code));
    const core::Status original(code, "message for " + std::string(core::StatusCodeName(code)));
    const grpc::Status g = rpc::ToGrpcStatus(original);
    CHECK(static_cast<int>(g.error_code()) == i);
    CHECK(g.error_message() == original.message());
    const core::Status back = rpc::FromGrpcStatus(g);
    CHECK(back.code() == code);
    CHECK(back.message() == original.message());
  }
}

TEST_CASE("status codes carry the same meaning on both sides", "[exchange][grpc_status]") {
  CHECK(rpc::ToGrpcStatus(core::InvalidArgument("x")).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(rpc::ToGrpcStatus(core::Unavailable("x")).error_code() == grpc::StatusCode::UNAVAILABLE);
  CHECK(rpc::ToGrpcStatus(core::Unauthenticated("x")).error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK(rpc::ToGrpcStatus(core::Status(StatusCode::kDataLoss, "x")).error_code() == grpc::StatusCode::DATA_LOSS);
  CHECK(rpc::FromGrpcStatus(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "x")).code() ==
        StatusCode::kResourceExhausted);
  CHECK(rpc::FromGrpcStatus(grpc::Status(grpc::StatusCode::CANCELLED, "x")).code() == StatusCode::kCancelled);
}

TEST_CASE("OK maps to OK both ways", "[exchange][grpc_status]") {
  CHECK(rpc::ToGrpcStatus(core::Status::Ok()).ok());
  CHECK(rpc::FromGrpcStatus(grpc::Status::OK).ok());
}

TEST_CASE("a gRPC code outside the canonical set becomes UNKNOWN with its message", "[exchange][grpc_status]") {
  const core::Status s = rpc::FromGrpcStatus(grpc::Status(static_cast<grpc::StatusCode>(42), "from the future"));
  CHECK(s.code() == StatusCode::kUnknown);
  CHECK(s.message() == "from the future");
}

TEST_CASE("a status message that is not UTF-8 reaches gRPC as valid UTF-8 with the bad bytes replaced",
          "[exchange][grpc_status]") {
  // Found by messages_fuzz: SubmitCap's "element has no namespace" quoted a client's raw element name.
  const grpc::Status g = rpc::ToGrpcStatus(core::InvalidArgument("\xb2l1r-: element has no namespace"));
  CHECK(g.error_message() == "\xEF\xBF\xBDl1r-: element has no namespace");
  CHECK(rpc::ToGrpcStatus(core::InvalidArgument("café: fine")).error_message() == "café: fine");
}

}  // namespace
}  // namespace vik::exchange
