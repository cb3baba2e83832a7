// SIGTERM: readiness goes NOT_SERVING at once, listeners stop accepting, requests in flight finish,
// idle connections close, and the process exits 0 within the drain deadline.

#include <signal.h>

#include <grpcpp/grpcpp.h>
#include <catch2/catch.hpp>

#include "grpc/health/v1/health.grpc.pb.h"
#include "support/http_client.h"
#include "support/postgres.h"
#include "support/vikd.h"

using grpc::health::v1::HealthCheckResponse;

TEST_CASE("SIGTERM drains: the request in flight is answered, idle connections close, exit code 0", "[e2e][shutdown]") {
  vik::testing::FreshDatabase db;
  vik::testing::Vikd vikd(db.dsn(), {"--set", "runtime.drain_timeout=5s"});
  REQUIRE(vik::testing::WaitUntil([&] { return vik::testing::HttpGet(vikd.http_port(), "/readyz").status == 200; },
                                  std::chrono::seconds(10)));

  // A gRPC health watcher sees NOT_SERVING as soon as shutdown begins.
  auto stub =
      grpc::health::v1::Health::NewStub(grpc::CreateChannel(vikd.grpc_target(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  auto watch = stub->Watch(&ctx, grpc::health::v1::HealthCheckRequest());
  HealthCheckResponse update;
  REQUIRE(watch->Read(&update));
  REQUIRE(update.status() == HealthCheckResponse::SERVING);

  // In flight: the header is sent, the body is still on its way.
  vik::testing::RawConnection in_flight(vikd.http_port());
  in_flight.Send("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab");
  // Idle: a keep-alive connection between requests.
  vik::testing::RawConnection idle(vikd.http_port());
  idle.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE_THAT(idle.ReadAll(300), Catch::StartsWith("HTTP/1.1 200"));

  const auto start = std::chrono::steady_clock::now();
  vikd.process().Signal(SIGTERM);

  REQUIRE(watch->Read(&update));
  CHECK(update.status() == HealthCheckResponse::NOT_SERVING);
  CHECK(idle.ClosedByPeer(2000));

  // New connections are refused once the listener is closed.
  CHECK(vik::testing::WaitUntil(
      [&] {
        try {
          vik::testing::RawConnection late(vikd.http_port());
          return false;
        } catch (const std::exception&) {
          return true;
        }
      },
      std::chrono::seconds(2)));

  // The request in flight completes and is answered, with Connection: close.
  CHECK(vikd.process().running());
  in_flight.Send("cde");
  const std::string answer = in_flight.ReadAll(3000);
  CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 200"));
  CHECK_THAT(answer, Catch::Contains("Connection: close"));

  auto code = vikd.process().Wait(std::chrono::seconds(10));
  REQUIRE(code.has_value());
  CHECK(*code == 0);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  CHECK_THAT(vikd.process().Stderr(), Catch::Contains("msg=\"stopped\""));
}

TEST_CASE("a request that does not finish within the drain deadline is cut off and vikd still exits 0",
          "[e2e][shutdown]") {
  vik::testing::FreshDatabase db;
  vik::testing::Vikd vikd(db.dsn(), {"--set", "runtime.drain_timeout=500ms"});
  vik::testing::RawConnection stuck(vikd.http_port());
  stuck.Send("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto start = std::chrono::steady_clock::now();
  auto code = vikd.Terminate(std::chrono::seconds(10));
  REQUIRE(code.has_value());
  CHECK(*code == 0);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(4));
  CHECK(stuck.ClosedByPeer(1000));
  CHECK_THAT(vikd.process().Stderr(), Catch::Contains("forced_http_connections=1"));
}
