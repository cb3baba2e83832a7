// `vikd reference load`: the region's data files into a real database, all or nothing.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "support/admin_setup.h"
#include "support/postgres.h"
#include "support/vikd.h"

namespace {

using vik::testing::Admin;
using vik::testing::FreshDatabase;
using vik::testing::QueryValue;
using vik::testing::RunVikd;

const std::string kDir = std::string(VIK_SOURCE_DIR) + "/deploy/reference/vr21";

}  // namespace

TEST_CASE("vikd reference load writes the region's files, again without change, and audits it", "[e2e][reference]") {
  FreshDatabase db;
  Admin(db.dsn(), {"migrate"});
  const auto first = Admin(db.dsn(), {"reference", "load", kDir});
  CHECK_THAT(first.out, Catch::Contains("loaded 109 rows from 8 files"));
  CHECK(QueryValue(db.dsn(), "SELECT province FROM regions WHERE code = 'VR21'") == "Noord-Brabant");
  CHECK(QueryValue(db.dsn(), "SELECT count(*) FROM grip_levels") == "7");
  CHECK(QueryValue(db.dsn(), "SELECT label_nl FROM impact_classes WHERE code = 'E'") == "catastrofaal");
  CHECK(QueryValue(db.dsn(), "SELECT successor FROM municipalities WHERE gm_code = 'GM0856'") == "GM1991");
  Admin(db.dsn(), {"reference", "load", kDir});
  CHECK(QueryValue(db.dsn(), "SELECT count(*) FROM regions") == "25");
  CHECK(QueryValue(db.dsn(), "SELECT count(*) FROM audit_log WHERE action = 'reference.load'") == "2");
}

TEST_CASE("an invalid reference file loads nothing and names file and line", "[e2e][reference]") {
  FreshDatabase db;
  Admin(db.dsn(), {"migrate"});
  const std::string dir =
      std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/vik-ref-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir + "/impact_classes.tsv") << "code\tlabel_nl\tlabel_en\nA\tgewijzigd\tchanged\n";
    std::ofstream(dir + "/grip_levels.tsv") << "code\tordinal\tlabel\tdescription\n1\t1\tGRIP 1\tx\nX\t2\tGRIP X\ty\n";
  }
  auto run = RunVikd({"reference", "load", dir, "--db", db.dsn()});
  std::filesystem::remove_all(dir);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("grip_levels.tsv:3: code \"X\" is not a GRIP level 0 to 9 or RIJK"));
  // The valid file was not applied either (migration 0010 seeds class A as "beperkt").
  CHECK(QueryValue(db.dsn(), "SELECT label_nl FROM impact_classes WHERE code = 'A'") == "beperkt");
}
