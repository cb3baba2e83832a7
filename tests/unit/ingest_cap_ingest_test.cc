// ingest::CapIngest::Process over an in-memory CAP store: a document stored with its signals, the
// same document again, another document under the same identifier, and what a database outage, an
// in-doubt commit and a fenced feed write answer.

#include <chrono>
#include <memory>
#include <string>

#include <prometheus/registry.h>
#include <catch2/catch.hpp>

#include "core/blocking_pool.h"
#include "core/clock.h"
#include "fakes/fake_cap_store.h"
#include "fakes/fake_credential_store.h"
#include "fakes/fake_signal_writer.h"
#include "ingest/cap_ingest.h"
#include "store/fence_status.h"

namespace vik::ingest {
namespace {

using testing::FakeCapStore;
using testing::FaultPlan;

// 2026-11-25T09:30:00Z, half an hour after the alerts below were sent.
const core::WallTime kNow{std::chrono::seconds{1'795'599'000}};

std::string Alert(const std::string& identifier, const std::string& headline = "Stormwaarschuwing") {
  return "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>" + identifier +
         "</identifier><sender>knmi@knmi.nl</sender><sent>2026-11-25T10:00:00+01:00</sent><status>Actual</status>"
         "<msgType>Alert</msgType><scope>Public</scope>"
         "<info><language>nl-NL</language><category>Met</category><event>Storm</event>"
         "<urgency>Expected</urgency><severity>Severe</severity><certainty>Likely</certainty>"
         "<onset>2026-11-25T18:00:00+01:00</onset><expires>2026-11-26T06:00:00+01:00</expires><headline>" +
         headline +
         "</headline><area><areaDesc>Den Bosch</areaDesc><geocode><valueName>CBS_GM</valueName><value>GM0796"
         "</value></geocode></area></info></alert>";
}

struct Fixture {
  Fixture() {
    store::Credentials loaded;
    loaded.sources = {{"knmi@knmi.nl", "knmi", std::nullopt}};
    auth.Load(loaded);
    auto reference = std::make_shared<domain::ReferenceData>();
    reference->region = "VR21";
    reference->municipalities = {"GM0796"};
    reference->themes = {"1", "1.3"};
    reference->cap_category_themes = {{"Met", "1.3"}};
    pipeline.SetReferenceData(reference);
  }

  CapSubmitResult Process(const std::string& document, const FeedEntryContext* feed = nullptr) {
    return ingest.Process("knmi", "token:t1 partner:knmi", "10.0.0.9", document, "http", feed);
  }
  double Rejections(const char* reason) { return metrics.rejections.Add({{"reason", reason}}).Value(); }

  core::FakeClock clock{kNow};
  FakeCapStore store{clock};
  testing::FakeCredentialStore credentials;
  auth::Authenticator auth{credentials};
  prometheus::Registry registry;
  IngestMetrics metrics{registry};
  RateLimiter limiter{0, 1, clock};
  testing::FakeSignalWriter signals{clock};  // the JSON path's writer: never runs here
  BatchWriter writer{signals, WriterOptions{}, "node-a", metrics};
  Pipeline pipeline{PipelineOptions{}, auth, limiter, writer, clock, metrics};
  core::BlockingPool pool{"cap", 1, 1};  // Process runs on the caller's thread: never started
  CapIngest ingest{CapIngestOptions{},
                   auth,
                   limiter,
                   pool,
                   store,
                   pipeline,
                   clock,
                   metrics,
                   [](const domain::Signal& s) { return "payload:" + s.external_id; },
                   "node-a"};
};

TEST_CASE("a CAP document is stored verbatim with its signals, and the audit record rides in the same write",
          "[ingest][cap]") {
  Fixture f;
  const std::string doc = Alert("KNMI-1");
  CapSubmitResult r = f.Process(doc);
  INFO(r.status.ToString());
  REQUIRE(r.status.ok());
  CHECK(r.outcome == ReceiptOutcome::kAccepted);
  CHECK(r.sender == "knmi@knmi.nl");
  CHECK(r.identifier == "KNMI-1");
  REQUIRE(r.signals.size() == 1);
  CHECK(r.signals[0].outcome == ReceiptOutcome::kAccepted);
  const auto messages = f.store.messages();
  REQUIRE(messages.size() == 1);
  const auto& stored = messages.at({"knmi@knmi.nl", "KNMI-1"});
  CHECK(stored.raw == doc);
  CHECK(stored.via == "http");
  CHECK(r.message_id == stored.id);
  CHECK(r.signals[0].signal_id == stored.signals[0].signal_id);
  const auto audit = f.store.audit();
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].action == "ingest.cap");
  CHECK(audit[0].result == "ok");
  CHECK(f.store.faults().Calls("AppendAudit") == 0);
}

TEST_CASE(
    "the same CAP document again is DUPLICATE with the stored signals, other bytes under its identifier are "
    "ALREADY_EXISTS",
    "[ingest][cap]") {
  Fixture f;
  CapSubmitResult first = f.Process(Alert("KNMI-1"));
  REQUIRE(first.status.ok());
  CapSubmitResult again = f.Process(Alert("KNMI-1"));
  REQUIRE(again.status.ok());
  CHECK(again.outcome == ReceiptOutcome::kDuplicate);
  CHECK(again.message_id == first.message_id);
  REQUIRE(again.signals.size() == 1);
  CHECK(again.signals[0].outcome == ReceiptOutcome::kDuplicate);
  CHECK(again.signals[0].signal_id == first.signals[0].signal_id);
  CapSubmitResult other = f.Process(Alert("KNMI-1", "Andere tekst"));
  CHECK(other.status.code() == core::StatusCode::kAlreadyExists);
  CHECK(other.status.message().find(first.message_id) != std::string::npos);
  CHECK(f.store.messages().at({"knmi@knmi.nl", "KNMI-1"}).raw == Alert("KNMI-1"));
  CHECK(f.Rejections("conflict") == 1);
}

TEST_CASE(
    "with the database down a CAP document is UNAVAILABLE with retry_after, stored nowhere, and the lost "
    "audit record is counted",
    "[ingest][cap]") {
  Fixture f;
  f.store.faults().FailEverything(core::Unavailable("connection refused"));
  CapSubmitResult r = f.Process(Alert("KNMI-1"));
  CHECK(r.status.code() == core::StatusCode::kUnavailable);
  CHECK(r.retry_after == std::chrono::seconds(1));
  CHECK(f.store.messages().empty());
  CHECK(f.store.faults().Calls("AppendAudit") == 1);  // the refusal's audit, best effort
  CHECK(f.metrics.audit_dropped.Value() == 1);
  CHECK(f.Rejections("store") == 1);
}

TEST_CASE("an in-doubt CAP commit answers UNKNOWN, and resubmitting the document is DUPLICATE, never doubled",
          "[ingest][cap]") {
  Fixture f;
  f.store.faults().FailCall("WriteCapMessage", 1, core::Unknown("connection lost during COMMIT"),
                            FaultPlan::When::kAfter);
  CapSubmitResult doubt = f.Process(Alert("KNMI-1"));
  CHECK(doubt.status.code() == core::StatusCode::kUnknown);
  CHECK(doubt.status.message().find("resubmitting the same document is safe") != std::string::npos);
  CHECK(doubt.message_id.empty());
  REQUIRE(f.store.messages().size() == 1);  // it did commit
  CapSubmitResult retry = f.Process(Alert("KNMI-1"));
  REQUIRE(retry.status.ok());
  CHECK(retry.outcome == ReceiptOutcome::kDuplicate);
  CHECK(retry.message_id == f.store.messages().at({"knmi@knmi.nl", "KNMI-1"}).id);
  CHECK(f.store.messages().size() == 1);
}

TEST_CASE("a feed entry's document carries its mark and fence, and a fenced write stores nothing and says so",
          "[ingest][cap]") {
  Fixture f;
  FeedEntryContext feed{{"knmi", "entry-1@2026", "entry-1", "", ""}, {"feeds", "node-a", 1}};
  REQUIRE(f.Process(Alert("KNMI-1"), &feed).status.ok());
  const auto stored = f.store.messages().at({"knmi@knmi.nl", "KNMI-1"});
  REQUIRE(stored.feed_entry.has_value());
  CHECK(stored.feed_entry->entry_key == "entry-1@2026");
  f.store.SetEpoch(2);  // another instance took the lease
  CapSubmitResult fenced = f.Process(Alert("KNMI-2"), &feed);
  CHECK(fenced.status.code() == core::StatusCode::kFailedPrecondition);
  CHECK(store::IsFenced(fenced.status));
  CHECK(f.store.messages().count({"knmi@knmi.nl", "KNMI-2"}) == 0);
}

TEST_CASE("a CAP document for a sender the partner does not own is PERMISSION_DENIED and audited", "[ingest][cap]") {
  Fixture f;
  CapSubmitResult r = f.ingest.Process("politie", "token:t2 partner:politie", "", Alert("KNMI-1"), "grpc");
  CHECK(r.status.code() == core::StatusCode::kPermissionDenied);
  CHECK(f.store.messages().empty());
  const auto audit = f.store.audit();
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].result == "PERMISSION_DENIED");
  CHECK(f.Rejections("foreign_source") == 1);
}

}  // namespace
}  // namespace vik::ingest
