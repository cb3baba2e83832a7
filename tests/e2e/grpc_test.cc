// vikd over gRPC: the standard health service follows readiness, and reflection lists services.

#include <grpcpp/grpcpp.h>
#include <catch2/catch.hpp>

#include "grpc/health/v1/health.grpc.pb.h"
#include "reflection_client.grpc.pb.h"
#include "support/http_client.h"
#include "support/postgres.h"
#include "support/vikd.h"

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

namespace {

std::shared_ptr<grpc::Channel> Channel(const vik::testing::Vikd& vikd) {
  return grpc::CreateChannel(vikd.grpc_target(), grpc::InsecureChannelCredentials());
}

HealthCheckResponse::ServingStatus Check(Health::Stub& stub, const std::string& service = "") {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  HealthCheckRequest req;
  req.set_service(service);
  HealthCheckResponse res;
  grpc::Status s = stub.Check(&ctx, req, &res);
  REQUIRE(s.ok());
  return res.status();
}

}  // namespace

TEST_CASE("gRPC health answers SERVING when ready, and Watch follows a database outage", "[e2e][grpc][slow]") {
  vik::testing::PrivatePostgres pg;
  vik::testing::Vikd vikd(pg.dsn());
  auto stub = Health::NewStub(Channel(vikd));
  REQUIRE(
      vik::testing::WaitUntil([&] { return Check(*stub) == HealthCheckResponse::SERVING; }, std::chrono::seconds(10)));

  grpc::ClientContext ctx;
  HealthCheckRequest req;
  auto reader = stub->Watch(&ctx, req);
  HealthCheckResponse update;
  REQUIRE(reader->Read(&update));
  CHECK(update.status() == HealthCheckResponse::SERVING);

  pg.Stop();
  REQUIRE(reader->Read(&update));
  CHECK(update.status() == HealthCheckResponse::NOT_SERVING);
  CHECK(Check(*stub) == HealthCheckResponse::NOT_SERVING);

  pg.Start();
  REQUIRE(reader->Read(&update));
  CHECK(update.status() == HealthCheckResponse::SERVING);

  ctx.TryCancel();
  reader->Finish().IgnoreError();
  CHECK(vikd.Terminate() == 0);
}

TEST_CASE("server reflection, when enabled, lists the health service so standard gRPC tools work", "[e2e][grpc]") {
  vik::testing::FreshDatabase db;
  vik::testing::Vikd vikd(db.dsn(), {"--set", "grpc.reflection=true"});
  auto stub = grpc::reflection::v1alpha::ServerReflection::NewStub(Channel(vikd));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  auto stream = stub->ServerReflectionInfo(&ctx);
  grpc::reflection::v1alpha::ServerReflectionRequest req;
  req.set_list_services("*");
  REQUIRE(stream->Write(req));
  grpc::reflection::v1alpha::ServerReflectionResponse res;
  REQUIRE(stream->Read(&res));
  std::vector<std::string> names;
  for (const auto& s : res.list_services_response().service()) {
    names.push_back(s.name());
  }
  CHECK_THAT(names, Catch::VectorContains(std::string("grpc.health.v1.Health")));
  CHECK_THAT(names, Catch::VectorContains(std::string("grpc.reflection.v1alpha.ServerReflection")));

  // The health service's descriptor is available too (what grpcurl needs to call it).
  grpc::reflection::v1alpha::ServerReflectionRequest describe;
  describe.set_file_containing_symbol("grpc.health.v1.Health");
  REQUIRE(stream->Write(describe));
  REQUIRE(stream->Read(&res));
  CHECK(res.file_descriptor_response().file_descriptor_proto_size() >= 1);
  stream->WritesDone();
  stream->Finish().IgnoreError();
}

TEST_CASE("gRPC calls are counted in the metrics by method and code", "[e2e][grpc]") {
  vik::testing::FreshDatabase db;
  vik::testing::Vikd vikd(db.dsn());
  auto stub = Health::NewStub(Channel(vikd));
  Check(*stub);
  auto metrics = vik::testing::HttpGet(vikd.http_port(), "/metrics").body;
  CHECK_THAT(metrics, Catch::Contains("vik_grpc_requests_total{code=\"OK\",method=\"/grpc.health.v1.Health/Check\"}"));
}
