#include "faults/fault_ingest.h"

#include <catch2/catch.hpp>

#include "support/process.h"
#include "support/sample_signals.h"

namespace vik::faults {

vik::v1::Signal FireSignal(const std::string& source, const std::string& external_id) {
  return vik::testing::FireIncidentProto(source, external_id, "Brand in woning");
}

std::unique_ptr<vik::v1::IngestService::Stub> IngestStub(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetInt("grpc.use_local_subchannel_pool", 1);
  return vik::v1::IngestService::NewStub(grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
}

SubmitReply Submit(vik::v1::IngestService::Stub& stub, const std::string& token,
                   const std::vector<vik::v1::Signal>& signals, std::chrono::seconds deadline) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + deadline);
  ctx.AddMetadata("authorization", "Bearer " + token);
  vik::v1::SubmitRequest req;
  for (const auto& s : signals) {
    *req.add_signals() = s;
  }
  SubmitReply reply;
  reply.status = stub.Submit(&ctx, req, &reply.response);
  return reply;
}

void WaitForToken(const std::string& target, const std::string& token) {
  auto stub = IngestStub(target);
  grpc::StatusCode last = grpc::StatusCode::OK;
  const bool loaded = vik::testing::WaitUntil(
      [&] {
        last = Submit(*stub, token, {}, std::chrono::seconds(2)).status.error_code();
        return last == grpc::StatusCode::INVALID_ARGUMENT;
      },
      std::chrono::seconds(15));
  INFO(target << ": last status code of the probe: " << last);
  REQUIRE(loaded);
}

}  // namespace vik::faults
