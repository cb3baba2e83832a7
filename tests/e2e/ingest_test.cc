// Signal ingest end to end: the real vikd, set up through its admin commands, driven over gRPC and
// HTTP like a partner would, with the results checked in PostgreSQL.

#include <algorithm>
#include <atomic>
#include <latch>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/admin_setup.h"
#include "support/http_client.h"
#include "support/postgres.h"
#include "support/process.h"
#include "support/sample_signals.h"
#include "support/vikd.h"
#include "vik/v1/ingest.grpc.pb.h"

namespace {

using google::protobuf::util::TimeUtil;
using nlohmann::json;
using vik::testing::AddPartnerWithSource;
using vik::testing::Admin;
using vik::testing::FreshDatabase;
using vik::testing::HttpCall;
using vik::testing::IssueToken;
using vik::testing::QueryValue;
using vik::testing::RunVikd;
using vik::testing::Token;
using vik::testing::Vikd;
using vik::testing::WaitUntil;
using vik::v1::IngestService;
using vik::v1::Receipt;

constexpr const char* kPartner = "brandweer";
constexpr const char* kSource = "brandweer-vr21";
constexpr const char* kOtherPartner = "politie";
constexpr const char* kOtherSource = "politie-vr21";

// Credentials are reloaded every 200ms, so tokens issued or revoked during a test take effect fast.
const std::vector<std::string> kFastAuth = {"--set", "auth.refresh_interval=200ms"};

std::vector<std::string> With(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Migrates, registers partner "brandweer" with source "brandweer-vr21", and returns an ingest token.
Token SetUpIngest(const std::string& dsn) {
  Admin(dsn, {"migrate"});
  AddPartnerWithSource(dsn, kPartner, kSource);
  return IssueToken(dsn, kPartner);
}

vik::v1::Signal MakeSignal(const std::string& external_id, const std::string& headline = "Brand in woning",
                           const std::string& source = kSource) {
  return vik::testing::FireIncidentProto(source, external_id, headline);
}

// The same signal in the protobuf JSON mapping, written out by hand as a partner would.
json SignalJson(const std::string& external_id, const std::string& headline = "Brand in woning",
                const std::string& source = kSource) {
  return {{"source", source},
          {"externalId", external_id},
          {"msgType", "MSG_TYPE_ALERT"},
          {"status", "SIGNAL_STATUS_ACTUAL"},
          {"kind", "SIGNAL_KIND_INCIDENT"},
          {"categories", json::array({"CATEGORY_FIRE"})},
          {"theme", "2.1"},
          {"urgency", "URGENCY_IMMEDIATE"},
          {"severity", "SEVERITY_SEVERE"},
          {"certainty", "CERTAINTY_OBSERVED"},
          {"sentAt", TimeUtil::ToString(TimeUtil::GetCurrentTime())},
          {"area", {{"municipalities", json::array({"GM0796"})}}},
          {"headline", headline}};
}

std::string SubmitJson(const std::vector<json>& signals) { return json{{"signals", signals}}.dump(); }

std::unique_ptr<IngestService::Stub> Stub(const Vikd& vikd) {
  // A channel of its own (its own connection), so that stubs in different threads really run in parallel.
  grpc::ChannelArguments args;
  args.SetInt("grpc.use_local_subchannel_pool", 1);
  return IngestService::NewStub(
      grpc::CreateCustomChannel(vikd.grpc_target(), grpc::InsecureChannelCredentials(), args));
}

struct SubmitReply {
  grpc::Status status;
  vik::v1::SubmitResponse response;
  std::string retry_after;  // trailing metadata, "" when absent
};

SubmitReply Submit(IngestService::Stub& stub, const std::string& token, const std::vector<vik::v1::Signal>& signals,
                   std::chrono::seconds deadline = std::chrono::seconds(10)) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + deadline);
  if (!token.empty()) {
    ctx.AddMetadata("authorization", "Bearer " + token);
  }
  vik::v1::SubmitRequest req;
  for (const auto& s : signals) {
    *req.add_signals() = s;
  }
  SubmitReply reply;
  reply.status = stub.Submit(&ctx, req, &reply.response);
  const auto& trailing = ctx.GetServerTrailingMetadata();
  if (auto it = trailing.find("retry-after"); it != trailing.end()) {
    reply.retry_after = std::string(it->second.data(), it->second.size());
  }
  return reply;
}

// Waits until vikd has loaded `token` (an empty batch then gets past authentication and fails
// validation or the scope check instead). Stores nothing.
void WaitForToken(IngestService::Stub& stub, const std::string& token) {
  grpc::StatusCode last = grpc::StatusCode::OK;
  const bool loaded = WaitUntil(
      [&] {
        last = Submit(stub, token, {}, std::chrono::seconds(2)).status.error_code();
        return last == grpc::StatusCode::INVALID_ARGUMENT || last == grpc::StatusCode::PERMISSION_DENIED;
      },
      std::chrono::seconds(15));
  INFO("last status code of the probe: " << last);
  REQUIRE(loaded);
}

std::string OutcomeName(vik::v1::ReceiptOutcome o) { return vik::v1::ReceiptOutcome_Name(o); }

std::string Describe(const Receipt& r) {
  std::string out = "receipt " + std::to_string(r.index()) + " (" + r.source() + ", " + r.external_id() +
                    "): " + OutcomeName(r.outcome()) + " " + r.signal_id();
  if (r.has_error()) {
    out += " [" + r.error().code() + ": " + r.error().message() + "]";
  }
  return out;
}

std::string Describe(const grpc::Status& s) {
  return "gRPC status " + std::to_string(s.error_code()) + ": " + s.error_message();
}

std::string Count(const std::string& dsn, const std::string& where = "true") {
  return QueryValue(dsn, "SELECT count(*) FROM signals WHERE " + where);
}

std::string StoredId(const std::string& dsn, const std::string& external_id, const std::string& source = kSource) {
  return QueryValue(dsn,
                    "SELECT id FROM signals WHERE source = '" + source + "' AND external_id = '" + external_id + "'");
}

std::map<std::string, std::string> HttpHeaders(const std::string& token,
                                               const std::string& content_type = "application/json") {
  std::map<std::string, std::string> h = {{"Content-Type", content_type}};
  if (!token.empty()) {
    h["Authorization"] = "Bearer " + token;
  }
  return h;
}

}  // namespace

TEST_CASE("a submitted signal is stored and acknowledged, and resubmitting it returns the same id as DUPLICATE",
          "[e2e][ingest]") {
  FreshDatabase db;
  const Token token = SetUpIngest(db.dsn());
  Vikd vikd(db.dsn(), kFastAuth);
  auto stub = Stub(vikd);
  WaitForToken(*stub, token.secret);

  const auto signal = MakeSignal("inc-1");
  auto first = Submit(*stub, token.secret, {signal});
  INFO(Describe(first.status));
  REQUIRE(first.status.ok());
  REQUIRE(first.response.receipts_size() == 1);
  const Receipt& accepted = first.response.receipts(0);
  INFO(Describe(accepted));
  CHECK(accepted.index() == 0);
  CHECK(accepted.source() == kSource);
  CHECK(accepted.external_id() == "inc-1");
  CHECK(accepted.outcome() == vik::v1::RECEIPT_OUTCOME_ACCEPTED);
  CHECK_FALSE(accepted.signal_id().empty());
  CHECK(accepted.has_received_at());
  CHECK_FALSE(accepted.has_error());

  CHECK(StoredId(db.dsn(), "inc-1") == accepted.signal_id());
  CHECK(QueryValue(db.dsn(), "SELECT headline FROM signals WHERE external_id = 'inc-1'") == "Brand in woning");
  CHECK(QueryValue(db.dsn(), "SELECT partner FROM signals WHERE external_id = 'inc-1'") == kPartner);

  auto again = Submit(*stub, token.secret, {signal});
  REQUIRE(again.status.ok());
  REQUIRE(again.response.receipts_size() == 1);
  const Receipt& duplicate = again.response.receipts(0);
  INFO(Describe(duplicate));
  CHECK(duplicate.outcome() == vik::v1::RECEIPT_OUTCOME_DUPLICATE);
  CHECK(duplicate.signal_id() == accepted.signal_id());
  CHECK(duplicate.received_at().seconds() == accepted.received_at().seconds());
  CHECK(Count(db.dsn()) == "1");

  // Every call is audited with its counts, attributed to the token, never to its secret.
  // Audit records follow the answer in the writer's next transaction.
  CHECK(WaitUntil(
      [&] {
        return QueryValue(db.dsn(),
                          "SELECT count(*) FROM audit_log WHERE action = 'ingest.submit' "
                          "AND object->>'signals' = '1'") == "2";
      },
      std::chrono::seconds(5)));
  CHECK(QueryValue(db.dsn(),
                   "SELECT count(*) FROM audit_log WHERE action = 'ingest.submit' AND "
                   "object->>'accepted' = '1' AND actor LIKE '%" +
                       token.id + "%'") == "1");
  CHECK(QueryValue(db.dsn(),
                   "SELECT count(*) FROM audit_log WHERE action = 'ingest.submit' AND "
                   "object->>'duplicate' = '1'") == "1");
  const std::string secret_part = token.secret.substr(4 + token.id.size() + 1);
  CHECK(QueryValue(db.dsn(), "SELECT count(*) FROM audit_log WHERE strpos(actor || origin || object::text, '" +
                                 secret_part + "') > 0") == "0");
}

TEST_CASE("the same key with different content is rejected as ALREADY_EXISTS and the stored signal is kept",
          "[e2e][ingest]") {
  FreshDatabase db;
  const Token token = SetUpIngest(db.dsn());
  Vikd vikd(db.dsn(), kFastAuth);
  auto stub = Stub(vikd);
  WaitForToken(*stub, token.secret);

  auto first = Submit(*stub, token.secret, {MakeSignal("inc-2", "Brand in woning")});
  REQUIRE(first.status.ok());
  REQUIRE(first.response.receipts(0).outcome() == vik::v1::RECEIPT_OUTCOME_ACCEPTED);

  auto edited = Submit(*stub, token.secret, {MakeSignal("inc-2", "Brand in fabriek")});
  INFO(Describe(edited.status));
  REQUIRE(edited.status.ok());
  REQUIRE(edited.response.receipts_size() == 1);
  const Receipt& r = edited.response.receipts(0);
  INFO(Describe(r));
  CHECK(r.outcome() == vik::v1::RECEIPT_OUTCOME_REJECTED);
  CHECK(r.error().code() == "ALREADY_EXISTS");
  CHECK_THAT(r.error().message(), Catch::Contains(first.response.receipts(0).signal_id()));

  CHECK(Count(db.dsn()) == "1");
  CHECK(QueryValue(db.dsn(), "SELECT headline FROM signals WHERE external_id = 'inc-2'") == "Brand in woning");
  CHECK(StoredId(db.dsn(), "inc-2") == first.response.receipts(0).signal_id());
}

TEST_CASE("an invalid signal is rejected with its field path while its neighbours in the batch are accepted",
          "[e2e][ingest]") {
  FreshDatabase db;
  const Token token = SetUpIngest(db.dsn());
  Vikd vikd(db.dsn(), kFastAuth);
  auto stub = Stub(vikd);
  WaitForToken(*stub, token.secret);

  auto invalid = MakeSignal("mix-2");
  invalid.mutable_area()->set_municipalities(0, "GM9999");  // not a municipality of VR21
  auto reply = Submit(*stub, token.secret, {MakeSignal("mix-1"), invalid, MakeSignal("mix-3")});
  INFO(Describe(reply.status));
  REQUIRE(reply.status.ok());
  REQUIRE(reply.response.receipts_size() == 3);
  for (int i = 0; i < 3; ++i) {
    INFO(Describe(reply.response.receipts(i)));
    CHECK(reply.response.receipts(i).index() == i);
  }
  const Receipt& bad = reply.response.receipts(1);
  INFO(Describe(bad));
  CHECK(reply.response.receipts(0).outcome() == vik::v1::RECEIPT_OUTCOME_ACCEPTED);
  CHECK(reply.response.receipts(2).outcome() == vik::v1::RECEIPT_OUTCOME_ACCEPTED);
  CHECK(bad.outcome() == vik::v1::RECEIPT_OUTCOME_REJECTED);
  CHECK(bad.signal_id().empty());
  CHECK(bad.error().code() == "INVALID_ARGUMENT");
  CHECK_THAT(bad.error().message(), Catch::Contains("signals[1].area.municipalities[0]"));
  REQUIRE(bad.error().violations_size() >= 1);
  // Field paths start with the signal's position in the call (docs/api.md, "Field paths").
  CHECK(bad.error().violations(0).field() == "signals[1].area.municipalities[0]");
  CHECK_THAT(bad.error().violations(0).description(), Catch::Contains("GM9999"));

  CHECK(Count(db.dsn()) == "2");
  CHECK(StoredId(db.dsn(), "mix-1") == reply.response.receipts(0).signal_id());
  CHECK(StoredId(db.dsn(), "mix-3") == reply.response.receipts(2).signal_id());
  CHECK(StoredId(db.dsn(), "mix-2").empty());
}

TEST_CASE("calls without a valid token are UNAUTHENTICATED and store nothing", "[e2e][ingest]") {
  FreshDatabase db;
  const Token token = SetUpIngest(db.dsn());
  Vikd vikd(db.dsn(), kFastAuth);
  auto stub = Stub(vikd);
  WaitForToken(*stub, token.secret);

  auto none = Submit(*stub, "", {MakeSignal("auth-1")});
  INFO(Describe(none.status));
  CHECK(none.status.error_code() == grpc::StatusCode::UNAUTHENTICATED);

  // A well-formed token that was never issued, and the real token's id with a different secret.
  auto unknown = Submit(*stub, "vik_t000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", {MakeSignal("auth-1")});
  INFO(Describe(unknown.status));
  CHECK(unknown.status.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  std::string forged = token.secret;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  auto wrong = Submit(*stub, forged, {MakeSignal("auth-1")});
  INFO(Describe(wrong.status));
  CHECK(wrong.status.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  auto garbage = Submit(*stub, "not-a-token", {MakeSignal("auth-1")});
  CHECK(garbage.status.error_code() == grpc::StatusCode::UNAUTHENTICATED);

  // A stream without a token ends before reading anything.
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto stream = stub->SubmitStream(&ctx);
  vik::v1::SubmitStreamRequest req;
  *req.mutable_signal() = MakeSignal("auth-2");
  stream->Write(req);
  stream->WritesDone();
  vik::v1::SubmitStreamResponse res;
  CHECK_FALSE(stream->Read(&res));
  auto status = stream->Finish();
  INFO(Describe(status));
  CHECK(status.error_code() == grpc::StatusCode::UNAUTHENTICATED);

  CHECK(Count(db.dsn()) == "0");
}

TEST_CASE("a token without the ingest scope is PERMISSION_DENIED", "[e2e][ingest]") {
  FreshDatabase db;
  SetUpIngest(db.dsn());
  const Token reader = IssueToken(db.dsn(), kPartner, "read");
  Vikd vikd(db.dsn(), kFastAuth);
  auto stub = Stub(vikd);
  WaitForToken(*stub, reader.secret);

  auto reply = Submit(*stub, reader.secret, {MakeSignal("scope-1")});
  INFO(Describe(reply.status));
  CHECK(reply.status.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK_THAT(reply.status.error_message(), Catch::Contains("ingest"));
  CHECK(Count(db.dsn()) == "0");
}

TEST_CASE("submitting for another partner's source is PERMISSION_DENIED and stores nothing of the call",
          "[e2e][ingest]") {
  FreshDatabase db;
  const Token token = SetUpIngest(db.dsn());
  AddPartnerWithSource(db.dsn(), kOtherPartner, kOtherSource);
  Vikd vikd(db.dsn(), kFastAuth);
  auto stub = Stub(vikd);
  WaitForToken(*stub, token.secret);

  auto foreign = Submit(*stub, token.secret, {MakeSignal("foreign-1", "Inbraak", kOtherSource)});
  INFO(Describe(foreign.status));
  CHECK(foreign.status.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK_THAT(foreign.status.error_message(), Catch::Contains(kOtherSource));

  // One foreign signal refuses the whole call: its own signals are not stored either.
  auto mixed = Submit(*stub, token.secret,
                      {MakeSignal("own-1"), MakeSignal("foreign-2", "Inbraak", kOtherSource), MakeSignal("own-2")});
  INFO(Describe(mixed.status));
  CHECK(mixed.status.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK_THAT(mixed.status.error_message(), Catch::Contains("signals[1].source"));

  // A source nobody registered is refused the same way.
  auto unknown = Submit(*stub, token.secret, {MakeSignal("ghost-1", "Brand", "no-such-source")});
  CHECK(unknown.status.error_code() == grpc::StatusCode::PERMISSION_DENIED);

  CHECK(Count(db.dsn()) == "0");
}

TEST_CASE("a revoked token stops working within a few seconds while other tokens keep working", "[e2e][ingest]") {
  FreshDatabase db;
  const Token keep = SetUpIngest(db.dsn());
  const Token doomed = IssueToken(db.dsn(), kPartner);
  Vikd vikd(db.dsn(), kFastAuth);
  auto stub = Stub(vikd);
  WaitForToken(*stub, doomed.secret);
  auto before = Submit(*stub, doomed.secret, {MakeSignal("rev-1")});
  REQUIRE(before.status.ok());
  REQUIRE(before.response.receipts(0).outcome() == vik::v1::RECEIPT_OUTCOME_ACCEPTED);

  auto revoke = Admin(db.dsn(), {"token", "revoke", doomed.id});
  CHECK_THAT(revoke.out, Catch::Contains(doomed.id));
  const auto revoked_at = std::chrono::steady_clock::now();
  grpc::Status last;
  const bool refused = WaitUntil(
      [&] {
        last = Submit(*stub, doomed.secret, {MakeSignal("rev-2")}).status;
        return last.error_code() == grpc::StatusCode::UNAUTHENTICATED;
      },
      std::chrono::seconds(5));
  INFO(Describe(last)
       << " after "
       << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - revoked_at).count()
       << "ms");
  CHECK(refused);

  auto other = Submit(*stub, keep.secret, {MakeSignal("rev-3")});
  INFO(Describe(other.status));
  REQUIRE(other.status.ok());
  CHECK(other.response.receipts(0).outcome() == vik::v1::RECEIPT_OUTCOME_ACCEPTED);
  CHECK(StoredId(db.dsn(), "rev-1") == before.response.receipts(0).signal_id());
}

TEST_CASE("SubmitStream returns one receipt per signal in order and stores every signal", "[e2e][ingest]") {
  FreshDatabase db;
  const Token token = SetUpIngest(db.dsn());
  Vikd vikd(db.dsn(), kFastAuth);
  auto stub = Stub(vikd);
  WaitForToken(*stub, token.secret);

  constexpr int kSignals = 200;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  ctx.AddMetadata("authorization", "Bearer " + token.secret);
  auto stream = stub->SubmitStream(&ctx);
  std::thread writer([&] {
    for (int i = 0; i < kSignals; ++i) {
      vik::v1::SubmitStreamRequest req;
      *req.mutable_signal() = MakeSignal("stream-" + std::to_string(i));
      if (!stream->Write(req)) {
        break;
      }
    }
    stream->WritesDone();
  });
  std::vector<Receipt> receipts;
  vik::v1::SubmitStreamResponse res;
  while (stream->Read(&res)) {
    receipts.push_back(res.receipt());
  }
  writer.join();
  const grpc::Status status = stream->Finish();
  INFO(Describe(status));
  CHECK(status.ok());

  REQUIRE(receipts.size() == kSignals);
  std::map<std::string, std::string> ids;  // external id -> signal id
  for (int i = 0; i < kSignals; ++i) {
    const Receipt& r = receipts[static_cast<std::size_t>(i)];
    INFO(Describe(r));
    CHECK(r.index() == i);
    CHECK(r.external_id() == "stream-" + std::to_string(i));
    CHECK(r.outcome() == vik::v1::RECEIPT_OUTCOME_ACCEPTED);
    ids[r.external_id()] = r.signal_id();
  }
  CHECK(Count(db.dsn()) == std::to_string(kSignals));
  CHECK(QueryValue(db.dsn(), "SELECT count(DISTINCT id) FROM signals") == std::to_string(kSignals));
  // Spot checks: the receipt's id is the stored row's id.
  for (int i : {0, 99, 199}) {
    const std::string ext = "stream-" + std::to_string(i);
    CHECK(StoredId(db.dsn(), ext) == ids[ext]);
  }
  // One audit record for the whole stream.
  CHECK(WaitUntil(
      [&] {
        return QueryValue(db.dsn(),
                          "SELECT object->>'accepted' FROM audit_log WHERE action = "
                          "'ingest.stream'") == std::to_string(kSignals);
      },
      std::chrono::seconds(5)));
}

TEST_CASE("a rejected signal on a stream is numbered by its position in the stream", "[e2e][ingest]") {
  FreshDatabase db;
  const Token token = SetUpIngest(db.dsn());
  Vikd vikd(db.dsn(), kFastAuth);
  auto stub = Stub(vikd);
  WaitForToken(*stub, token.secret);

  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  ctx.AddMetadata("authorization", "Bearer " + token.secret);
  auto stream = stub->SubmitStream(&ctx);
  for (int i = 0; i < 4; ++i) {
    vik::v1::SubmitStreamRequest req;
    *req.mutable_signal() = MakeSignal("pos-" + std::to_string(i));
    if (i == 2) {
      req.mutable_signal()->set_theme("9.9");
    }
    REQUIRE(stream->Write(req));
  }
  stream->WritesDone();
  std::vector<Receipt> receipts;
  vik::v1::SubmitStreamResponse res;
  while (stream->Read(&res)) {
    receipts.push_back(res.receipt());
  }
  const grpc::Status status = stream->Finish();
  INFO(Describe(status));
  CHECK(status.ok());
  REQUIRE(receipts.size() == 4);
  const Receipt& bad = receipts[2];
  INFO(Describe(bad));
  CHECK(bad.index() == 2);
  CHECK(bad.outcome() == vik::v1::RECEIPT_OUTCOME_REJECTED);
  CHECK_THAT(bad.error().message(), Catch::Contains("signals[2].theme"));
  REQUIRE(bad.error().violations_size() == 1);
  CHECK(bad.error().violations(0).field() == "signals[2].theme");
  CHECK(receipts[3].outcome() == vik::v1::RECEIPT_OUTCOME_ACCEPTED);
  CHECK(Count(db.dsn()) == "3");
}

TEST_CASE("clients that cancel streams mid-way leave vikd serving, and every receipt they got holds", "[e2e][ingest]") {
  FreshDatabase db;
  const Token token = SetUpIngest(db.dsn());
  Vikd vikd(db.dsn(), kFastAuth);
  auto stub = Stub(vikd);
  WaitForToken(*stub, token.secret);

  std::map<std::string, std::string> acked;  // external id -> signal id
  for (int round = 0; round < 10; ++round) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ctx.AddMetadata("authorization", "Bearer " + token.secret);
    auto stream = stub->SubmitStream(&ctx);
    for (int i = 0; i < 100; ++i) {
      vik::v1::SubmitStreamRequest req;
      *req.mutable_signal() = MakeSignal("cancel-" + std::to_string(round) + "-" + std::to_string(i));
      if (!stream->Write(req)) {
        break;
      }
    }
    // Read a few receipts, then walk away while the rest are still being committed.
    vik::v1::SubmitStreamResponse res;
    for (int i = 0; i < 5 && stream->Read(&res); ++i) {
      if (res.receipt().outcome() == vik::v1::RECEIPT_OUTCOME_ACCEPTED) {
        acked[res.receipt().external_id()] = res.receipt().signal_id();
      }
    }
    ctx.TryCancel();
    while (stream->Read(&res)) {
      if (res.receipt().outcome() == vik::v1::RECEIPT_OUTCOME_ACCEPTED) {
        acked[res.receipt().external_id()] = res.receipt().signal_id();
      }
    }
    stream->Finish().IgnoreError();
  }

  REQUIRE(vikd.process().running());
  auto after = Submit(*stub, token.secret, {MakeSignal("after-cancel")});
  INFO(Describe(after.status));
  CHECK(after.status.ok());
  CHECK(acked.size() >= 50);
  int wrong = 0;
  for (const auto& [ext, id] : acked) {
    wrong += StoredId(db.dsn(), ext) == id ? 0 : 1;
  }
  CHECK(wrong == 0);
  // Each cancelled stream is audited as such.
  CHECK(WaitUntil(
      [&] { return QueryValue(db.dsn(), "SELECT count(*) FROM audit_log WHERE action = 'ingest.stream'") == "10"; },
      std::chrono::seconds(5)));
}

TEST_CASE("concurrent submissions of the same keys store each key once and agree on its id", "[e2e][ingest]") {
  FreshDatabase db;
  const Token token = SetUpIngest(db.dsn());
  Vikd vikd(db.dsn(), kFastAuth);
  WaitForToken(*Stub(vikd), token.secret);

  constexpr int kThreads = 8;
  constexpr int kKeys = 50;
  // Every thread sends byte-identical signals, so a repeat is a DUPLICATE, never a conflict.
  std::vector<vik::v1::Signal> signals;
  for (int k = 0; k < kKeys; ++k) {
    signals.push_back(MakeSignal("race-" + std::to_string(k)));
  }
  // Half of the callers send the keys in reverse order: partners may order a batch as they like.
  const bool mixed_order = GENERATE(false, true);
  INFO((mixed_order ? "half of the callers send the keys in reverse order" : "every caller sends the same order"));

  std::vector<std::unique_ptr<IngestService::Stub>> stubs;
  for (int t = 0; t < kThreads; ++t) {
    stubs.push_back(Stub(vikd));
  }
  std::vector<SubmitReply> replies(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<vik::v1::Signal> mine = signals;
      if (mixed_order && t % 2 == 1) {
        std::reverse(mine.begin(), mine.end());
      }
      start.arrive_and_wait();
      replies[static_cast<std::size_t>(t)] = Submit(*stubs[static_cast<std::size_t>(t)], token.secret, mine);
    });
  }
  for (auto& th : threads) {
    th.join();
  }

  std::map<std::string, std::set<std::string>> ids_by_key;
  std::map<std::string, int> accepted_by_key;
  for (int t = 0; t < kThreads; ++t) {
    const SubmitReply& reply = replies[static_cast<std::size_t>(t)];
    INFO("caller " << t << ": " << Describe(reply.status));
    REQUIRE(reply.status.ok());
    REQUIRE(reply.response.receipts_size() == kKeys);
    for (const auto& r : reply.response.receipts()) {
      INFO(Describe(r));
      CHECK((r.outcome() == vik::v1::RECEIPT_OUTCOME_ACCEPTED || r.outcome() == vik::v1::RECEIPT_OUTCOME_DUPLICATE));
      ids_by_key[r.external_id()].insert(r.signal_id());
      accepted_by_key[r.external_id()] += r.outcome() == vik::v1::RECEIPT_OUTCOME_ACCEPTED ? 1 : 0;
    }
  }
  CHECK(Count(db.dsn()) == std::to_string(kKeys));
  REQUIRE(ids_by_key.size() == kKeys);
  for (const auto& [key, ids] : ids_by_key) {
    INFO("key " << key);
    CHECK(ids.size() == 1);
    CHECK(accepted_by_key[key] == 1);
    CHECK(StoredId(db.dsn(), key) == *ids.begin());
  }
}

TEST_CASE("a partner over its rate limit gets RESOURCE_EXHAUSTED and 429 with Retry-After, others are unaffected",
          "[e2e][ingest]") {
  FreshDatabase db;
  const Token token = SetUpIngest(db.dsn());
  AddPartnerWithSource(db.dsn(), kOtherPartner, kOtherSource);
  const Token other = IssueToken(db.dsn(), kOtherPartner);
  Vikd vikd(db.dsn(), With(kFastAuth, {"--set", "ingest.rate_limit=5", "--set", "ingest.rate_burst=5"}));
  auto stub = Stub(vikd);
  WaitForToken(*stub, token.secret);
  WaitForToken(*stub, other.secret);

  auto batch = [](const std::string& prefix, const std::string& source) {
    std::vector<vik::v1::Signal> out;
    for (int i = 0; i < 5; ++i) {
      out.push_back(MakeSignal(prefix + std::to_string(i), "Brand", source));
    }
    return out;
  };

  // The burst allows 5 signals at once; refilling 5 takes a second, far longer than the next calls.
  auto first = Submit(*stub, token.secret, batch("rl-a-", kSource));
  INFO(Describe(first.status));
  REQUIRE(first.status.ok());
  for (const auto& r : first.response.receipts()) {
    CHECK(r.outcome() == vik::v1::RECEIPT_OUTCOME_ACCEPTED);
  }

  auto limited = Submit(*stub, token.secret, batch("rl-b-", kSource));
  INFO(Describe(limited.status));
  CHECK(limited.status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(std::atoi(limited.retry_after.c_str()) >= 1);

  std::vector<json> http_batch;
  for (int i = 0; i < 5; ++i) {
    http_batch.push_back(SignalJson("rl-c-" + std::to_string(i)));
  }
  auto http = HttpCall(vikd.http_port(), "POST", "/v1/signals", SubmitJson(http_batch), HttpHeaders(token.secret));
  INFO("HTTP " << http.status << " " << http.body);
  CHECK(http.status == 429);
  CHECK(std::atoi(http.header("retry-after").c_str()) >= 1);
  CHECK(json::parse(http.body).value("code", "") == "RESOURCE_EXHAUSTED");

  auto unaffected = Submit(*stub, other.secret, batch("rl-d-", kOtherSource));
  INFO(Describe(unaffected.status));
  REQUIRE(unaffected.status.ok());
  for (const auto& r : unaffected.response.receipts()) {
    CHECK(r.outcome() == vik::v1::RECEIPT_OUTCOME_ACCEPTED);
  }

  CHECK(Count(db.dsn(), "source = 'brandweer-vr21'") == "5");
  CHECK(Count(db.dsn(), "source = 'politie-vr21'") == "5");
}

TEST_CASE("POST /v1/signals takes the protobuf JSON mapping and answers with one receipt per signal", "[e2e][ingest]") {
  FreshDatabase db;
  const Token token = SetUpIngest(db.dsn());
  Vikd vikd(db.dsn(), kFastAuth);
  WaitForToken(*Stub(vikd), token.secret);

  json invalid = SignalJson("http-2");
  invalid["area"]["municipalities"] = json::array({"GM9999"});
  const std::string body = SubmitJson({SignalJson("http-1"), invalid});
  auto reply = HttpCall(vikd.http_port(), "POST", "/v1/signals", body, HttpHeaders(token.secret));
  INFO("HTTP " << reply.status << " " << reply.body);
  REQUIRE(reply.status == 200);
  CHECK_THAT(reply.header("content-type"), Catch::StartsWith("application/json"));
  const json response = json::parse(reply.body);
  REQUIRE(response["receipts"].size() == 2);
  const json& ok = response["receipts"][0];
  CHECK(ok["index"] == 0);
  CHECK(ok["source"] == kSource);
  CHECK(ok["externalId"] == "http-1");
  CHECK(ok["outcome"] == "RECEIPT_OUTCOME_ACCEPTED");
  CHECK(ok["signalId"] == StoredId(db.dsn(), "http-1"));
  CHECK(ok.contains("receivedAt"));
  const json& bad = response["receipts"][1];
  CHECK(bad["index"] == 1);
  CHECK(bad["outcome"] == "RECEIPT_OUTCOME_REJECTED");
  CHECK(bad["error"]["code"] == "INVALID_ARGUMENT");
  CHECK(bad["error"]["violations"][0]["field"] == "signals[1].area.municipalities[0]");

  // Resubmitting over HTTP is idempotent like over gRPC, and both transports share one key space.
  auto again =
      HttpCall(vikd.http_port(), "POST", "/v1/signals", SubmitJson({SignalJson("http-1")}), HttpHeaders(token.secret));
  REQUIRE(again.status == 200);
  CHECK(json::parse(again.body)["receipts"][0]["signalId"] == ok["signalId"]);
  CHECK(Count(db.dsn()) == "1");
  CHECK(WaitUntil(
      [&] { return QueryValue(db.dsn(), "SELECT count(*) FROM audit_log WHERE action = 'ingest.http'") == "2"; },
      std::chrono::seconds(5)));
}

TEST_CASE("POST /v1/signals refuses other media types, malformed JSON, missing tokens and oversized bodies",
          "[e2e][ingest]") {
  FreshDatabase db;
  const Token token = SetUpIngest(db.dsn());
  Vikd vikd(db.dsn(), With(kFastAuth, {"--set", "http.max_body_bytes=8KiB"}));
  WaitForToken(*Stub(vikd), token.secret);
  const int port = vikd.http_port();
  const std::string valid = SubmitJson({SignalJson("err-1")});

  auto text = HttpCall(port, "POST", "/v1/signals", valid, HttpHeaders(token.secret, "text/plain"));
  INFO("415? HTTP " << text.status << " " << text.body);
  CHECK(text.status == 415);

  auto malformed = HttpCall(port, "POST", "/v1/signals", R"({"signals": [{"source": )", HttpHeaders(token.secret));
  INFO("400? HTTP " << malformed.status << " " << malformed.body);
  CHECK(malformed.status == 400);
  CHECK(json::parse(malformed.body).value("code", "") == "INVALID_ARGUMENT");

  auto unknown_field =
      HttpCall(port, "POST", "/v1/signals", R"({"signals": [], "frobs": 1})", HttpHeaders(token.secret));
  CHECK(unknown_field.status == 400);

  auto anonymous = HttpCall(port, "POST", "/v1/signals", valid, HttpHeaders(""));
  INFO("401? HTTP " << anonymous.status << " " << anonymous.body);
  CHECK(anonymous.status == 401);
  CHECK_THAT(anonymous.header("www-authenticate"), Catch::StartsWith("Bearer"));
  CHECK(json::parse(anonymous.body).value("code", "") == "UNAUTHENTICATED");

  json big = SignalJson("err-2");
  big["description"] = std::string(12 * 1024, 'x');
  auto oversized = HttpCall(port, "POST", "/v1/signals", SubmitJson({big}), HttpHeaders(token.secret));
  INFO("413? HTTP " << oversized.status << " " << oversized.body);
  CHECK(oversized.status == 413);

  CHECK(Count(db.dsn()) == "0");
  // The server is still fine afterwards.
  auto after = HttpCall(port, "POST", "/v1/signals", valid, HttpHeaders(token.secret));
  CHECK(after.status == 200);
  CHECK(Count(db.dsn()) == "1");
}

TEST_CASE("during a database outage ingest answers UNAVAILABLE and 503, and no acknowledged signal is lost",
          "[e2e][ingest][slow]") {
  vik::testing::PrivatePostgres pg;
  const Token token = SetUpIngest(pg.dsn());
  Vikd vikd(pg.dsn(), With(kFastAuth, {"--set", "db.connect_timeout=1s"}));
  auto stub = Stub(vikd);
  WaitForToken(*stub, token.secret);

  struct Acked {
    std::string external_id;
    std::string signal_id;
  };
  std::mutex mu;
  std::vector<Acked> acked;
  std::vector<vik::v1::Signal> not_acked;  // refused calls: the client retries these after the outage
  std::map<grpc::StatusCode, int> failures;
  std::vector<std::string> unexpected;  // anything but ACCEPTED or a retryable whole-call failure
  std::atomic<int> accepted_count{0};
  std::atomic<int> unavailable_count{0};
  std::atomic<bool> stop{false};

  // Stops and joins the client however the test ends.
  struct Joiner {
    std::atomic<bool>& stop;
    std::thread& thread;
    ~Joiner() {
      stop = true;
      if (thread.joinable()) {
        thread.join();
      }
    }
  };
  std::thread client([&] {
    auto own = Stub(vikd);
    for (int i = 0; !stop; ++i) {
      const std::string ext = "outage-" + std::to_string(i);
      const auto signal = MakeSignal(ext);
      auto reply = Submit(*own, token.secret, {signal}, std::chrono::seconds(5));
      std::lock_guard lock(mu);
      if (reply.status.ok() && reply.response.receipts_size() == 1 &&
          reply.response.receipts(0).outcome() == vik::v1::RECEIPT_OUTCOME_ACCEPTED) {
        acked.push_back({ext, reply.response.receipts(0).signal_id()});
        ++accepted_count;
        continue;
      }
      if (reply.status.ok()) {
        unexpected.push_back(ext + ": " +
                             (reply.response.receipts_size() == 1
                                  ? Describe(reply.response.receipts(0))
                                  : std::to_string(reply.response.receipts_size()) + " receipts"));
        continue;
      }
      ++failures[reply.status.error_code()];
      not_acked.push_back(signal);
      if (reply.status.error_code() == grpc::StatusCode::UNAVAILABLE) {
        ++unavailable_count;
      } else if (reply.status.error_code() != grpc::StatusCode::UNKNOWN) {
        // UNKNOWN: a commit cut off by the shutdown; retrying the key is the client's job.
        unexpected.push_back(ext + ": " + Describe(reply.status));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the client's back-off
    }
  });
  Joiner joiner{stop, client};
  auto stop_client = [&] {
    stop = true;
    client.join();
  };

  bool flowing = WaitUntil([&] { return accepted_count >= 20; }, std::chrono::seconds(15));
  if (!flowing) {
    stop_client();
    FAIL("signals were not accepted before the outage");
  }

  pg.Stop();
  const int accepted_before_outage = accepted_count;
  const bool unavailable = WaitUntil([&] { return unavailable_count > 0; }, std::chrono::seconds(15));
  vik::testing::HttpReply http;
  const bool http_503 = WaitUntil(
      [&] {
        http = HttpCall(vikd.http_port(), "POST", "/v1/signals", SubmitJson({SignalJson("http-during-outage")}),
                        HttpHeaders(token.secret));
        return http.status == 503;
      },
      std::chrono::seconds(10));

  pg.Start();
  const int accepted_at_restart = accepted_count;
  const bool resumed = WaitUntil([&] { return accepted_count >= accepted_at_restart + 20; }, std::chrono::seconds(20));
  stop_client();

  INFO("accepted before the outage " << accepted_before_outage << ", at restart " << accepted_at_restart
                                     << ", in total " << accepted_count);
  std::string failure_counts;
  for (const auto& [code, n] : failures) {
    failure_counts += " code " + std::to_string(code) + " x" + std::to_string(n);
  }
  INFO("failed calls:" << failure_counts);
  CHECK(unavailable);
  INFO("HTTP " << http.status << " " << http.body);
  CHECK(http_503);
  CHECK(std::atoi(http.header("retry-after").c_str()) >= 1);
  CHECK(json::parse(http.body).value("code", "") == "UNAVAILABLE");
  CHECK(resumed);
  INFO("unexpected answers: " << unexpected.size() << (unexpected.empty() ? "" : "; first: " + unexpected.front()));
  CHECK(unexpected.empty());

  // Every acknowledged signal is in the table under the id the client was given.
  std::map<std::string, std::string> stored;  // external id -> id
  {
    std::stringstream rows(QueryValue(pg.dsn(), "SELECT string_agg(external_id || '=' || id, ' ') FROM signals"));
    for (std::string row; rows >> row;) {
      const auto eq = row.find('=');
      stored[row.substr(0, eq)] = row.substr(eq + 1);
    }
  }
  int lost = 0;
  std::string first_lost;
  for (const auto& a : acked) {
    auto it = stored.find(a.external_id);
    if (it == stored.end() || it->second != a.signal_id) {
      if (lost++ == 0) {
        first_lost = a.external_id + " acknowledged as " + a.signal_id + ", stored as " +
                     (it == stored.end() ? std::string("nothing") : it->second);
      }
    }
  }
  INFO(acked.size() << " acknowledged, " << stored.size() << " stored; first lost: " << first_lost);
  CHECK(lost == 0);
  CHECK(acked.size() > 40);

  // Retrying what was refused with the same bytes is safe: each comes back ACCEPTED, or DUPLICATE with
  // the id of what an in-doubt commit did store; never as a conflict.
  int retried_wrong = 0;
  std::string first_wrong;
  for (const auto& signal : not_acked) {
    auto reply = Submit(*stub, token.secret, {signal});
    const bool stored_before = stored.count(signal.external_id()) > 0;
    const bool fine = reply.status.ok() && reply.response.receipts_size() == 1 &&
                      (reply.response.receipts(0).outcome() ==
                       (stored_before ? vik::v1::RECEIPT_OUTCOME_DUPLICATE : vik::v1::RECEIPT_OUTCOME_ACCEPTED)) &&
                      (!stored_before || reply.response.receipts(0).signal_id() == stored[signal.external_id()]);
    if (!fine && retried_wrong++ == 0) {
      first_wrong = signal.external_id() + (stored_before ? " (stored before): " : ": ") +
                    (reply.status.ok() ? Describe(reply.response.receipts(0)) : Describe(reply.status));
    }
  }
  INFO(not_acked.size() << " retried; first wrong answer: " << first_wrong);
  CHECK(retried_wrong == 0);
  CHECK(Count(pg.dsn(), "external_id LIKE 'outage-%'") == std::to_string(acked.size() + not_acked.size()));
}
