// The vikd command line: configuration errors stop start-up with exit code 2 and one line naming
// the setting.

#include <fstream>

#include <catch2/catch.hpp>

#include "support/vikd.h"

using vik::testing::RunVikd;

namespace {

// One line on stderr that contains `needle`.
void ExpectOneLineError(const vik::testing::VikdRun& run, const std::string& needle) {
  INFO("stderr: " << run.err);
  CHECK(run.exit_code == 2);
  CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
  CHECK_THAT(run.err, Catch::StartsWith("vikd: ") && Catch::Contains(needle));
}

std::string WriteConfig(const std::string& text) {
  char tmpl[] = "/tmp/vik-conf-XXXXXX";
  const int fd = mkstemp(tmpl);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream(tmpl) << text;
  return tmpl;
}

}  // namespace

TEST_CASE("version and help print and exit 0", "[e2e][cli]") {
  auto version = RunVikd({"version"});
  CHECK(version.exit_code == 0);
  CHECK_THAT(version.out, Catch::StartsWith("vikd ") && Catch::Contains("grpc 1.51"));
  auto help = RunVikd({"--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("vikd serve") && Catch::Contains("db.dsn") && Catch::Contains("--ports-file"));
}

TEST_CASE("bad command lines exit 2 with a one-line message naming what is wrong", "[e2e][cli]") {
  ExpectOneLineError(RunVikd({"serve", "--bogus", "x"}), "unknown flag --bogus");
  ExpectOneLineError(RunVikd({"frobnicate"}), "unknown command \"frobnicate\"");
  ExpectOneLineError(RunVikd({"serve"}), "db.dsn: required");
  ExpectOneLineError(RunVikd({"serve", "--db", "host=x", "--http", "nope"}), "http.listen: expected HOST:PORT");
  ExpectOneLineError(RunVikd({"serve", "--db", "host=x", "--region", "VR99"}), "region:");
  ExpectOneLineError(RunVikd({"serve", "--db", "host=x", "--set", "db.pool_size=0"}), "db.pool_size:");
  ExpectOneLineError(RunVikd({"serve", "--db", "host=x", "--set", "http.read_timeout=soon"}), "http.read_timeout:");
  ExpectOneLineError(RunVikd({"serve", "--db", "host='unterminated"}), "db.dsn: invalid database connection string");
  ExpectOneLineError(RunVikd({"serve", "--db"}), "--db: missing value");
}

TEST_CASE("config files are read, overridden by flags, and their errors name file, line and key", "[e2e][cli]") {
  const std::string unknown = WriteConfig("region = VR21\n[db]\ndsn = \"host=x\"\nfrobs = 3\n");
  ExpectOneLineError(RunVikd({"serve", "--config", unknown}), unknown + ":4: db.frobs: unknown setting");

  const std::string bad = WriteConfig("[http]\nlisten = \"127.0.0.1:99999\"\n");
  ExpectOneLineError(RunVikd({"serve", "--config", bad, "--db", "host=x"}), ":2: http.listen:");

  ExpectOneLineError(RunVikd({"serve", "--config", "/nonexistent/vikd.conf"}), "cannot open");

  // Flags are applied after the file: the flag's value is the one validated last.
  const std::string region = WriteConfig("region = VR13\n");
  auto run = RunVikd({"serve", "--config", region, "--region", "VR99", "--db", "host=x"});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("VR99"));

  for (const auto& f : {unknown, bad, region}) {
    std::remove(f.c_str());
  }
}

TEST_CASE("the example config in deploy/ is valid", "[e2e][cli]") {
  // `migrate` parses the whole file first; with an unreachable database it fails with exit 1
  // (runtime), never 2 (configuration).
  auto run = RunVikd({"migrate", "--config", std::string(VIK_SOURCE_DIR) + "/deploy/vikd.conf.example", "--db",
                      "host=127.0.0.1 port=1 dbname=vik connect_timeout=2"});
  INFO(run.err);
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.err, Catch::Contains("migrate failed"));
}
