// app::ApplyConfigText: the config file syntax and its error messages (FILE:LINE: key: why).

#include <string>
#include <utility>

#include <catch2/catch.hpp>

#include "app/config.h"

namespace vik::app {
namespace {

// Applies `text` to a default config and returns the status.
core::Status Apply(Config& config, const std::string& text) { return ApplyConfigText(config, text, "vik.conf"); }

TEST_CASE("a config file sets top-level and sectioned keys", "[app][config]") {
  Config c;
  const core::Status s = Apply(c,
                               "region = VR05\n"
                               "[db]\n"
                               "dsn = \"host=127.0.0.1 port=5432 dbname=vik\"\n"
                               "pool_size = 4\n"
                               "[ http ]\n"
                               "listen = 0.0.0.0:8081\n");
  REQUIRE(s.ok());
  CHECK(c.region == "VR05");
  CHECK(c.store.dsn == "host=127.0.0.1 port=5432 dbname=vik");
  CHECK(c.store.pool_size == 4);
  CHECK(c.http.host == "0.0.0.0");
  CHECK(c.http.port == 8081);
}

TEST_CASE("comments, blank lines, indentation and CRLF line ends are ignored", "[app][config]") {
  Config c;
  const core::Status s = Apply(c,
                               "# vikd test config\r\n"
                               "\r\n"
                               "   # indented comment\n"
                               "  region = VR07   # trailing comment\r\n"
                               "\t[runtime]\n"
                               "io_threads=3\n");
  REQUIRE(s.ok());
  CHECK(c.region == "VR07");
  CHECK(c.runtime.io_threads == 3);
}

TEST_CASE("quoted values keep spaces and hash signs and unescape quotes and backslashes", "[app][config]") {
  Config c;
  const core::Status s = Apply(c, R"(ports_file = "/run/vik \"a\" \\ #1.json"  # comment after the quote)");
  REQUIRE(s.ok());
  CHECK(c.ports_file == R"(/run/vik "a" \ #1.json)");
}

TEST_CASE("an unknown key is an error naming the key, file and line", "[app][config]") {
  Config c;
  const core::Status s = Apply(c, "region = VR21\n[db]\npool = 4\n");
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == core::StatusCode::kInvalidArgument);
  CHECK_THAT(s.message(), Catch::StartsWith("vik.conf:3: db.pool: unknown setting"));
}

TEST_CASE("a bad value is an error naming the key, file and line", "[app][config]") {
  Config c;
  const core::Status s = Apply(c, "\nregion = VR99\n");
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == core::StatusCode::kInvalidArgument);
  CHECK_THAT(s.message(), Catch::StartsWith("vik.conf:2: region: ") && Catch::Contains("\"VR99\""));
  CHECK(c.region == "VR21");
}

TEST_CASE("a key set twice is an error, also across section spellings", "[app][config]") {
  Config c;
  const core::Status twice = Apply(c, "region = VR01\nregion = VR02\n");
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.message() == "vik.conf:2: region: set twice");

  Config d;
  const core::Status spelled = Apply(d, "db.pool_size = 2\n[db]\npool_size = 3\n");
  REQUIRE_FALSE(spelled.ok());
  CHECK(spelled.message() == "vik.conf:3: db.pool_size: set twice");
}

TEST_CASE("malformed lines are errors that quote the line", "[app][config]") {
  const std::pair<const char*, const char*> kCases[] = {
      {"region VR21", "vik.conf:1: expected key = value, got \"region VR21\""},
      {"[db", "vik.conf:1: malformed section header \"[db\""},
      {"[]", "vik.conf:1: malformed section header \"[]\""},
      {"region = \"VR21", "vik.conf:1: region: unterminated quoted value"},
      {"region = \"VR21\" extra", "vik.conf:1: region: unexpected text after the quoted value: \"extra\""},
  };
  for (const auto& [text, expected] : kCases) {
    INFO(text);
    Config c;
    const core::Status s = Apply(c, text);
    REQUIRE_FALSE(s.ok());
    CHECK(s.code() == core::StatusCode::kInvalidArgument);
    CHECK(s.message() == expected);
  }
}

TEST_CASE("an empty config file changes nothing", "[app][config]") {
  Config c;
  REQUIRE(Apply(c, "").ok());
  REQUIRE(Apply(c, "\n# only a comment\n").ok());
  CHECK(c.region == "VR21");
  CHECK(c.store.dsn.empty());
}

TEST_CASE("a config file that cannot be opened is an error naming the path", "[app][config]") {
  Config c;
  const core::Status s = ApplyConfigFile(c, "/nonexistent/vik-unit-test.conf");
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == core::StatusCode::kInvalidArgument);
  CHECK_THAT(s.message(), Catch::Contains("\"/nonexistent/vik-unit-test.conf\""));
}

}  // namespace
}  // namespace vik::app
