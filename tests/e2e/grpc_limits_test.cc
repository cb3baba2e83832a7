// The gRPC surface and the stream quotas against a real vikd and PostgreSQL (issue 13): junk
// protobuf answered INVALID_ARGUMENT, made-up methods adding no metric series, per-partner quotas for
// SSE, WatchChanges and SubmitStream with slots freed as soon as a client leaves, revoked tokens
// ending their open streams, Health.Watch capped, reflection off unless enabled.

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <google/protobuf/util/time_util.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <catch2/catch.hpp>

#include "grpc/health/v1/health.grpc.pb.h"
#include "reflection_client.grpc.pb.h"
#include "support/admin_setup.h"
#include "support/http_client.h"
#include "support/postgres.h"
#include "support/process.h"
#include "support/sample_signals.h"
#include "support/vikd.h"
#include "vik/v1/exchange.grpc.pb.h"
#include "vik/v1/ingest.grpc.pb.h"

namespace {

using vik::testing::HttpCall;
using vik::testing::WaitUntil;

// Field 1, length-delimited, with a length varint that never ends: no protobuf message parses it.
const std::string kJunk = std::string("\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11);

// One vikd with two partners: "brandweer" (the noisy one) and "kcr2", each with read and ingest tokens.
struct Node {
  explicit Node(std::vector<std::string> extra = {}) {
    vik::testing::Admin(db.dsn(), {"migrate"});
    vik::testing::AddPartnerWithSource(db.dsn(), "brandweer", "brandweer-vr21");
    vik::testing::AddPartnerWithSource(db.dsn(), "kcr2", "kcr2-vr21");
    writer = vik::testing::IssueToken(db.dsn(), "brandweer", "ingest");
    reader = vik::testing::IssueToken(db.dsn(), "brandweer", "read");
    kcr2 = vik::testing::IssueToken(db.dsn(), "kcr2", "read,ingest");
    std::vector<std::string> args = {"--set", "auth.refresh_interval=200ms", "--set", "picture.interval=100ms",
                                     "--set", "streams.per_partner=2"};
    args.insert(args.end(), extra.begin(), extra.end());
    vikd = std::make_unique<vik::testing::Vikd>(db.dsn(), args);
    REQUIRE(WaitUntil([&] { return Get("/v1/changes", reader.secret).status == 200; }, std::chrono::seconds(15)));
    channel = grpc::CreateChannel(vikd->grpc_target(), grpc::InsecureChannelCredentials());
  }
  vik::testing::HttpReply Get(const std::string& target, const std::string& token) {
    return HttpCall(vikd->http_port(), "GET", target, "", {{"Authorization", "Bearer " + token}});
  }
  // One change in the log, so that an accepted stream from the start delivers at once.
  void PushOne(const std::string& id) {
    REQUIRE(vik::testing::PushAccepted(vikd->http_port(), writer.secret,
                                       nlohmann::json::array({vik::testing::IncidentSignal(id, "2.1", "GM0796")})));
  }
  std::string Metrics() { return HttpCall(vikd->http_port(), "GET", "/metrics").body; }

  vik::testing::FreshDatabase db;
  vik::testing::Token writer, reader, kcr2;
  std::unique_ptr<vik::testing::Vikd> vikd;
  std::shared_ptr<grpc::Channel> channel;
};

grpc::ByteBuffer Bytes(const std::string& s) {
  grpc::Slice slice(s);
  return grpc::ByteBuffer(&slice, 1);
}

// A call of `method` on raw bytes over a generic stub (as a bidi stream, which is wire-compatible
// with every kind of method): sends `messages`, half-closes, reads every reply, returns the status.
struct RawOutcome {
  grpc::Status status;
  int replies = 0;
};

RawOutcome RawCall(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                   const std::vector<std::string>& messages, const std::string& token = "") {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!token.empty()) {
    ctx.AddMetadata("authorization", "Bearer " + token);
  }
  auto call = stub.PrepareCall(&ctx, method, &cq);
  void* tag = nullptr;
  bool ok = false;
  auto step = [&](int id) {
    REQUIRE(cq.Next(&tag, &ok));
    REQUIRE(tag == reinterpret_cast<void*>(static_cast<std::intptr_t>(id)));
    return ok;
  };
  call->StartCall(reinterpret_cast<void*>(1));
  RawOutcome out;
  if (step(1)) {
    bool open = true;
    for (const auto& m : messages) {
      call->Write(Bytes(m), reinterpret_cast<void*>(2));
      if (!step(2)) {
        open = false;
        break;
      }
    }
    if (open) {
      call->WritesDone(reinterpret_cast<void*>(3));
      step(3);
    }
    grpc::ByteBuffer reply;
    for (;;) {
      call->Read(&reply, reinterpret_cast<void*>(4));
      if (!step(4)) {
        break;
      }
      ++out.replies;
    }
  }
  call->Finish(&out.status, reinterpret_cast<void*>(5));
  step(5);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return out;
}

std::string Describe(const grpc::Status& s) {
  return std::to_string(static_cast<int>(s.error_code())) + " " + s.error_message();
}

// A WatchChanges stream from the start of the log.
struct Watch {
  Watch(vik::v1::ExchangeService::Stub& stub, const std::string& token) {
    ctx.AddMetadata("authorization", "Bearer " + token);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    reader = stub.WatchChanges(&ctx, vik::v1::WatchChangesRequest());
  }
  // True when the stream delivered a change (accepted); false when it ended (see Finish).
  bool Delivers() {
    vik::v1::Change change;
    return reader->Read(&change);
  }
  grpc::Status End() {
    vik::v1::Change change;
    while (reader->Read(&change)) {
    }
    return reader->Finish();
  }
  grpc::ClientContext ctx;
  std::unique_ptr<grpc::ClientReader<vik::v1::Change>> reader;
};

std::string SseRequest(const std::string& token) {
  return "GET /v1/changes/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\n\r\n";
}

vik::v1::Signal StreamSignal(const std::string& source, const std::string& external_id) {
  return vik::testing::FireIncidentProto(source, external_id);
}

using SubmitStreamCall = grpc::ClientReaderWriter<vik::v1::SubmitStreamRequest, vik::v1::SubmitStreamResponse>;

// A SubmitStream that has had one signal accepted (so the server holds its slot), or ended.
struct Submitter {
  Submitter(vik::v1::IngestService::Stub& stub, const std::string& token) {
    ctx.AddMetadata("authorization", "Bearer " + token);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    stream = stub.SubmitStream(&ctx);
  }
  bool SubmitOne(const std::string& external_id) {
    vik::v1::SubmitStreamRequest req;
    *req.mutable_signal() = StreamSignal("brandweer-vr21", external_id);
    vik::v1::SubmitStreamResponse res;
    return stream->Write(req) && stream->Read(&res);
  }
  grpc::Status End() {
    vik::v1::SubmitStreamResponse res;
    while (stream->Read(&res)) {
    }
    return stream->Finish();
  }
  grpc::ClientContext ctx;
  std::unique_ptr<SubmitStreamCall> stream;
};

}  // namespace

TEST_CASE(
    "junk protobuf bytes to every RPC are answered INVALID_ARGUMENT, and a junk SubmitStream message ends the "
    "stream INVALID_ARGUMENT",
    "[e2e][grpc][limits]") {
  Node node;
  const std::vector<std::string> methods = {"/vik.v1.IngestService/Submit",
                                            "/vik.v1.IngestService/SubmitCap",
                                            "/vik.v1.ExchangeService/GetRegionalStatus",
                                            "/vik.v1.ExchangeService/ListChanges",
                                            "/vik.v1.ExchangeService/GetSnapshot",
                                            "/vik.v1.ExchangeService/GetNationalStatus",
                                            "/vik.v1.ExchangeService/PushChanges",
                                            "/vik.v1.ExchangeService/WatchChanges",
                                            "/grpc.health.v1.Health/Check",
                                            "/grpc.health.v1.Health/Watch"};
  for (const auto& method : methods) {
    for (const std::string& token : {std::string(), node.kcr2.secret}) {
      const RawOutcome out = RawCall(node.channel, method, {kJunk}, token);
      INFO(method << (token.empty() ? " without a token: " : " with a token: ") << Describe(out.status));
      CHECK(out.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
      CHECK_THAT(out.status.error_message(), Catch::Contains(method));
    }
  }
  // A valid signal, then junk: one receipt, and the stream ends INVALID_ARGUMENT (not OK).
  vik::v1::SubmitStreamRequest good;
  *good.mutable_signal() = StreamSignal("kcr2-vr21", "junk-after-1");
  const RawOutcome stream =
      RawCall(node.channel, "/vik.v1.IngestService/SubmitStream", {good.SerializeAsString(), kJunk}, node.kcr2.secret);
  INFO(Describe(stream.status));
  CHECK(stream.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK_THAT(stream.status.error_message(), Catch::Contains("message 1 is not a valid SubmitStreamRequest"));
  // The server is fine afterwards and counted the answers under the real method names.
  const RawOutcome fine = RawCall(node.channel, "/grpc.health.v1.Health/Check",
                                  {grpc::health::v1::HealthCheckRequest().SerializeAsString()});
  CHECK(fine.status.ok());
  CHECK_THAT(node.Metrics(), Catch::Contains("vik_grpc_requests_total{code=\"INVALID_ARGUMENT\",method=\"/vik.v1."
                                             "IngestService/Submit\"} 2"));
}

TEST_CASE("300 calls to made-up gRPC method names add no metric series: they count as method \"unknown\"",
          "[e2e][grpc][limits]") {
  Node node;
  REQUIRE(RawCall(node.channel, "/grpc.health.v1.Health/Check",
                  {grpc::health::v1::HealthCheckRequest().SerializeAsString()})
              .status.ok());
  auto series = [&] {
    const std::string text = node.Metrics();
    std::size_t n = 0;
    for (std::size_t at = text.find("\nvik_grpc_"); at != std::string::npos; at = text.find("\nvik_grpc_", at + 1)) {
      ++n;
    }
    return n;
  };
  const std::size_t before = series();
  for (int i = 0; i < 300; ++i) {
    const RawOutcome out =
        RawCall(node.channel, "/made.up.Service" + std::to_string(i) + "/Z" + std::to_string(i), {std::string()});
    REQUIRE(out.status.error_code() == grpc::StatusCode::UNIMPLEMENTED);
  }
  const std::string metrics = node.Metrics();
  CHECK_THAT(metrics, !Catch::Contains("made.up"));
  CHECK_THAT(metrics, Catch::Contains("vik_grpc_requests_total{code=\"UNIMPLEMENTED\",method=\"unknown\"} 300"));
  // One counter and one histogram (its buckets, sum and count) for "unknown": a fixed number, not 300.
  INFO("vik_grpc_ lines before " << before << ", after " << series());
  CHECK(series() <= before + 20);
}

TEST_CASE(
    "one partner at its WatchChanges quota does not lock out another, and a slot is free as soon as its "
    "client leaves",
    "[e2e][grpc][limits][quota]") {
  Node node;
  node.PushOne("w-1");
  auto stub = vik::v1::ExchangeService::NewStub(node.channel);
  Watch a(*stub, node.reader.secret);
  Watch b(*stub, node.reader.secret);
  REQUIRE(a.Delivers());
  REQUIRE(b.Delivers());
  Watch over(*stub, node.reader.secret);
  CHECK_FALSE(over.Delivers());
  const grpc::Status refused = over.End();
  INFO(Describe(refused));
  CHECK(refused.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK_THAT(refused.error_message(), Catch::Contains("streams.per_partner = 2"));
  bool retry_after = false;
  for (const auto& [k, v] : over.ctx.GetServerTrailingMetadata()) {
    retry_after = retry_after || (std::string(k.data(), k.size()) == "retry-after");
  }
  CHECK(retry_after);

  Watch other(*stub, node.kcr2.secret);
  CHECK(other.Delivers());

  // The client of `a` leaves; a new stream of the same partner is accepted at once.
  a.ctx.TryCancel();
  a.End();
  const auto left = std::chrono::steady_clock::now();
  bool accepted = false;
  while (!accepted && std::chrono::steady_clock::now() - left < std::chrono::seconds(2)) {
    Watch again(*stub, node.reader.secret);
    accepted = again.Delivers();
    again.ctx.TryCancel();
    again.End();
  }
  INFO("accepted after "
       << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - left).count()
       << " ms");
  CHECK(accepted);
  b.ctx.TryCancel();
  other.ctx.TryCancel();
}

TEST_CASE(
    "one partner at its SSE quota gets 429 naming it while another partner streams, and a closed connection "
    "frees its slot at once",
    "[e2e][grpc][limits][quota][sse]") {
  Node node;
  auto first = std::make_unique<vik::testing::RawConnection>(node.vikd->http_port());
  vik::testing::RawConnection second(node.vikd->http_port());
  first->Send(SseRequest(node.reader.secret));
  second.Send(SseRequest(node.reader.secret));
  CHECK_THAT(first->ReadAll(500), Catch::StartsWith("HTTP/1.1 200"));
  CHECK_THAT(second.ReadAll(500), Catch::StartsWith("HTTP/1.1 200"));
  const auto refused = node.Get("/v1/changes/stream", node.reader.secret);
  CHECK(refused.status == 429);
  CHECK_FALSE(refused.header("retry-after").empty());
  CHECK_THAT(refused.body, Catch::Contains("streams.per_partner = 2"));

  vik::testing::RawConnection other(node.vikd->http_port());
  other.Send(SseRequest(node.kcr2.secret));
  CHECK_THAT(other.ReadAll(500), Catch::StartsWith("HTTP/1.1 200"));

  first.reset();  // the client leaves without a word; no event is due for the next 15 s
  const auto left = std::chrono::steady_clock::now();
  std::string text;
  bool accepted = WaitUntil(
      [&] {
        vik::testing::RawConnection again(node.vikd->http_port());
        again.Send(SseRequest(node.reader.secret));
        text = again.ReadAll(200);
        return text.rfind("HTTP/1.1 200", 0) == 0;
      },
      std::chrono::seconds(2));
  INFO(text << " after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - left).count()
            << " ms");
  CHECK(accepted);
}

TEST_CASE("one partner at its SubmitStream quota is refused naming it while another partner submits",
          "[e2e][grpc][limits][quota]") {
  Node node;
  auto stub = vik::v1::IngestService::NewStub(node.channel);
  Submitter a(*stub, node.writer.secret);
  Submitter b(*stub, node.writer.secret);
  REQUIRE(a.SubmitOne("s-1"));
  REQUIRE(b.SubmitOne("s-2"));
  Submitter over(*stub, node.writer.secret);
  CHECK_FALSE(over.SubmitOne("s-3"));
  const grpc::Status refused = over.End();
  INFO(Describe(refused));
  CHECK(refused.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK_THAT(refused.error_message(), Catch::Contains("streams.per_partner = 2"));
  a.stream->WritesDone();
  CHECK(a.End().ok());
  // The server gives the slot back when the call is done (OnDone), a moment after the client saw the
  // status: a new stream is accepted within a second.
  int attempt = 0;
  const bool accepted = WaitUntil(
      [&] {
        Submitter again(*stub, node.writer.secret);
        const bool ok = again.SubmitOne("s-4-" + std::to_string(attempt++));
        again.stream->WritesDone();
        again.End().IgnoreError();
        return ok;
      },
      std::chrono::seconds(1));
  CHECK(accepted);
  b.stream->WritesDone();
  CHECK(b.End().ok());
}

TEST_CASE("a revoked token ends its open SSE stream, WatchChanges and SubmitStream within the refresh interval",
          "[e2e][grpc][limits][revocation]") {
  Node node;
  node.PushOne("r-1");
  const auto doomed = vik::testing::IssueToken(node.db.dsn(), "kcr2", "read,ingest");
  REQUIRE(WaitUntil([&] { return node.Get("/v1/changes", doomed.secret).status == 200; }, std::chrono::seconds(5)));
  auto exchange = vik::v1::ExchangeService::NewStub(node.channel);
  auto ingest = vik::v1::IngestService::NewStub(node.channel);
  Watch watch(*exchange, doomed.secret);
  REQUIRE(watch.Delivers());
  Submitter submit(*ingest, doomed.secret);
  vik::v1::SubmitStreamRequest req;
  *req.mutable_signal() = StreamSignal("kcr2-vr21", "rev-1");
  REQUIRE(submit.stream->Write(req));
  vik::v1::SubmitStreamResponse receipt;
  REQUIRE(submit.stream->Read(&receipt));
  vik::testing::RawConnection sse(node.vikd->http_port());
  sse.Send(SseRequest(doomed.secret));
  REQUIRE_THAT(sse.ReadAll(500), Catch::StartsWith("HTTP/1.1 200"));

  vik::testing::Admin(node.db.dsn(), {"token", "revoke", doomed.id});
  const auto revoked = std::chrono::steady_clock::now();
  const grpc::Status watch_end = watch.End();
  const grpc::Status submit_end = submit.End();
  const std::string sse_rest = sse.ReadAll(3000);
  const auto took = std::chrono::steady_clock::now() - revoked;
  INFO("watch: " << Describe(watch_end) << "; submit: " << Describe(submit_end) << "; sse: " << sse_rest);
  CHECK(watch_end.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK(submit_end.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK_THAT(sse_rest, Catch::Contains("event: error") && Catch::Contains("UNAUTHENTICATED"));
  CHECK(took < std::chrono::seconds(3));
  // A signal written after the revocation is not stored.
  CHECK(vik::testing::QueryValue(node.db.dsn(), "SELECT count(*) FROM signals WHERE external_id = 'rev-1'") == "1");
}

// Resident memory of a process in KiB (VmRSS).
long RssKiB(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stol(line.substr(6));
    }
  }
  return -1;
}

TEST_CASE("Health.Watch streams are capped, and closed ones give their place and memory back", "[e2e][grpc][limits]") {
  Node node;
  auto stub = grpc::health::v1::Health::NewStub(node.channel);
  constexpr int kCap = 64;  // grpc.max_health_watchers by default
  long rss_after_first = 0;
  constexpr int kRounds = 40;  // 2560 streams opened and closed in all
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
    std::vector<std::unique_ptr<grpc::ClientReader<grpc::health::v1::HealthCheckResponse>>> readers;
    // The places of the last round's streams come back as their cancellations arrive: each of the
    // cap's streams is accepted within two seconds.
    for (int i = 0; i < kCap; ++i) {
      const bool opened = WaitUntil(
          [&] {
            contexts.push_back(std::make_unique<grpc::ClientContext>());
            readers.push_back(stub->Watch(contexts.back().get(), grpc::health::v1::HealthCheckRequest()));
            grpc::health::v1::HealthCheckResponse update;
            if (readers.back()->Read(&update)) {
              return true;
            }
            readers.back()->Finish().IgnoreError();
            readers.pop_back();
            contexts.pop_back();
            return false;
          },
          std::chrono::seconds(2));
      INFO("round " << round << ", watch " << i);
      REQUIRE(opened);
    }
    grpc::ClientContext ctx;
    auto over = stub->Watch(&ctx, grpc::health::v1::HealthCheckRequest());
    grpc::health::v1::HealthCheckResponse update;
    CHECK_FALSE(over->Read(&update));
    const grpc::Status refused = over->Finish();
    CHECK(refused.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
    CHECK_THAT(refused.error_message(), Catch::Contains("grpc.max_health_watchers"));
    for (std::size_t i = 0; i < readers.size(); ++i) {
      contexts[i]->TryCancel();
      while (readers[i]->Read(&update)) {
      }
      readers[i]->Finish().IgnoreError();
    }
    if (round == 0) {
      rss_after_first = RssKiB(node.vikd->process().pid());
    }
  }
  const long rss_end = RssKiB(node.vikd->process().pid());
  INFO("vikd RSS after the first round " << rss_after_first << " KiB, after " << kRounds << " rounds " << rss_end
                                         << " KiB");
  CHECK(rss_end - rss_after_first < 8 * 1024);
}

TEST_CASE("server reflection is off unless grpc.reflection = true", "[e2e][grpc][limits]") {
  Node node;
  auto stub = grpc::reflection::v1alpha::ServerReflection::NewStub(node.channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  auto stream = stub->ServerReflectionInfo(&ctx);
  grpc::reflection::v1alpha::ServerReflectionRequest req;
  req.set_list_services("*");
  stream->Write(req);
  grpc::reflection::v1alpha::ServerReflectionResponse res;
  CHECK_FALSE(stream->Read(&res));
  CHECK(stream->Finish().error_code() == grpc::StatusCode::UNIMPLEMENTED);
}
