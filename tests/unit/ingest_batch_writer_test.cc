// ingest::BatchWriter over an in-memory signal writer: group commit in bounded batches, the bounded
// queue, and what a database outage, an in-doubt commit and a refused row do to each item.

#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <prometheus/registry.h>
#include <catch2/catch.hpp>

#include "core/clock.h"
#include "fakes/fake_signal_writer.h"
#include "ingest/batch_writer.h"

namespace vik::ingest {
namespace {

using testing::FakeSignalWriter;
using testing::FaultPlan;

const core::WallTime kStart{std::chrono::seconds{1'795'563'200}};

// What one item was completed with.
struct Completion {
  store::WriteResult result;
  core::Status batch_status;
};

struct Fixture {
  core::FakeClock clock{kStart};
  FakeSignalWriter store{clock};
  prometheus::Registry registry;
  IngestMetrics metrics{registry};
  std::vector<Completion> completions;
  std::mutex mu;

  // `n` items for external ids prefix0..prefix(n-1), completed into `completions` (by position).
  std::vector<WriteItem> Items(const std::string& prefix, int n, const std::string& payload = "v1") {
    std::vector<WriteItem> items;
    for (int i = 0; i < n; ++i) {
      domain::Signal s;
      s.source = "brandweer-vr21";
      s.external_id = prefix + std::to_string(i);
      std::size_t slot;
      {
        std::lock_guard lock(mu);
        slot = completions.size();
        completions.emplace_back();
        completions[slot].batch_status = core::Internal("not completed");
      }
      items.push_back({s, payload, "brandweer", [this, slot](const store::WriteResult& r, const core::Status& st) {
                         std::lock_guard lock(mu);
                         completions[slot] = {r, st};
                       }});
    }
    return items;
  }
};

WriterOptions Options(std::size_t max_batch, std::size_t max_queue = 100) {
  WriterOptions o;
  o.max_batch = max_batch;
  o.max_queue = max_queue;
  return o;
}

// Drains what is queued on this thread: Run returns once the queue is empty after Stop.
void Drain(BatchWriter& writer) {
  writer.Stop();
  writer.Run();
}

TEST_CASE("queued signals commit in batches of at most max_batch, each completed after its commit",
          "[ingest][writer]") {
  Fixture f;
  BatchWriter writer(f.store, Options(3), "node-a", f.metrics);
  REQUIRE(writer.Enqueue(f.Items("a", 2)));
  REQUIRE(writer.Enqueue(f.Items("b", 4)));
  REQUIRE(writer.Enqueue(f.Items("c", 1)));
  CHECK(writer.depth() == 7);
  CHECK(f.metrics.queue_depth.Value() == 7);
  CHECK(f.completions[0].batch_status.code() == core::StatusCode::kInternal);  // nothing before a commit
  Drain(writer);
  CHECK(f.store.batch_sizes() == std::vector<std::size_t>{3, 3, 1});
  CHECK(f.store.stored_count() == 7);
  CHECK(f.store.nodes() == std::vector<std::string>{"node-a", "node-a", "node-a"});
  for (const auto& c : f.completions) {
    CHECK(c.batch_status.ok());
    CHECK(c.result.outcome == store::WriteOutcome::kAccepted);
  }
  CHECK(f.store.stored().at({"brandweer-vr21", "b3"}).id == f.completions[5].result.signal_id);
  CHECK(writer.depth() == 0);
  CHECK(f.metrics.queue_depth.Value() == 0);
}

TEST_CASE("a full queue refuses the whole request and enqueues none of it", "[ingest][writer]") {
  Fixture f;
  BatchWriter writer(f.store, Options(10, /*max_queue=*/5), "node-a", f.metrics);
  CHECK(f.metrics.queue_capacity.Value() == 5);
  REQUIRE(writer.Enqueue(f.Items("a", 3)));
  CHECK_FALSE(writer.Enqueue(f.Items("b", 3)));
  CHECK(writer.depth() == 3);
  REQUIRE(writer.Enqueue(f.Items("c", 2)));
  CHECK(writer.depth() == 5);
  CHECK_FALSE(writer.Enqueue(f.Items("d", 1)));
  Drain(writer);
  CHECK(f.store.stored_count() == 5);
  CHECK(f.store.stored().count({"brandweer-vr21", "b0"}) == 0);
  CHECK_FALSE(writer.Enqueue(f.Items("e", 1)));  // stopped: refused, never silently dropped
}

TEST_CASE("with the database down every item completes with UNAVAILABLE and nothing is stored or acknowledged",
          "[ingest][writer]") {
  Fixture f;
  BatchWriter writer(f.store, Options(2), "node-a", f.metrics);
  f.store.faults().FailEverything(core::Unavailable("connection refused"));
  writer.EnqueueAudit({"token:t1 partner:brandweer", "10.0.0.1", "ingest.submit", "{}", "ok"});
  REQUIRE(writer.Enqueue(f.Items("a", 5)));
  Drain(writer);
  CHECK(f.store.stored_count() == 0);
  CHECK(f.store.faults().Calls("WriteSignals") == 3);
  CHECK(f.metrics.batches_failed.Value() == 3);
  CHECK(f.metrics.audit_dropped.Value() == 1);  // its transaction failed: counted, not silently lost
  for (const auto& c : f.completions) {
    CHECK(c.batch_status.code() == core::StatusCode::kUnavailable);
    CHECK(c.result.signal_id.empty());
  }
}

TEST_CASE(
    "after an in-doubt commit the items complete UNKNOWN, and writing them again returns the stored ids as "
    "DUPLICATE",
    "[ingest][writer]") {
  Fixture f;
  f.store.faults().FailCall("WriteSignals", 1, core::Unknown("connection lost during COMMIT"), FaultPlan::When::kAfter);
  {
    BatchWriter writer(f.store, Options(10), "node-a", f.metrics);
    REQUIRE(writer.Enqueue(f.Items("a", 3)));
    Drain(writer);
  }
  for (const auto& c : f.completions) {
    CHECK(c.batch_status.code() == core::StatusCode::kUnknown);
  }
  REQUIRE(f.store.stored_count() == 3);  // the commit did happen
  f.completions.clear();
  BatchWriter retry(f.store, Options(10), "node-a", f.metrics);
  REQUIRE(retry.Enqueue(f.Items("a", 3)));
  Drain(retry);
  CHECK(f.store.stored_count() == 3);  // nothing doubled
  for (int i = 0; i < 3; ++i) {
    const auto& c = f.completions[static_cast<std::size_t>(i)];
    CHECK(c.batch_status.ok());
    CHECK(c.result.outcome == store::WriteOutcome::kDuplicate);
    CHECK(c.result.signal_id == f.store.stored().at({"brandweer-vr21", "a" + std::to_string(i)}).id);
  }
}

TEST_CASE("a row the database refuses fails alone while its neighbours in the batch are stored", "[ingest][writer]") {
  Fixture f;
  f.store.Refuse("a1", core::FailedPrecondition("violates check constraint"));
  BatchWriter writer(f.store, Options(10), "node-a", f.metrics);
  REQUIRE(writer.Enqueue(f.Items("a", 3)));
  Drain(writer);
  REQUIRE(f.completions.size() == 3);
  CHECK(f.completions[0].result.outcome == store::WriteOutcome::kAccepted);
  CHECK(f.completions[1].result.outcome == store::WriteOutcome::kFailed);
  CHECK(f.completions[1].result.error.code() == core::StatusCode::kFailedPrecondition);
  CHECK(f.completions[2].result.outcome == store::WriteOutcome::kAccepted);
  for (const auto& c : f.completions) {
    CHECK(c.batch_status.ok());
  }
  CHECK(f.store.stored_count() == 2);
  CHECK(f.metrics.batches_failed.Value() == 0);
}

TEST_CASE("audit records ride in the next transaction, beyond max_audit_queue they are dropped and counted",
          "[ingest][writer]") {
  Fixture f;
  WriterOptions options = Options(10);
  options.max_audit_queue = 2;
  BatchWriter writer(f.store, options, "node-a", f.metrics);
  for (int i = 0; i < 3; ++i) {
    writer.EnqueueAudit({"token:t1 partner:brandweer", "", "ingest.submit", "{}", std::to_string(i)});
  }
  CHECK(f.metrics.audit_dropped.Value() == 1);
  Drain(writer);  // no signals: the audit records alone make a transaction
  CHECK(f.store.batch_sizes() == std::vector<std::size_t>{0});
  const auto audit = f.store.audit();
  REQUIRE(audit.size() == 2);
  CHECK(audit[0].result == "0");
  CHECK(audit[1].result == "1");
}

TEST_CASE("with max_wait a non-full batch waits to grow to max_batch, and Stop ends the wait", "[ingest][writer]") {
  Fixture f;
  WriterOptions options = Options(3);
  options.max_wait = std::chrono::hours(1);  // only a full batch or Stop may end it
  BatchWriter writer(f.store, options, "node-a", f.metrics);
  std::promise<void> first_batch;
  auto items = f.Items("a", 1);
  auto done = items[0].done;
  items[0].done = [&, done](const store::WriteResult& r, const core::Status& s) {
    done(r, s);
    first_batch.set_value();
  };
  std::thread loop([&] { writer.Run(); });
  REQUIRE(writer.Enqueue(std::move(items)));
  REQUIRE(writer.Enqueue(f.Items("b", 2)));
  const bool committed = first_batch.get_future().wait_for(std::chrono::seconds(30)) == std::future_status::ready;
  CHECK(committed);
  REQUIRE(writer.Enqueue(f.Items("c", 1)));  // waits (an hour) for two more ...
  writer.Stop();                             // ... until Stop
  loop.join();
  CHECK(f.store.batch_sizes() == std::vector<std::size_t>{3, 1});
  CHECK(f.store.stored_count() == 4);
}

}  // namespace
}  // namespace vik::ingest
