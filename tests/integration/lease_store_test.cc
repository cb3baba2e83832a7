// The leader lease in the store against a real PostgreSQL: terms, epochs and the fence.

#include <thread>

#include <prometheus/registry.h>
#include <catch2/catch.hpp>

#include "cluster/leader_lease.h"
#include "store/store.h"
#include "support/postgres.h"
#include "support/process.h"

namespace {

using std::chrono::milliseconds;

std::unique_ptr<vik::store::Store> MigratedStore(const std::string& dsn, prometheus::Registry& registry) {
  vik::store::StoreOptions options;
  options.dsn = dsn;
  options.pool_size = 2;
  auto store = vik::store::Store::Open(options, registry);
  REQUIRE(store.ok());
  REQUIRE((*store)->Migrate().ok());
  return std::move(store).value();
}

}  // namespace

TEST_CASE("a lease is taken only when free or expired, and every takeover increments the epoch", "[lease]") {
  vik::testing::FreshDatabase db;
  prometheus::Registry registry;
  auto store = MigratedStore(db.dsn(), registry);

  auto a = store->AcquireLease("L", "a", milliseconds(300));
  REQUIRE(a.ok());
  REQUIRE(a->has_value());
  CHECK(**a == 1);
  auto b = store->AcquireLease("L", "b", milliseconds(300));
  REQUIRE(b.ok());
  CHECK_FALSE(b->has_value());  // a's term is still running

  REQUIRE(vik::testing::WaitUntil(
      [&] {
        auto again = store->AcquireLease("L", "b", milliseconds(5000));
        return again.ok() && again->has_value() && **again == 2;
      },
      std::chrono::seconds(5)));
  auto info = store->ReadLease("L");
  REQUIRE(info.ok());
  CHECK(info->holder == std::optional<std::string>("b"));
  CHECK(info->epoch == 2);
  CHECK(info->valid);
  // Both acquisitions are in the audit log.
  CHECK(vik::testing::QueryValue(db.dsn(), "SELECT count(*) FROM audit_log WHERE action = 'lease.acquire'") == "2");
}

TEST_CASE("a stale holder can neither renew nor pass the fence, and a release frees the lease at once", "[lease]") {
  vik::testing::FreshDatabase db;
  prometheus::Registry registry;
  auto store = MigratedStore(db.dsn(), registry);

  REQUIRE(**store->AcquireLease("L", "a", milliseconds(200)));
  const vik::store::Fence stale{"L", "a", 1};
  REQUIRE(vik::testing::WaitUntil(
      [&] {
        auto b = store->AcquireLease("L", "b", milliseconds(5000));
        return b.ok() && b->has_value();
      },
      std::chrono::seconds(5)));

  auto renewed = store->RenewLease(stale, milliseconds(5000));
  REQUIRE(renewed.ok());
  CHECK_FALSE(*renewed);
  CHECK(store->WriteHeartbeat(stale, std::chrono::hours(1)).code() == vik::core::StatusCode::kFailedPrecondition);
  CHECK(vik::testing::QueryValue(db.dsn(), "SELECT count(*) FROM leader_heartbeats") == "0");

  const vik::store::Fence current{"L", "b", 2};
  CHECK(store->WriteHeartbeat(current, std::chrono::hours(1)).ok());
  CHECK(vik::testing::QueryValue(db.dsn(), "SELECT epoch FROM leader_heartbeats") == "2");

  REQUIRE(store->ReleaseLease(current).ok());
  auto c = store->AcquireLease("L", "c", milliseconds(5000));
  REQUIRE(c.ok());
  REQUIRE(c->has_value());
  CHECK(**c == 3);
}

TEST_CASE("a bid never takes over under a singleton write in flight, so lease terms never overlap", "[lease]") {
  vik::testing::FreshDatabase db;
  prometheus::Registry registry;
  auto store = MigratedStore(db.dsn(), registry);
  REQUIRE(**store->AcquireLease("L", "a", milliseconds(300)));

  // Hold the fence open (row share-locked) past the lease expiry in a separate session.
  std::thread slow_writer([&] {
    vik::testing::ExecSql(db.dsn(),
                          "BEGIN; SELECT 1 FROM leases WHERE name = 'L' AND holder = 'a' AND epoch = 1 "
                          "AND expires_at > clock_timestamp() FOR SHARE; SELECT pg_sleep(1.5); "
                          "INSERT INTO leader_heartbeats (lease, holder, epoch) VALUES ('L', 'a', 1); COMMIT;");
  });
  std::this_thread::sleep_for(milliseconds(500));  // the lease has expired; the writer still holds the fence
  // The bid gives up after its lock_timeout instead of waiting for the (possibly frozen) writer.
  auto blocked = store->AcquireLease("L", "b", milliseconds(5000));
  CHECK(blocked.status().code() == vik::core::StatusCode::kAborted);
  slow_writer.join();
  auto b = store->AcquireLease("L", "b", milliseconds(5000));
  REQUIRE(b.ok());
  REQUIRE(b->has_value());
  REQUIRE(store->WriteHeartbeat({"L", "b", **b}, std::chrono::hours(1)).ok());
  // The takeover committed after the old term's last write.
  CHECK(vik::testing::QueryValue(db.dsn(),
                                 "SELECT (SELECT max(at) FROM leader_heartbeats WHERE epoch = 1) < "
                                 "(SELECT acquired_at FROM leases WHERE name = 'L')") == "t");
}

TEST_CASE("the leader steps down by its local deadline when the database stops answering", "[lease][slow]") {
  vik::testing::PrivatePostgres pg;
  prometheus::Registry registry;
  auto store = MigratedStore(pg.dsn(), registry);
  vik::core::SystemClock clock;
  vik::cluster::ClusterMetrics metrics(registry);
  vik::cluster::LeaseOptions options;
  options.ttl = milliseconds(1500);
  options.renew_interval = milliseconds(300);
  vik::cluster::LeaderLease lease(*store, options, "solo", clock, metrics);
  lease.Tick();
  REQUIRE(lease.IsLeader());
  pg.Stop();
  const auto stopped = std::chrono::steady_clock::now();
  REQUIRE(vik::testing::WaitUntil(
      [&] {
        lease.Tick();
        return !lease.IsLeader();
      },
      std::chrono::seconds(5)));
  CHECK(std::chrono::steady_clock::now() - stopped <= options.ttl);
  CHECK(metrics.renew_failures.Value() >= 1);
  CHECK_FALSE(lease.fence().has_value());
}
