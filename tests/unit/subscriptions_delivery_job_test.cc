// subscriptions::DeliveryJob against an in-memory delivery store (fakes/fake_delivery_store.h), a
// scripted receiver (the job's Post seam) and a fake clock: enqueue and delivery, the retry
// schedule on receiver errors, dead letters, and the degraded paths (database down, fenced writes,
// an in-doubt record of outcomes: at least once).

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include <prometheus/registry.h>
#include <catch2/catch.hpp>

#include "core/blocking_pool.h"
#include "core/clock.h"
#include "core/logging.h"
#include "fakes/fake_delivery_store.h"
#include "store/fence_status.h"
#include "subscriptions/delivery_job.h"
#include "subscriptions/webhook_signature.h"

namespace vik::subscriptions {
namespace {

using std::chrono::milliseconds;

// The receiver: answers every POST with `status` (0: no answer, the connection failed) and keeps
// what it was sent.
class Receiver {
 public:
  DeliveryJob::Post AsPost() {
    return [this](const net::PostRequest& request) -> core::Result<net::PostResponse> {
      std::lock_guard lock(mu_);
      requests_.push_back(request);
      if (status_ == 0) {
        return core::Unavailable("connect: connection refused");
      }
      net::PostResponse response;
      response.status = status_;
      return response;
    };
  }
  void Answer(int status) {
    std::lock_guard lock(mu_);
    status_ = status;
  }
  std::vector<net::PostRequest> Requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  int status_ = 200;
  std::vector<net::PostRequest> requests_;
};

std::string Header(const net::PostRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) {
      return v;
    }
  }
  return "";
}

struct Fixture {
  Fixture() : job(store, senders, clock, Options(), core::ModuleLogger("subscriptions"), metrics, receiver.AsPost()) {
    senders.Start();
    store.fence.Grant(fence);
    store.AddSubscription("sub-1", "{}", "https://receiver.example/hook");
  }

  static DeliveryOptions Options() {
    DeliveryOptions o;
    o.region = "VR07";
    o.max_attempts = 3;
    o.min_backoff = milliseconds(1000);
    o.max_backoff = milliseconds(600000);
    return o;
  }
  core::Status Round() {
    return job.Round(fence, [] { return true; });
  }
  double Results(const char* result) { return metrics.deliveries.Add({{"result", result}}).Value(); }

  core::FakeClock clock{core::WallTime{} + std::chrono::hours(24 * 365 * 56)};
  testing::FakeDeliveryStore store{clock};
  core::BlockingPool senders{"test-webhook", 2, 16};
  prometheus::Registry registry;
  DeliveryMetrics metrics{registry};
  Receiver receiver;
  store::Fence fence{"vik-leader", "node-a", 3};
  DeliveryJob job;
};

TEST_CASE("A matching change is enqueued and delivered once, signed and with its delivery id", "[unit][webhooks]") {
  Fixture f;
  f.store.AddChange("signal.accepted", "sig-1");
  REQUIRE(f.Round().ok());
  const auto deliveries = f.store.Deliveries();
  REQUIRE(deliveries.size() == 1);
  CHECK(deliveries[0].state == "delivered");
  const auto sent = f.receiver.Requests();
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].url == "https://receiver.example/hook");
  CHECK(Header(sent[0], "Vik-Delivery-Id") == deliveries[0].id);
  CHECK(Header(sent[0], "Vik-Subscription-Id") == "sub-1");
  CHECK(Header(sent[0], "Vik-Signature") == SignatureHeader("s3cret", Header(sent[0], "Vik-Timestamp"), sent[0].body));
  CHECK(sent[0].body.find("sig-1") != std::string::npos);
  CHECK(f.store.Cursor() == deliveries[0].cursor);
  REQUIRE(f.Round().ok());  // nothing new: nothing sent again
  CHECK(f.receiver.Requests().size() == 1);
  CHECK(f.Results("delivered") == 1);
}

TEST_CASE("A change outside a subscription's filter is not enqueued for it", "[unit][webhooks]") {
  Fixture f;
  f.store.AddSubscription("sub-risks", R"({"kinds": ["risk.changed"]})", "https://other.example/hook");
  f.store.AddChange("signal.accepted", "sig-1");
  REQUIRE(f.Round().ok());
  const auto deliveries = f.store.Deliveries();
  REQUIRE(deliveries.size() == 1);
  CHECK(deliveries[0].subscription == "sub-1");
}

TEST_CASE("Receiver errors are retried on the doubling schedule with jitter, then the delivery is dead",
          "[unit][webhooks]") {
  Fixture f;  // max_attempts 3, min_backoff 1 s
  f.receiver.Answer(503);
  f.store.AddChange("signal.accepted", "sig-1");
  REQUIRE(f.Round().ok());
  auto d = f.store.Deliveries().at(0);
  REQUIRE(d.backoffs_ms.size() == 1);
  CHECK(d.backoffs_ms[0] >= 500);
  CHECK(d.backoffs_ms[0] <= 1000);
  CHECK(d.last_error == "HTTP 503");
  CHECK(d.state == "pending");

  REQUIRE(f.Round().ok());  // not due yet: not sent
  CHECK(f.receiver.Requests().size() == 1);

  f.clock.Advance(milliseconds(d.backoffs_ms[0]));
  f.receiver.Answer(0);  // now the connection fails
  REQUIRE(f.Round().ok());
  d = f.store.Deliveries().at(0);
  REQUIRE(d.backoffs_ms.size() == 2);
  CHECK(d.backoffs_ms[1] >= 1000);
  CHECK(d.backoffs_ms[1] <= 2000);
  CHECK(d.last_error.find("connection refused") != std::string::npos);

  f.clock.Advance(milliseconds(d.backoffs_ms[1]));
  f.receiver.Answer(500);
  REQUIRE(f.Round().ok());
  d = f.store.Deliveries().at(0);
  CHECK(d.state == "dead");
  CHECK(d.backoffs_ms.back() == -1);
  CHECK(f.receiver.Requests().size() == 3);
  CHECK(f.Results("retry") == 2);
  CHECK(f.Results("dead") == 1);
  CHECK(f.metrics.dead.Value() == 1);
  CHECK(f.metrics.pending.Value() == 0);
  // All three attempts carried the same delivery id: the receiver can deduplicate.
  for (const auto& r : f.receiver.Requests()) {
    CHECK(Header(r, "Vik-Delivery-Id") == d.id);
  }
}

TEST_CASE("A subscription's next delivery waits while its head is pending retry", "[unit][webhooks]") {
  Fixture f;
  f.receiver.Answer(500);
  f.store.AddChange("signal.accepted", "sig-1");
  f.store.AddChange("signal.accepted", "sig-2");
  REQUIRE(f.Round().ok());
  const auto sent = f.receiver.Requests();
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].body.find("sig-1") != std::string::npos);
}

TEST_CASE("With the database down a round fails with its error and sends nothing", "[unit][webhooks]") {
  Fixture f;
  f.store.AddChange("signal.accepted", "sig-1");
  f.store.faults.FailEverything(core::Unavailable("database down"));
  const core::Status s = f.Round();
  CHECK(s.code() == core::StatusCode::kUnavailable);
  CHECK_FALSE(store::IsFenced(s));
  CHECK(f.receiver.Requests().empty());
  f.store.faults.Heal();
  REQUIRE(f.Round().ok());
  CHECK(f.store.Deliveries().at(0).state == "delivered");
}

TEST_CASE("A fenced enqueue ends the round reporting fenced: nothing enqueued, nothing sent", "[unit][webhooks]") {
  Fixture f;
  f.store.AddChange("signal.accepted", "sig-1");
  f.store.fence.Revoke();
  const core::Status s = f.Round();
  CHECK(store::IsFenced(s));
  CHECK(f.store.Deliveries().empty());
  CHECK(f.store.Cursor() == store::ChangeCursor{});
  CHECK(f.receiver.Requests().empty());
}

TEST_CASE("A fenced record of outcomes reports fenced and leaves the delivery pending for the next leader",
          "[unit][webhooks]") {
  Fixture f;
  f.store.AddChange("signal.accepted", "sig-1");
  f.store.faults.FailCall("RecordDeliveries", 1, store::FencedStatus(f.fence));
  const core::Status s = f.Round();
  CHECK(store::IsFenced(s));
  CHECK(f.receiver.Requests().size() == 1);  // sent, but not recorded: at least once
  CHECK(f.store.Deliveries().at(0).state == "pending");
  CHECK(f.Results("delivered") == 0);
}

TEST_CASE("After an in-doubt enqueue the next round neither loses nor doubles a delivery", "[unit][webhooks]") {
  Fixture f;
  f.receiver.Answer(500);  // keep deliveries pending so they can be counted
  f.store.AddChange("signal.accepted", "sig-1");
  f.store.faults.FailCall("EnqueueDeliveries", 1, core::Unknown("connection lost during commit"),
                          testing::FaultPlan::When::kAfter);
  CHECK(f.Round().code() == core::StatusCode::kUnknown);
  REQUIRE(f.Round().ok());  // reads the committed cursor: the change is not enqueued again
  CHECK(f.store.Deliveries().size() == 1);
}

TEST_CASE("Idle sets the leader-only gauges to zero", "[unit][webhooks]") {
  Fixture f;
  f.receiver.Answer(500);
  f.store.AddChange("signal.accepted", "sig-1");
  REQUIRE(f.Round().ok());
  CHECK(f.metrics.pending.Value() == 1);
  f.job.Idle();
  CHECK(f.metrics.pending.Value() == 0);
}

}  // namespace
}  // namespace vik::subscriptions
