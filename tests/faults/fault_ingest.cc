#include "faults/fault_ingest.h"

#include <catch2/catch.hpp>
#include <google/protobuf/util/time_util.h>

#include "support/process.h"

namespace vik::faults {

vik::v1::Signal FireSignal(const std::string& source, const std::string& external_id) {
  vik::v1::Signal s;
  s.set_source(source);
  s.set_external_id(external_id);
  s.set_msg_type(vik::v1::MSG_TYPE_ALERT);
  s.set_status(vik::v1::SIGNAL_STATUS_ACTUAL);
  s.set_kind(vik::v1::SIGNAL_KIND_INCIDENT);
  s.add_categories(vik::v1::CATEGORY_FIRE);
  s.set_theme("2.1");
  s.set_urgency(vik::v1::URGENCY_IMMEDIATE);
  s.set_severity(vik::v1::SEVERITY_SEVERE);
  s.set_certainty(vik::v1::CERTAINTY_OBSERVED);
  *s.mutable_sent_at() = google::protobuf::util::TimeUtil::GetCurrentTime();
  s.mutable_area()->add_municipalities("GM0796");
  s.set_headline("Brand in woning");
  return s;
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
