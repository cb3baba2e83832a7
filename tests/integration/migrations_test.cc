// Migrations against a real PostgreSQL: each test gets a fresh database.

#include <filesystem>
#include <fstream>
#include <regex>

#include <prometheus/registry.h>
#include <catch2/catch.hpp>

#include "store/store.h"
#include "support/postgres.h"
#include "support/vikd.h"

namespace {

using vik::testing::FreshDatabase;
using vik::testing::QueryValue;

std::unique_ptr<vik::store::Store> OpenStore(const std::string& dsn, prometheus::Registry& registry,
                                             std::optional<std::filesystem::path> dir = std::nullopt) {
  vik::store::StoreOptions options;
  options.dsn = dsn;
  options.pool_size = 2;
  options.migrations_dir = std::move(dir);
  auto store = vik::store::Store::Open(options, registry);
  REQUIRE(store.ok());
  return std::move(store).value();
}

// A copy of migrations/ in a temp dir, to add or edit files without touching the repository.
struct MigrationsCopy {
  MigrationsCopy() {
    char tmpl[] = "/tmp/vik-mig-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    for (const auto& e : std::filesystem::directory_iterator(std::string(VIK_SOURCE_DIR) + "/migrations")) {
      std::filesystem::copy_file(e.path(), dir / e.path().filename());
    }
  }
  ~MigrationsCopy() { std::filesystem::remove_all(dir); }
  void Write(const std::string& name, const std::string& sql) const { std::ofstream(dir / name) << sql; }
  int Count() const {
    return static_cast<int>(
        std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()));
  }
  std::filesystem::path dir;
};

}  // namespace

TEST_CASE("migrate brings a fresh database to the binary's schema and records every migration", "[migrations]") {
  FreshDatabase db;
  prometheus::Registry registry;
  auto store = OpenStore(db.dsn(), registry);
  CHECK(store->CheckSchema().code() == vik::core::StatusCode::kFailedPrecondition);

  auto applied = store->Migrate();
  REQUIRE(applied.ok());
  CHECK(*applied == store->LatestSchemaVersion());
  CHECK(store->CheckSchema().ok());
  CHECK(QueryValue(db.dsn(), "SELECT count(*) FROM schema_migrations") == std::to_string(store->LatestSchemaVersion()));
  CHECK(QueryValue(db.dsn(), "SELECT checksum FROM schema_migrations WHERE version = 1").size() == 64);
  CHECK(QueryValue(db.dsn(), "SELECT to_regclass('instances') IS NOT NULL") == "t");
}

TEST_CASE("running migrate again on a current database is a no-op", "[migrations]") {
  FreshDatabase db;
  prometheus::Registry registry;
  auto store = OpenStore(db.dsn(), registry);
  REQUIRE(store->Migrate().ok());
  const std::string before = QueryValue(db.dsn(), "SELECT max(applied_at)::text FROM schema_migrations");
  auto again = store->Migrate();
  REQUIRE(again.ok());
  CHECK(*again == 0);
  CHECK(QueryValue(db.dsn(), "SELECT max(applied_at)::text FROM schema_migrations") == before);
}

TEST_CASE("concurrent vikd migrate processes apply each migration exactly once", "[migrations]") {
  FreshDatabase db;
  MigrationsCopy copy;
  // A slow migration widens the window in which the two processes overlap.
  const int slow_version = copy.Count() + 1;
  char name[64];
  std::snprintf(name, sizeof name, "%04d_slow_test_table.sql", slow_version);
  copy.Write(name, "SELECT pg_sleep(1.5);\nCREATE TABLE slow_test_table (id int PRIMARY KEY);\n");

  std::vector<std::string> args = {"migrate",         "--db",        db.dsn(), "--migrations-dir",
                                   copy.dir.string(), "--log-level", "warn"};
  std::vector<std::string> argv = {VIKD_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  vik::testing::ChildProcess first(argv);
  vik::testing::ChildProcess second(argv);
  auto code1 = first.Wait(std::chrono::seconds(60));
  auto code2 = second.Wait(std::chrono::seconds(60));
  REQUIRE(code1.has_value());
  REQUIRE(code2.has_value());
  INFO("first: " << first.Stdout() << first.Stderr() << "\nsecond: " << second.Stdout() << second.Stderr());
  CHECK(*code1 == 0);
  CHECK(*code2 == 0);

  std::smatch m;
  int total = 0;
  for (const std::string& out : {first.Stdout(), second.Stdout()}) {
    REQUIRE(std::regex_search(out, m, std::regex("applied ([0-9]+) migration")));
    total += std::stoi(m[1].str());
  }
  CHECK(total == slow_version);
  CHECK(QueryValue(db.dsn(), "SELECT count(*) FROM schema_migrations") == std::to_string(slow_version));
}

TEST_CASE("a migration file edited after it was applied is refused", "[migrations]") {
  FreshDatabase db;
  prometheus::Registry registry;
  REQUIRE(OpenStore(db.dsn(), registry)->Migrate().ok());

  MigrationsCopy copy;
  copy.Write("0001_instances.sql", "-- edited\nCREATE TABLE instances (node_id text);\n");
  prometheus::Registry registry2;
  auto tampered = OpenStore(db.dsn(), registry2, copy.dir);
  auto result = tampered->Migrate();
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == vik::core::StatusCode::kFailedPrecondition);
  CHECK_THAT(result.status().message(), Catch::Contains("0001_instances.sql was changed after it was applied"));
  CHECK(tampered->CheckSchema().code() == vik::core::StatusCode::kFailedPrecondition);

  auto run = vik::testing::RunVikd({"migrate", "--db", db.dsn(), "--migrations-dir", copy.dir.string()});
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.err, Catch::Contains("was changed after it was applied"));
}

TEST_CASE("a database newer than the binary is refused by migrate, readiness and serve", "[migrations]") {
  FreshDatabase db;
  prometheus::Registry registry;
  auto store = OpenStore(db.dsn(), registry);
  REQUIRE(store->Migrate().ok());
  vik::testing::ExecSql(db.dsn(),
                        "INSERT INTO schema_migrations (version, name, checksum, applied_by) "
                        "VALUES (9999, 'from_the_future', 'x', 'test')");

  auto migrated = store->Migrate();
  REQUIRE_FALSE(migrated.ok());
  CHECK(migrated.status().code() == vik::core::StatusCode::kFailedPrecondition);
  CHECK_THAT(migrated.status().message(), Catch::Contains("newer than this binary"));
  CHECK_THAT(store->CheckSchema().message(), Catch::Contains("newer than this binary"));

  auto serve = vik::testing::RunVikd({"serve", "--db", db.dsn(), "--http", "127.0.0.1:0", "--grpc", "127.0.0.1:0"});
  CHECK(serve.exit_code == 1);
  CHECK_THAT(serve.err, Catch::Contains("database schema is newer than this binary"));
}
