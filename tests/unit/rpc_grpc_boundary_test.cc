// The gRPC catch boundary: a throwing body is reported once and its call ends with a generic INTERNAL;
// over a loopback server, a throwing method and a throwing completion both answer INTERNAL.

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <prometheus/registry.h>
#include <catch2/catch.hpp>

#include "core/readiness.h"
#include "rpc/grpc_boundary.h"
#include "rpc/grpc_server.h"
#include "vik/v1/exchange.grpc.pb.h"

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
  vik::rpc::GrpcBoundary(
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
  vik::rpc::GrpcBoundary(
      "/vik.v1.Test/Method", [] {}, [&](const grpc::Status&) { ++failed; });
  CHECK(failed == 1);
  vik::rpc::GrpcBoundary(
      "/vik.v1.Test/Method", [] { throw 42; }, [](const grpc::Status&) { throw std::logic_error("again"); });
  CHECK(reported == 3);
  vik::core::SetInternalErrorObserver(nullptr);
}

namespace {

// An ExchangeService whose GetRegionalStatus throws in the method itself and whose GetSnapshot
// throws in a completion run later on another thread (as the pool's tasks do).
class ThrowingService final : public vik::v1::ExchangeService::CallbackService {
 public:
  grpc::ServerUnaryReactor* GetRegionalStatus(grpc::CallbackServerContext*, const vik::v1::GetRegionalStatusRequest*,
                                              vik::v1::RegionalStatus*) override {
    throw std::runtime_error("boom in the method");
  }
  grpc::ServerUnaryReactor* GetSnapshot(grpc::CallbackServerContext* context, const vik::v1::GetSnapshotRequest*,
                                        vik::v1::Snapshot*) override {
    auto* reactor = context->DefaultReactor();
    threads_.emplace_back([reactor] {
      vik::rpc::GrpcUnaryBoundary("/vik.v1.ExchangeService/GetSnapshot", reactor,
                                  [] { throw std::runtime_error("boom in the completion"); });
    });
    return reactor;
  }
  ~ThrowingService() override {
    for (auto& t : threads_) {
      t.join();
    }
  }

 private:
  std::vector<std::thread> threads_;
};

}  // namespace

TEST_CASE("A gRPC method or completion that throws answers INTERNAL without internals and the server keeps serving",
          "[exchange][boundary][grpc]") {
  std::atomic<int> reported{0};
  vik::core::SetInternalErrorObserver([&](ErrorBoundary where) {
    if (where == ErrorBoundary::kGrpcReactor) {
      ++reported;
    }
  });
  prometheus::Registry registry;
  vik::core::ReadinessState readiness(1);
  ThrowingService service;
  {
    vik::rpc::GrpcOptions options;
    options.port = 0;
    vik::rpc::GrpcServer server(options, registry, readiness);
    server.AddService(&service, vik::v1::ExchangeService::service_full_name());
    REQUIRE(server.Start().ok());
    auto channel =
        grpc::CreateChannel("127.0.0.1:" + std::to_string(server.port()), grpc::InsecureChannelCredentials());
    auto stub = vik::v1::ExchangeService::NewStub(channel);
    for (int i = 0; i < 3; ++i) {
      grpc::ClientContext a;
      vik::v1::RegionalStatus status;
      const grpc::Status method = stub->GetRegionalStatus(&a, vik::v1::GetRegionalStatusRequest(), &status);
      CHECK(method.error_code() == grpc::StatusCode::INTERNAL);
      CHECK(method.error_message() == "internal error");
      grpc::ClientContext b;
      vik::v1::Snapshot snapshot;
      const grpc::Status completion = stub->GetSnapshot(&b, vik::v1::GetSnapshotRequest(), &snapshot);
      CHECK(completion.error_code() == grpc::StatusCode::INTERNAL);
      CHECK(completion.error_message() == "internal error");
    }
    CHECK(reported == 6);
    server.Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  }
  vik::core::SetInternalErrorObserver(nullptr);
}
