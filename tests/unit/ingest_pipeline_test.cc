// ingest::Pipeline with its real collaborators (authenticator, rate limiter, group-commit writer)
// over in-memory stores and a fake clock: the receipts of a call on the normal path, every
// whole-call refusal, and what a database outage, an in-doubt commit and a refused row answer.

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <prometheus/registry.h>
#include <catch2/catch.hpp>

#include "auth/authenticator.h"
#include "core/clock.h"
#include "domain/reference_data.h"
#include "fakes/fake_credential_store.h"
#include "fakes/fake_signal_writer.h"
#include "ingest/pipeline.h"

namespace vik::ingest {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::FakeCredentialStore;
using testing::FakeSignalWriter;
using testing::FaultPlan;

// 2026-11-18T23:33:20Z.
const core::WallTime kNow{seconds{1'795'563'200}};

std::shared_ptr<const domain::ReferenceData> Vr21() {
  auto r = std::make_shared<domain::ReferenceData>();
  r->region = "VR21";
  r->municipalities = {"GM0796", "GM0865"};
  r->themes = {"1", "1.2"};
  return r;
}

// A fire in GM0796 from brandweer's source; `headline` varies the content under the same key.
IncomingSignal Fire(const std::string& external_id, const std::string& headline = "Brand") {
  IncomingSignal in;
  domain::Signal& s = in.signal;
  s.source = "brandweer-vr21";
  s.external_id = external_id;
  s.msg_type = domain::MsgType::kAlert;
  s.status = domain::SignalStatus::kActual;
  s.kind = domain::SignalKind::kIncident;
  s.categories = {domain::Category::kFire};
  s.theme = "1.2";
  s.urgency = domain::Urgency::kImmediate;
  s.severity = domain::Severity::kSevere;
  s.certainty = domain::Certainty::kObserved;
  s.sent_at = kNow - minutes(1);
  s.onset_at = kNow - minutes(20);
  s.expires_at = kNow + hours(6);
  s.area.municipalities = {"GM0796"};
  s.headline = headline;
  in.payload = external_id + "|" + headline;
  return in;
}

std::vector<IncomingSignal> Fires(const std::string& prefix, int n) {
  std::vector<IncomingSignal> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(Fire(prefix + std::to_string(i)));
  }
  return out;
}

struct FixtureOptions {
  std::size_t writer_batch = 500;
  std::size_t writer_queue = 1000;
  double rate = 0;  // signals per second per partner; 0: unlimited
  double burst = 1;
  bool run_writer = true;  // false: nothing commits until the fixture ends (the queue fills)
};

struct Fixture {
  explicit Fixture(FixtureOptions o = {})
      : options(o),
        limiter(o.rate, o.burst, clock),
        writer(store, WriterOptions{o.writer_queue, o.writer_batch, std::chrono::microseconds(0), 1000}, "node-a",
               metrics),
        pipeline(PipelineOptions{10, {}}, auth, limiter, writer, clock, metrics) {
    store::Credentials loaded;
    loaded.sources = {{"brandweer-vr21", "brandweer", std::nullopt}, {"politie-vr21", "politie", std::nullopt}};
    auth.Load(loaded);
    pipeline.SetReferenceData(Vr21());
    if (o.run_writer) {
      loop = std::thread([this] { writer.Run(); });
    }
  }
  ~Fixture() { StopWriter(); }

  // Stops the writer once everything queued (signals and audit) is committed.
  void StopWriter() {
    writer.Stop();
    if (loop.joinable()) {
      loop.join();
    } else if (!stopped) {
      writer.Run();
    }
    stopped = true;
  }

  // `audit` false: no audit record, so no audit-only transaction counts as a WriteSignals call.
  SubmitResult Submit(std::vector<IncomingSignal> signals, const auth::Caller& as, std::size_t index_base = 0,
                      bool audit = true) {
    auto answer = std::make_shared<std::promise<SubmitResult>>();
    auto future = answer->get_future();
    pipeline.Submit(
        as, std::move(signals), "ingest.submit", audit, [answer](SubmitResult r) { answer->set_value(std::move(r)); },
        index_base);
    REQUIRE(future.wait_for(seconds(30)) == std::future_status::ready);
    return future.get();
  }
  SubmitResult Submit(std::vector<IncomingSignal> signals) { return Submit(std::move(signals), brandweer); }

  double Rejections(const char* reason) { return metrics.rejections.Add({{"reason", reason}}).Value(); }

  FixtureOptions options;
  core::FakeClock clock{kNow};
  FakeSignalWriter store{clock};
  FakeCredentialStore credentials;
  auth::Authenticator auth{credentials};
  prometheus::Registry registry;
  IngestMetrics metrics{registry};
  RateLimiter limiter;
  BatchWriter writer;
  Pipeline pipeline;
  std::thread loop;
  bool stopped = false;
  const auth::Caller brandweer{"t000000000001", "brandweer", {"ingest"}, "10.0.0.1"};
};

TEST_CASE("a valid call gets one ACCEPTED receipt per signal, numbered from index_base, and one audit record",
          "[ingest][pipeline]") {
  Fixture f;
  SubmitResult r = f.Submit(Fires("a", 3), f.brandweer, /*index_base=*/7);
  REQUIRE(r.status.ok());
  REQUIRE(r.receipts.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    const ReceiptData& rc = r.receipts[i];
    CHECK(rc.index == static_cast<int>(7 + i));
    CHECK(rc.outcome == ReceiptOutcome::kAccepted);
    CHECK(rc.source == "brandweer-vr21");
    CHECK(rc.external_id == "a" + std::to_string(i));
    CHECK(rc.signal_id == f.store.stored().at({"brandweer-vr21", rc.external_id}).id);
    CHECK(rc.received_at == kNow);
  }
  CHECK(f.store.stored().at({"brandweer-vr21", "a0"}).partner == "brandweer");
  f.StopWriter();
  const auto audit = f.store.audit();
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].action == "ingest.submit");
  CHECK(audit[0].actor == f.brandweer.Actor());
  CHECK(audit[0].origin == "10.0.0.1");
  CHECK(audit[0].object_json == R"({"accepted":3,"duplicate":0,"rejected":0,"signals":3})");
  CHECK(audit[0].result == "ok");
}

TEST_CASE("an invalid signal is REJECTED with its field path while its neighbours are accepted", "[ingest][pipeline]") {
  Fixture f;
  auto signals = Fires("a", 3);
  signals[1].signal.area.municipalities = {"GM9999"};
  SubmitResult r = f.Submit(std::move(signals));
  REQUIRE(r.status.ok());
  REQUIRE(r.receipts.size() == 3);
  CHECK(r.receipts[0].outcome == ReceiptOutcome::kAccepted);
  CHECK(r.receipts[1].outcome == ReceiptOutcome::kRejected);
  CHECK(r.receipts[1].error.code() == core::StatusCode::kInvalidArgument);
  REQUIRE_FALSE(r.receipts[1].violations.empty());
  CHECK(r.receipts[1].violations.front().field.rfind("signals[1].area.municipalities", 0) == 0);
  CHECK(r.receipts[1].signal_id.empty());
  CHECK(r.receipts[2].outcome == ReceiptOutcome::kAccepted);
  CHECK(f.store.stored_count() == 2);
  CHECK(f.Rejections("validation") == 1);
}

TEST_CASE("a resubmission is DUPLICATE with the same ids, and the same key with other content is ALREADY_EXISTS",
          "[ingest][pipeline]") {
  Fixture f;
  SubmitResult first = f.Submit({Fire("a0"), Fire("a1")});
  REQUIRE(first.status.ok());
  SubmitResult again = f.Submit({Fire("a0"), Fire("a1", "Grote brand")});
  REQUIRE(again.status.ok());
  REQUIRE(again.receipts.size() == 2);
  CHECK(again.receipts[0].outcome == ReceiptOutcome::kDuplicate);
  CHECK(again.receipts[0].signal_id == first.receipts[0].signal_id);
  CHECK(again.receipts[1].outcome == ReceiptOutcome::kRejected);
  CHECK(again.receipts[1].error.code() == core::StatusCode::kAlreadyExists);
  CHECK(again.receipts[1].error.message().find(first.receipts[1].signal_id) != std::string::npos);
  CHECK(f.store.stored().at({"brandweer-vr21", "a1"}).payload == "a1|Brand");  // the original is kept
  CHECK(f.Rejections("conflict") == 1);
}

TEST_CASE("with the database down the call is UNAVAILABLE without receipts, and the retry stores each signal once",
          "[ingest][pipeline]") {
  Fixture f;
  f.store.faults().FailEverything(core::Unavailable("connection refused"));
  SubmitResult down = f.Submit(Fires("a", 3));
  CHECK(down.status.code() == core::StatusCode::kUnavailable);
  CHECK(down.receipts.empty());
  CHECK(down.retry_after == seconds(1));
  CHECK(down.status.message().find("connection refused") == std::string::npos);  // the detail stays in the log
  CHECK(f.store.stored_count() == 0);
  CHECK(f.Rejections("unavailable") == 3);
  f.store.faults().Heal();
  SubmitResult retry = f.Submit(Fires("a", 3));
  REQUIRE(retry.status.ok());
  for (const auto& rc : retry.receipts) {
    CHECK(rc.outcome == ReceiptOutcome::kAccepted);
  }
  CHECK(f.store.stored_count() == 3);
}

TEST_CASE("an in-doubt commit answers UNKNOWN, and the retry with the same keys is DUPLICATE with the stored ids",
          "[ingest][pipeline]") {
  Fixture f;
  f.store.faults().FailCall("WriteSignals", 1, core::Unknown("connection lost during COMMIT"), FaultPlan::When::kAfter);
  SubmitResult doubt = f.Submit(Fires("a", 2));
  CHECK(doubt.status.code() == core::StatusCode::kUnknown);
  CHECK(doubt.receipts.empty());
  CHECK(doubt.status.message().find("retrying with the same (source, external_id) keys is safe") != std::string::npos);
  CHECK(f.Rejections("in_doubt") == 2);
  REQUIRE(f.store.stored_count() == 2);  // it did commit
  SubmitResult retry = f.Submit(Fires("a", 2));
  REQUIRE(retry.status.ok());
  REQUIRE(retry.receipts.size() == 2);
  for (const auto& rc : retry.receipts) {
    CHECK(rc.outcome == ReceiptOutcome::kDuplicate);
    CHECK(rc.signal_id == f.store.stored().at({"brandweer-vr21", rc.external_id}).id);
  }
  CHECK(f.store.stored_count() == 2);
}

TEST_CASE("a call split over two batches answers the worst batch failure: UNKNOWN over UNAVAILABLE",
          "[ingest][pipeline]") {
  Fixture f(FixtureOptions{/*writer_batch=*/2});
  f.store.faults().FailCall("WriteSignals", 1, core::Unknown("connection lost during COMMIT"), FaultPlan::When::kAfter);
  f.store.faults().FailCall("WriteSignals", 2, core::Unavailable("connection refused"));
  SubmitResult r = f.Submit(Fires("a", 3), f.brandweer, 0, /*audit=*/false);
  CHECK(r.status.code() == core::StatusCode::kUnknown);
  CHECK(r.receipts.empty());
  CHECK(f.store.batch_sizes() == std::vector<std::size_t>{2});  // the second batch never reached the store
  // One failed batch fails the whole call even when the other committed (never acknowledged).
  f.store.faults().FailCall("WriteSignals", 2, core::Unavailable("connection refused"));
  SubmitResult partly = f.Submit(Fires("b", 3), f.brandweer, 0, /*audit=*/false);
  CHECK(partly.status.code() == core::StatusCode::kUnavailable);
  CHECK(partly.receipts.empty());
  CHECK(f.store.stored().count({"brandweer-vr21", "b0"}) == 1);
}

TEST_CASE("a signal the database refuses is REJECTED alone, naming the code but not the database's detail",
          "[ingest][pipeline]") {
  Fixture f;
  f.store.Refuse("a1", core::FailedPrecondition("violates check constraint \"signals_window\""));
  SubmitResult r = f.Submit(Fires("a", 3));
  REQUIRE(r.status.ok());
  REQUIRE(r.receipts.size() == 3);
  CHECK(r.receipts[0].outcome == ReceiptOutcome::kAccepted);
  CHECK(r.receipts[1].outcome == ReceiptOutcome::kRejected);
  CHECK(r.receipts[1].error.code() == core::StatusCode::kFailedPrecondition);
  CHECK(r.receipts[1].error.message() ==
        "signals[1]: the database refused this signal (FAILED_PRECONDITION); it was not stored");
  CHECK(r.receipts[1].signal_id.empty());
  CHECK(r.receipts[2].outcome == ReceiptOutcome::kAccepted);
}

TEST_CASE("whole-call refusals answer without receipts and store nothing", "[ingest][pipeline]") {
  Fixture f;
  SECTION("a token without the ingest scope") {
    const auth::Caller reader{"t000000000002", "brandweer", {"read"}, ""};
    CHECK(f.Submit(Fires("a", 1), reader).status.code() == core::StatusCode::kPermissionDenied);
  }
  SECTION("an empty call") { CHECK(f.Submit({}).status.code() == core::StatusCode::kInvalidArgument); }
  SECTION("more signals than max_batch") {
    SubmitResult r = f.Submit(Fires("a", 11));
    CHECK(r.status.code() == core::StatusCode::kInvalidArgument);
    CHECK(r.status.message() == "signals: 11 signals exceed the limit of 10 per call");
  }
  SECTION("a source of another partner, even beside the caller's own") {
    auto signals = Fires("a", 2);
    signals[1].signal.source = "politie-vr21";
    SubmitResult r = f.Submit(std::move(signals));
    CHECK(r.status.code() == core::StatusCode::kPermissionDenied);
    CHECK(r.status.message().find("signals[1].source") != std::string::npos);
  }
  SECTION("before the reference data is loaded") {
    f.pipeline.SetReferenceData(nullptr);
    SubmitResult r = f.Submit(Fires("a", 1));
    CHECK(r.status.code() == core::StatusCode::kUnavailable);
    CHECK(r.retry_after == seconds(1));
  }
  CHECK(f.store.stored_count() == 0);
  f.StopWriter();
  REQUIRE(f.store.audit().size() == 1);  // refusals are audited too
}

TEST_CASE("a partner over its rate limit is RESOURCE_EXHAUSTED with retry_after until the bucket refills",
          "[ingest][pipeline]") {
  FixtureOptions options;
  options.rate = 1;
  options.burst = 4;
  Fixture f(options);
  REQUIRE(f.Submit(Fires("a", 4)).status.ok());
  SubmitResult limited = f.Submit(Fires("b", 2));
  CHECK(limited.status.code() == core::StatusCode::kResourceExhausted);
  CHECK(limited.retry_after == seconds(2));
  CHECK(f.metrics.rate_limited.Add({{"partner", "brandweer"}}).Value() == 1);
  const auth::Caller politie{"t000000000003", "politie", {"ingest"}, ""};
  auto theirs = Fires("p", 2);
  for (auto& in : theirs) {
    in.signal.source = "politie-vr21";
  }
  CHECK(f.Submit(std::move(theirs), politie).status.ok());  // another partner is unaffected
  f.clock.Advance(seconds(2));
  CHECK(f.Submit(Fires("b", 2)).status.ok());
  CHECK(f.store.stored_count() == 8);
}

TEST_CASE("a full write queue refuses the call loudly and enqueues none of it", "[ingest][pipeline]") {
  FixtureOptions options;
  options.writer_queue = 3;
  options.run_writer = false;
  Fixture f(options);
  std::vector<SubmitResult> answers;
  f.pipeline.Submit(f.brandweer, Fires("a", 2), "ingest.submit", true,
                    [&](SubmitResult r) { answers.push_back(std::move(r)); });
  f.pipeline.Submit(f.brandweer, Fires("b", 2), "ingest.submit", true,
                    [&](SubmitResult r) { answers.push_back(std::move(r)); });
  REQUIRE(answers.size() == 1);  // the first waits for its commit
  CHECK(answers[0].status.code() == core::StatusCode::kResourceExhausted);
  CHECK(answers[0].status.message() == "the write queue is full; retry shortly");
  CHECK(answers[0].retry_after == seconds(1));
  CHECK(f.Rejections("queue_full") == 2);
  CHECK(f.writer.depth() == 2);
  f.StopWriter();
  REQUIRE(answers.size() == 2);
  CHECK(answers[1].status.ok());
  CHECK(f.store.stored_count() == 2);
  CHECK(f.store.stored().count({"brandweer-vr21", "b0"}) == 0);
}

}  // namespace
}  // namespace vik::ingest
