// app::ApplySetting, DescribeSettings and FinalizeConfig: every setting, its default and its checks.

#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <utility>

#include <catch2/catch.hpp>

#include "app/config.h"
#include "domain/region.h"

namespace vik::app {
namespace {

using std::chrono::milliseconds;

TEST_CASE("every setting accepts its own rendered default", "[app][config]") {
  const auto settings = DescribeSettings();
  REQUIRE(settings.size() >= 20);
  int applied = 0;
  for (const SettingInfo& s : settings) {
    if (s.default_value.empty() || s.default_value.front() == '<') {
      continue;  // "<required>", "<host name>", "<built in>": not concrete values
    }
    INFO(s.key << " = " << s.default_value);
    Config c;
    const core::Status st = ApplySetting(c, s.key, s.default_value);
    CHECK(st.ok());
    CHECK(st.message().empty());
    ++applied;
  }
  CHECK(applied >= 20);
}

TEST_CASE("every setting has a key and help text, and keys are unique", "[app][config]") {
  std::set<std::string> keys;
  for (const SettingInfo& s : DescribeSettings()) {
    INFO(s.key);
    CHECK_FALSE(s.key.empty());
    CHECK_FALSE(s.help.empty());
    CHECK(keys.insert(s.key).second);
  }
}

TEST_CASE("an unknown setting is an error naming it", "[app][config]") {
  Config c;
  const core::Status s = ApplySetting(c, "http.listn", "1");
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == core::StatusCode::kInvalidArgument);
  CHECK_THAT(s.message(), Catch::StartsWith("http.listn: unknown setting"));
}

TEST_CASE("a malformed value is an error naming the setting", "[app][config]") {
  const std::pair<const char*, const char*> kBad[] = {
      {"region", "VR26"},
      {"node_id", "has space"},
      {"log.level", "verbose"},
      {"log.format", "xml"},
      {"db.dsn", ""},
      {"db.dsn", "not a dsn"},
      {"db.pool_size", "0"},
      {"db.pool_size", "257"},
      {"db.pool_size", "-1"},
      {"db.pool_size", "four"},
      {"db.pool_size", "9999999999999"},
      {"db.acquire_timeout", "0s"},
      {"db.connect_timeout", "999ms"},
      {"db.statement_timeout", "10"},
      {"db.migrate_on_start", "maybe"},
      {"http.max_header_bytes", "1023"},
      {"http.max_header_bytes", "2MiB"},
      {"http.max_body_bytes", "257MiB"},
      {"grpc.max_message_bytes", "big"},
      {"grpc.max_concurrent_streams", "100001"},
      {"runtime.io_threads", "65"},
      {"runtime.readiness_interval", "99ms"},
  };
  for (const auto& [key, value] : kBad) {
    INFO(key << " = \"" << value << '"');
    Config c;
    const core::Status s = ApplySetting(c, key, value);
    REQUIRE_FALSE(s.ok());
    CHECK(s.code() == core::StatusCode::kInvalidArgument);
    CHECK_THAT(s.message(), Catch::StartsWith(std::string(key) + ": "));
  }
}

TEST_CASE("settings are stored in their typed fields", "[app][config]") {
  Config c;
  REQUIRE(ApplySetting(c, "log.level", "warn").ok());
  REQUIRE(ApplySetting(c, "log.format", "json").ok());
  REQUIRE(ApplySetting(c, "db.acquire_timeout", "250ms").ok());
  REQUIRE(ApplySetting(c, "db.statement_timeout", "30s").ok());
  REQUIRE(ApplySetting(c, "db.migrate_on_start", "no").ok());
  REQUIRE(ApplySetting(c, "http.max_body_bytes", "8MiB").ok());
  REQUIRE(ApplySetting(c, "runtime.drain_timeout", "0s").ok());
  REQUIRE(ApplySetting(c, "db.migrations_dir", "/srv/vik/migrations").ok());
  CHECK(c.log.level == spdlog::level::warn);
  CHECK(c.log.format == core::LogFormat::kJson);
  CHECK(c.store.acquire_timeout == milliseconds(250));
  CHECK(c.store.connection.statement_timeout == milliseconds(30'000));
  CHECK_FALSE(c.migrate_on_start);
  CHECK(c.http.max_body_bytes == 8U * 1024 * 1024);
  CHECK(c.runtime.drain_timeout == milliseconds(0));
  REQUIRE(c.store.migrations_dir.has_value());
  CHECK(*c.store.migrations_dir == "/srv/vik/migrations");

  REQUIRE(ApplySetting(c, "db.migrations_dir", "").ok());
  CHECK_FALSE(c.store.migrations_dir.has_value());
}

TEST_CASE("listen addresses parse HOST:PORT, bracketed IPv6 with PORT and :PORT", "[app][config]") {
  Config c;
  REQUIRE(ApplySetting(c, "http.listen", "10.0.0.5:8081").ok());
  CHECK(c.http.host == "10.0.0.5");
  CHECK(c.http.port == 8081);

  REQUIRE(ApplySetting(c, "http.listen", "[::1]:0").ok());
  CHECK(c.http.host == "::1");
  CHECK(c.http.port == 0);

  REQUIRE(ApplySetting(c, "grpc.listen", ":8080").ok());
  CHECK(c.grpc.host == "0.0.0.0");
  CHECK(c.grpc.port == 8080);

  REQUIRE(ApplySetting(c, "grpc.listen", "127.0.0.2:65535").ok());
  CHECK(c.grpc.host == "127.0.0.2");
  CHECK(c.grpc.port == 65535);
}

TEST_CASE("listen addresses without a valid port are rejected and leave the config unchanged", "[app][config]") {
  for (const char* value :
       {"nope", "127.0.0.1:70000", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:-1", "127.0.0.1:123456", ""}) {
    INFO('"' << value << '"');
    Config c;
    const core::Status s = ApplySetting(c, "http.listen", value);
    REQUIRE_FALSE(s.ok());
    CHECK(s.code() == core::StatusCode::kInvalidArgument);
    CHECK_THAT(s.message(), Catch::StartsWith("http.listen: "));
    CHECK(c.http.host == "127.0.0.1");
    CHECK(c.http.port == 8080);
  }
}

TEST_CASE("the HTTP listen address must name an IP address, not a host name", "[app][config]") {
  Config c;
  const core::Status s = ApplySetting(c, "http.listen", "localhost:8080");
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.message(), Catch::StartsWith("http.listen: ") && Catch::Contains("\"localhost\""));
  CHECK(c.http.host == "127.0.0.1");
}

TEST_CASE("FinalizeConfig requires db.dsn when the database is needed", "[app][config]") {
  Config c;
  c.node_id = "n1";
  const core::Status s = FinalizeConfig(c, true);
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == core::StatusCode::kInvalidArgument);
  CHECK_THAT(s.message(), Catch::StartsWith("db.dsn: required"));

  CHECK(FinalizeConfig(c, false).ok());
  REQUIRE(ApplySetting(c, "db.dsn", "host=127.0.0.1 dbname=vik").ok());
  CHECK(FinalizeConfig(c, true).ok());
}

TEST_CASE("FinalizeConfig fills node_id from the host name and keeps an explicit one", "[app][config]") {
  Config derived;
  REQUIRE(FinalizeConfig(derived, false).ok());
  INFO("derived node_id: " << derived.node_id);
  CHECK(domain::IsNodeId(derived.node_id));

  Config explicit_id;
  REQUIRE(ApplySetting(explicit_id, "node_id", "vikd-a").ok());
  REQUIRE(FinalizeConfig(explicit_id, false).ok());
  CHECK(explicit_id.node_id == "vikd-a");
}

TEST_CASE("FinalizeConfig rejects a migrations directory that does not exist", "[app][config]") {
  Config c;
  c.node_id = "n1";
  REQUIRE(ApplySetting(c, "db.migrations_dir", "/nonexistent/vik-migrations").ok());
  const core::Status s = FinalizeConfig(c, false);
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.message(), Catch::StartsWith("db.migrations_dir: ") && Catch::Contains("not a directory"));

  REQUIRE(ApplySetting(c, "db.migrations_dir", std::filesystem::temp_directory_path().string()).ok());
  CHECK(FinalizeConfig(c, false).ok());
}

}  // namespace
}  // namespace vik::app
