// store::MakeMigration, OrderMigrations, PlanMigrations, EmbeddedMigrations and Sha256Hex: the pure
// rules of schema migration. No database.

#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "store/checksum.h"
#include "store/migration_set.h"

namespace vik::store {
namespace {

Migration Mig(const std::string& filename, const std::string& sql = "SELECT 1;") {
  auto m = MakeMigration(filename, sql);
  REQUIRE(m.ok());
  return std::move(m).value();
}

AppliedMigration AppliedFrom(const Migration& m) { return {m.version, m.name, m.checksum}; }

std::vector<int> Versions(const std::vector<Migration>& ms) {
  std::vector<int> out;
  for (const auto& m : ms) {
    out.push_back(m.version);
  }
  return out;
}

TEST_CASE("Sha256Hex matches the FIPS 180-2 test vectors", "[store][checksum]") {
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("a migration file name gives its version, name and checksum", "[store][migrations]") {
  const Migration m = Mig("0001_instances.sql", "CREATE TABLE t ();");
  CHECK(m.version == 1);
  CHECK(m.name == "instances");
  CHECK(m.filename == "0001_instances.sql");
  CHECK(m.sql == "CREATE TABLE t ();");
  CHECK(m.checksum == Sha256Hex("CREATE TABLE t ();"));

  CHECK(Mig("12345_add_index_2.sql").version == 12345);
}

TEST_CASE("migration file names not shaped NNNN_name.sql are rejected", "[store][migrations]") {
  for (const char* name : {"1_x.sql", "001_x.sql", "0001-x.sql", "0001_.sql", "0001_X.sql", "0001_has-dash.sql",
                           "0001_x.SQL", "0001_x.sql.bak", "0001_x", "x_0001.sql", "", "99999999999_huge.sql"}) {
    INFO('"' << name << '"');
    const auto m = MakeMigration(name, "SELECT 1;");
    REQUIRE_FALSE(m.ok());
    CHECK(m.status().code() == core::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("OrderMigrations sorts migrations by version", "[store][migrations]") {
  const auto ordered = OrderMigrations({Mig("0003_c.sql"), Mig("0001_a.sql"), Mig("0002_b.sql")});
  REQUIRE(ordered.ok());
  CHECK(Versions(*ordered) == std::vector<int>{1, 2, 3});
}

TEST_CASE("OrderMigrations accepts an empty set", "[store][migrations]") {
  const auto ordered = OrderMigrations({});
  REQUIRE(ordered.ok());
  CHECK(ordered->empty());
}

TEST_CASE("OrderMigrations names the missing version when there is a gap", "[store][migrations]") {
  const auto gap = OrderMigrations({Mig("0001_a.sql"), Mig("0003_c.sql")});
  REQUIRE_FALSE(gap.ok());
  CHECK(gap.status().code() == core::StatusCode::kInvalidArgument);
  CHECK_THAT(gap.status().message(), Catch::Contains("version 2 is missing") && Catch::Contains("0003_c.sql"));

  const auto no_first = OrderMigrations({Mig("0002_b.sql")});
  REQUIRE_FALSE(no_first.ok());
  CHECK_THAT(no_first.status().message(), Catch::Contains("version 1 is missing"));
}

TEST_CASE("OrderMigrations names both files when two share a version", "[store][migrations]") {
  const auto dup = OrderMigrations({Mig("0001_a.sql"), Mig("0002_b.sql"), Mig("0002_other.sql")});
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.status().code() == core::StatusCode::kInvalidArgument);
  CHECK_THAT(dup.status().message(),
             Catch::Contains("0002_b.sql") && Catch::Contains("0002_other.sql") && Catch::Contains("same version"));
}

TEST_CASE("PlanMigrations returns every migration, in order, for an empty database", "[store][migrations]") {
  const std::vector<Migration> known = {Mig("0001_a.sql"), Mig("0002_b.sql")};
  const auto plan = PlanMigrations(known, {});
  REQUIRE(plan.ok());
  CHECK(Versions(*plan) == std::vector<int>{1, 2});
}

TEST_CASE("PlanMigrations returns only the migrations the database has not applied", "[store][migrations]") {
  const std::vector<Migration> known = {Mig("0001_a.sql"), Mig("0002_b.sql"), Mig("0003_c.sql")};
  const auto plan = PlanMigrations(known, {AppliedFrom(known[0])});
  REQUIRE(plan.ok());
  CHECK(Versions(*plan) == std::vector<int>{2, 3});

  const auto none = PlanMigrations(known, {AppliedFrom(known[0]), AppliedFrom(known[1]), AppliedFrom(known[2])});
  REQUIRE(none.ok());
  CHECK(none->empty());
}

TEST_CASE("PlanMigrations refuses a database newer than the binary", "[store][migrations]") {
  const std::vector<Migration> known = {Mig("0001_a.sql")};
  const auto plan = PlanMigrations(known, {AppliedFrom(known[0]), {2, "future", "00ff"}});
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.status().code() == core::StatusCode::kFailedPrecondition);
  CHECK_THAT(plan.status().message(),
             Catch::Contains("newer") && Catch::Contains("migration 2 (future)") && Catch::Contains("up to 1"));
}

TEST_CASE("PlanMigrations can be told to tolerate a newer database", "[store][migrations]") {
  const std::vector<Migration> known = {Mig("0001_a.sql"), Mig("0002_b.sql")};
  const auto plan = PlanMigrations(known, {AppliedFrom(known[0]), {3, "future", "00ff"}}, /*allow_newer=*/true);
  REQUIRE(plan.ok());
  CHECK(Versions(*plan) == std::vector<int>{2});
}

TEST_CASE("PlanMigrations refuses an edited file even when tolerating a newer database", "[store][migrations]") {
  const std::vector<Migration> known = {Mig("0001_a.sql", "SELECT 2;")};
  const auto plan = PlanMigrations(known, {AppliedFrom(Mig("0001_a.sql", "SELECT 1;"))}, /*allow_newer=*/true);
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.status().code() == core::StatusCode::kFailedPrecondition);
  CHECK_THAT(plan.status().message(), Catch::Contains("changed"));
}

TEST_CASE("PlanMigrations refuses a migration file edited after it was applied", "[store][migrations]") {
  const std::vector<Migration> known = {Mig("0001_a.sql", "CREATE TABLE a (x int);")};
  const AppliedMigration applied = AppliedFrom(Mig("0001_a.sql", "CREATE TABLE a ();"));
  const auto plan = PlanMigrations(known, {applied});
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.status().code() == core::StatusCode::kFailedPrecondition);
  CHECK_THAT(plan.status().message(), Catch::Contains("0001_a.sql") && Catch::Contains("changed"));
}

TEST_CASE("the embedded migrations start with 0001 and are ordered without gaps", "[store][migrations]") {
  const auto embedded = EmbeddedMigrations();
  REQUIRE(embedded.ok());
  REQUIRE_FALSE(embedded->empty());
  const Migration& first = embedded->front();
  CHECK(first.version == 1);
  CHECK(first.filename == "0001_instances.sql");
  CHECK_THAT(first.sql, Catch::Contains("CREATE TABLE instances"));
  CHECK(first.checksum == Sha256Hex(first.sql));
  for (std::size_t i = 0; i < embedded->size(); ++i) {
    CHECK((*embedded)[i].version == static_cast<int>(i) + 1);
  }
}

}  // namespace
}  // namespace vik::store
