// cluster::LeaderLease against an in-memory lease store (fakes/fake_lease_store.h) and a fake
// clock: taking, renewing, losing and giving up the lease, and its degraded paths (database down
// mid-term, a fenced write, an in-doubt bid).

#include <chrono>

#include <prometheus/registry.h>
#include <catch2/catch.hpp>

#include "cluster/leader_lease.h"
#include "core/clock.h"
#include "fakes/fake_lease_store.h"

namespace vik::cluster {
namespace {

using std::chrono::milliseconds;

struct Fixture {
  Fixture() : lease(store, Options(), "node-a", clock, metrics) {}

  static LeaseOptions Options() {
    LeaseOptions o;
    o.name = "vik-leader";
    o.ttl = milliseconds(3000);
    o.renew_interval = milliseconds(1000);
    o.safety_margin = milliseconds(300);
    return o;
  }

  // The process's clock and the database's are the same fake here: both advance together.
  core::FakeClock clock{core::WallTime{} + std::chrono::hours(24 * 365 * 56)};
  testing::FakeLeaseStore store{clock};
  prometheus::Registry registry;
  ClusterMetrics metrics{registry};
  LeaderLease lease;
};

TEST_CASE("A follower takes a free lease on its first tick and gets the fence of epoch 1", "[unit][lease]") {
  Fixture f;
  CHECK_FALSE(f.lease.IsLeader());
  CHECK_FALSE(f.lease.fence().has_value());
  f.lease.Tick();
  REQUIRE(f.lease.IsLeader());
  const auto fence = f.lease.fence();
  REQUIRE(fence.has_value());
  CHECK(fence->lease == "vik-leader");
  CHECK(fence->holder == "node-a");
  CHECK(fence->epoch == 1);
  CHECK(f.metrics.acquired.Value() == 1);
  CHECK(f.metrics.is_leader.Value() == 1);
}

TEST_CASE("A follower does not take a lease another holder's running term holds", "[unit][lease]") {
  Fixture f;
  f.store.TakeOver("vik-leader", "node-b", milliseconds(3000));
  f.lease.Tick();
  CHECK_FALSE(f.lease.IsLeader());
  f.clock.Advance(milliseconds(3001));  // node-b's term expired in the database
  f.lease.Tick();
  REQUIRE(f.lease.IsLeader());
  CHECK(f.lease.epoch() == 2);
}

TEST_CASE("The leader's renewals keep it leading past its first TTL", "[unit][lease]") {
  Fixture f;
  f.lease.Tick();
  for (int i = 0; i < 10; ++i) {
    f.clock.Advance(milliseconds(1000));
    f.lease.Tick();
    REQUIRE(f.lease.IsLeader());
  }
  CHECK(f.store.faults.Calls("RenewLease") == 10);
  CHECK(f.lease.epoch() == 1);
  CHECK(f.metrics.lost.Value() == 0);
}

TEST_CASE("A leader whose lease was taken over steps down on the renewal that finds out", "[unit][lease]") {
  Fixture f;
  f.lease.Tick();
  f.store.TakeOver("vik-leader", "node-b", milliseconds(3000));
  CHECK(f.lease.IsLeader());  // it cannot know before it asks
  f.clock.Advance(milliseconds(1000));
  f.lease.Tick();
  CHECK_FALSE(f.lease.IsLeader());
  CHECK_FALSE(f.lease.fence().has_value());
  CHECK(f.metrics.lost.Value() == 1);
  CHECK(f.metrics.is_leader.Value() == 0);
}

TEST_CASE(
    "With the database down mid-term the leader stops at its local deadline, before the term ends in the "
    "database",
    "[unit][lease]") {
  Fixture f;
  f.lease.Tick();  // renewed at t0: the database's term ends at t0 + 3000 ms
  f.store.faults.FailEverything(core::Unavailable("database down"));
  f.clock.Advance(milliseconds(1000));
  f.lease.Tick();  // the renewal fails: still leader until t0 + 3000 - 300 ms
  CHECK(f.lease.IsLeader());
  CHECK(f.metrics.renew_failures.Value() == 1);
  f.clock.Advance(milliseconds(1699));  // t0 + 2699 ms
  CHECK(f.lease.IsLeader());
  f.clock.Advance(milliseconds(1));  // t0 + 2700 ms: the local deadline, no tick needed
  CHECK_FALSE(f.lease.IsLeader());
  CHECK_FALSE(f.lease.fence().has_value());  // no singleton write after the term
  // The database would still refuse a takeover for another 300 ms: the two terms never overlap.
  CHECK(f.clock.Now() < f.store.Read("vik-leader").expires_at);
  f.lease.Tick();  // steps down and bids, which fails too
  CHECK_FALSE(f.lease.IsLeader());
  CHECK(f.metrics.lost.Value() == 1);
}

TEST_CASE("A leader whose database comes back before its local deadline keeps leading on the same epoch",
          "[unit][lease]") {
  Fixture f;
  f.lease.Tick();
  f.store.faults.FailCall("RenewLease", 1, core::Unavailable("connection reset"));
  f.clock.Advance(milliseconds(1000));
  f.lease.Tick();
  f.clock.Advance(milliseconds(1000));
  f.lease.Tick();  // renewed: a fresh local deadline
  f.clock.Advance(milliseconds(2000));
  CHECK(f.lease.IsLeader());
  CHECK(f.lease.epoch() == 1);
}

TEST_CASE("A fenced singleton write makes the leader step down at once and is counted", "[unit][lease]") {
  Fixture f;
  f.lease.Tick();
  f.lease.OnFenced("picture keeper");
  CHECK_FALSE(f.lease.IsLeader());
  CHECK_FALSE(f.lease.fence().has_value());
  CHECK(f.metrics.fenced_writes.Value() == 1);
  CHECK(f.metrics.lost.Value() == 1);
}

TEST_CASE("A leader frozen past its term steps down on waking and its next bid takes a new epoch", "[unit][lease]") {
  Fixture f;
  f.lease.Tick();
  f.clock.Advance(milliseconds(2500));  // renewals were late: the database's term ends at 3000 ms
  f.lease.Tick();                       // renewed in time
  f.clock.Advance(milliseconds(3500));  // the process froze past the database's term
  f.lease.Tick();                       // the local deadline passed: steps down and bids again
  REQUIRE(f.lease.IsLeader());
  CHECK(f.lease.epoch() == 2);
  CHECK(f.metrics.lost.Value() == 1);
  CHECK(f.metrics.acquired.Value() == 2);
}

TEST_CASE("A bid committed in doubt is not a term the instance leads on, it bids again once that term expires",
          "[unit][lease]") {
  Fixture f;
  f.store.faults.FailCall("AcquireLease", 1, core::Unknown("connection lost during commit"),
                          testing::FaultPlan::When::kAfter);
  f.lease.Tick();
  CHECK_FALSE(f.lease.IsLeader());
  CHECK(f.store.Read("vik-leader").holder == "node-a");  // the database has it, the process does not
  f.clock.Advance(milliseconds(1000));
  f.lease.Tick();  // the term it does not know still runs: no second bid succeeds
  CHECK_FALSE(f.lease.IsLeader());
  f.clock.Advance(milliseconds(2001));
  f.lease.Tick();
  REQUIRE(f.lease.IsLeader());
  CHECK(f.lease.epoch() == 2);
}

TEST_CASE("Release gives the lease up in the database and the instance never bids again", "[unit][lease]") {
  Fixture f;
  f.lease.Tick();
  f.lease.Release();
  CHECK_FALSE(f.lease.IsLeader());
  CHECK_FALSE(f.store.Read("vik-leader").holder.has_value());
  const int bids = f.store.faults.Calls("AcquireLease");
  f.lease.Tick();
  CHECK(f.store.faults.Calls("AcquireLease") == bids);
  CHECK_FALSE(f.lease.IsLeader());
}

}  // namespace
}  // namespace vik::cluster
