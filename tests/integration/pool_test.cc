// The connection pool against a real PostgreSQL: reconnects, exhaustion, outages, error mapping.

#include <future>
#include <thread>

#include <prometheus/registry.h>
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "store/connection_string.h"
#include "store/pg_pool.h"
#include "support/postgres.h"
#include "support/process.h"

namespace {

using vik::core::StatusCode;
using vik::store::PgPool;

struct PoolFixture {
  explicit PoolFixture(const std::string& dsn, std::size_t size = 2,
                       std::chrono::milliseconds acquire_timeout = std::chrono::milliseconds(2000),
                       std::chrono::milliseconds statement_timeout = std::chrono::milliseconds(10000))
      : metrics(registry) {
    vik::store::ConnectionSettings settings;
    settings.statement_timeout = statement_timeout;
    settings.connect_timeout = std::chrono::milliseconds(2000);
    auto conninfo = vik::store::BuildConnectionString(dsn, settings);
    REQUIRE(conninfo.ok());
    vik::store::PoolOptions options;
    options.conninfo = *conninfo;
    options.size = size;
    options.acquire_timeout = acquire_timeout;
    pool = std::make_unique<PgPool>(options, metrics);
  }

  vik::core::Result<int> BackendPid() {
    return pool->Run("backend pid", [](pqxx::connection& c) -> vik::core::Result<int> {
      pqxx::nontransaction n(c);
      return n.exec("SELECT pg_backend_pid()")[0][0].as<int>();
    });
  }

  prometheus::Registry registry;
  vik::store::StoreMetrics metrics;
  std::unique_ptr<PgPool> pool;
};

}  // namespace

TEST_CASE("a terminated session is reported as UNAVAILABLE once and replaced, never silently reactivated", "[pool]") {
  vik::testing::FreshDatabase db;
  PoolFixture f(db.dsn(), 1);
  auto pid = f.BackendPid();
  REQUIRE(pid.ok());
  vik::testing::ExecSql(vik::testing::AdminDsn(), "SELECT pg_terminate_backend(" + std::to_string(*pid) + ")");

  auto after_kill = f.BackendPid();
  REQUIRE_FALSE(after_kill.ok());
  CHECK(after_kill.status().code() == StatusCode::kUnavailable);

  auto fresh = f.BackendPid();
  REQUIRE(fresh.ok());
  CHECK(*fresh != *pid);
}

TEST_CASE("callers that cannot get a connection within the acquire timeout get RESOURCE_EXHAUSTED", "[pool]") {
  vik::testing::FreshDatabase db;
  PoolFixture f(db.dsn(), 1, std::chrono::milliseconds(200));
  std::promise<void> holding;
  std::promise<void> release;
  auto release_future = release.get_future().share();
  std::thread holder([&] {
    auto s = f.pool->Run("hold", [&](pqxx::connection&) -> vik::core::Status {
      holding.set_value();
      release_future.wait();
      return vik::core::Status::Ok();
    });
    CHECK(s.ok());
  });
  holding.get_future().wait();
  auto starved = f.BackendPid();
  release.set_value();
  holder.join();
  REQUIRE_FALSE(starved.ok());
  CHECK(starved.status().code() == StatusCode::kResourceExhausted);
  CHECK(f.BackendPid().ok());
}

TEST_CASE("an unreachable database gives UNAVAILABLE and later attempts back off instead of reconnecting", "[pool]") {
  const int port = vik::testing::FreePort();  // nothing listens here
  PoolFixture f("host=127.0.0.1 port=" + std::to_string(port) + " user=postgres dbname=vik", 2);
  auto first = f.BackendPid();
  REQUIRE_FALSE(first.ok());
  CHECK(first.status().code() == StatusCode::kUnavailable);
  auto second = f.BackendPid();
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == StatusCode::kUnavailable);
  CHECK_THAT(second.status().message(), Catch::Contains("next connection attempt in"));
  CHECK(f.metrics.connect_failures.Value() == 1);
}

TEST_CASE("the pool recovers after the database server restarts", "[pool][slow]") {
  vik::testing::PrivatePostgres pg;
  PoolFixture f(pg.dsn(), 2);
  REQUIRE(f.BackendPid().ok());
  pg.Stop();
  CHECK(f.BackendPid().status().code() == StatusCode::kUnavailable);
  pg.Start();
  CHECK(vik::testing::WaitUntil([&] { return f.BackendPid().ok(); }, std::chrono::seconds(15)));
}

TEST_CASE("database errors are translated into status codes once", "[pool]") {
  vik::testing::FreshDatabase db;
  vik::testing::ExecSql(db.dsn(), "CREATE TABLE t (id int PRIMARY KEY)");
  PoolFixture f(db.dsn(), 1, std::chrono::milliseconds(2000), std::chrono::milliseconds(200));
  auto exec = [&](const std::string& sql) {
    return f.pool->Run("test statement", [&](pqxx::connection& c) -> vik::core::Status {
      pqxx::work w(c);
      w.exec(sql);
      w.commit();
      return vik::core::Status::Ok();
    });
  };
  REQUIRE(exec("INSERT INTO t VALUES (1)").ok());
  auto dup = exec("INSERT INTO t VALUES (1)");
  CHECK(dup.code() == StatusCode::kAlreadyExists);
  CHECK_THAT(dup.message(), Catch::StartsWith("test statement: "));
  CHECK(exec("SELECT pg_sleep(2)").code() == StatusCode::kDeadlineExceeded);
  CHECK(exec("INSERT INTO t VALUES (NULL)").code() == StatusCode::kFailedPrecondition);
  CHECK(exec("SELEC broken").code() == StatusCode::kInternal);
  // The connection survived all of these: errors inside a transaction do not discard it.
  CHECK(f.metrics.connects.Value() == 1);
}
