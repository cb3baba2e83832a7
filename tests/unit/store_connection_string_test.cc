// store::BuildConnectionString and store::RedactDsn. The output is parsed back with libpq's own
// parser, so these tests also prove that what vikd builds is a valid libpq connection string.

#include <libpq-fe.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "store/connection_string.h"

namespace vik::store {
namespace {

using ConnInfo = std::map<std::string, std::string>;

// The keywords libpq finds in `conninfo`; fails the test when libpq rejects it.
ConnInfo ParseWithLibpq(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  const std::string reason = err != nullptr ? err : "";
  if (err != nullptr) {
    PQfreemem(err);
  }
  INFO("conninfo: " << conninfo << "\nlibpq: " << reason);
  REQUIRE(opts != nullptr);
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> guard(opts, &PQconninfoFree);
  ConnInfo out;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val != nullptr) {
      out[o->keyword] = o->val;
    }
  }
  return out;
}

ConnInfo Build(const std::string& dsn, const ConnectionSettings& settings = {}) {
  const auto built = BuildConnectionString(dsn, settings);
  INFO("dsn: " << dsn);
  REQUIRE(built.ok());
  return ParseWithLibpq(*built);
}

TEST_CASE("the connection string adds what a 24/7 service needs", "[store][dsn]") {
  const ConnInfo c = Build("host=db1 dbname=vik user=vik");
  CHECK(c.at("host") == "db1");
  CHECK(c.at("dbname") == "vik");
  CHECK(c.at("user") == "vik");
  CHECK(c.at("target_session_attrs") == "read-write");
  CHECK(c.at("connect_timeout") == "5");
  CHECK(c.at("keepalives") == "1");
  CHECK(c.at("keepalives_idle") == "10");
  CHECK(c.at("keepalives_interval") == "3");
  CHECK(c.at("keepalives_count") == "3");
  CHECK(c.at("tcp_user_timeout") == "10000");
  CHECK(c.at("application_name") == "vikd");
  CHECK(c.at("options") == "-c statement_timeout=10000 -c idle_in_transaction_session_timeout=5000 -c jit=off");
}

TEST_CASE("the connection string follows the configured timeouts", "[store][dsn]") {
  ConnectionSettings s;
  s.connect_timeout = std::chrono::milliseconds(2500);  // rounded up to whole seconds
  s.statement_timeout = std::chrono::milliseconds(750);
  s.tcp_user_timeout = std::chrono::milliseconds(4000);
  s.application_name = "vikd-test";
  const ConnInfo c = Build("host=db1", s);
  CHECK(c.at("connect_timeout") == "3");
  CHECK(c.at("options") == "-c statement_timeout=750 -c idle_in_transaction_session_timeout=5000 -c jit=off");
  CHECK(c.at("tcp_user_timeout") == "4000");
  CHECK(c.at("application_name") == "vikd-test");
}

TEST_CASE("a sub-second connect timeout becomes one second, never zero (which means forever)", "[store][dsn]") {
  ConnectionSettings s;
  s.connect_timeout = std::chrono::milliseconds(1);
  CHECK(Build("host=db1", s).at("connect_timeout") == "1");
}

TEST_CASE("values the operator set win over vikd's defaults", "[store][dsn]") {
  const ConnInfo c = Build(
      "host=db1 connect_timeout=30 target_session_attrs=any keepalives_idle=60 application_name=ops "
      "options='-c statement_timeout=0'");
  CHECK(c.at("connect_timeout") == "30");
  CHECK(c.at("target_session_attrs") == "any");
  CHECK(c.at("keepalives_idle") == "60");
  CHECK(c.at("application_name") == "ops");
  CHECK(c.at("options") == "-c statement_timeout=0 -c idle_in_transaction_session_timeout=5000 -c jit=off");
}

TEST_CASE("statement_timeout is appended to the operator's other options", "[store][dsn]") {
  const ConnInfo c = Build("host=db1 options='-c search_path=vik'");
  CHECK(c.at("options") ==
        "-c search_path=vik -c statement_timeout=10000 -c idle_in_transaction_session_timeout=5000 -c jit=off");
}

TEST_CASE("a postgresql:// URI with several hosts is accepted", "[store][dsn]") {
  const ConnInfo c = Build("postgresql://vik:secret@db1:5432,db2:5433/vik?sslmode=prefer");
  CHECK(c.at("host") == "db1,db2");
  CHECK(c.at("port") == "5432,5433");
  CHECK(c.at("dbname") == "vik");
  CHECK(c.at("user") == "vik");
  CHECK(c.at("password") == "secret");
  CHECK(c.at("sslmode") == "prefer");
  CHECK(c.at("target_session_attrs") == "read-write");
}

TEST_CASE("values with quotes, backslashes and spaces survive the rebuild", "[store][dsn]") {
  const ConnInfo c = Build(R"(host=db1 password='it\'s a \\ pass')");
  CHECK(c.at("password") == R"(it's a \ pass)");
}

TEST_CASE("an unparseable DSN is INVALID_ARGUMENT with libpq's reason", "[store][dsn]") {
  for (const char* dsn :
       {"garbage", "host=db1 nosuchoption=1", "host='unterminated", "postgresql://db1:5432/vik?x=1"}) {
    INFO(dsn);
    const auto built = BuildConnectionString(dsn, {});
    REQUIRE_FALSE(built.ok());
    CHECK(built.status().code() == core::StatusCode::kInvalidArgument);
    CHECK_THAT(built.status().message(), Catch::StartsWith("invalid database connection string: "));
    CHECK(built.status().message().back() != '\n');
  }
}

TEST_CASE("RedactDsn hides the password of a key=value DSN and of a URI", "[store][dsn]") {
  const std::string kv = RedactDsn("host=db1 user=vik password=hunter2");
  CHECK_THAT(kv, !Catch::Contains("hunter2"));
  CHECK(ParseWithLibpq(kv).at("password") == "***");
  CHECK(ParseWithLibpq(kv).at("user") == "vik");

  const std::string uri = RedactDsn("postgresql://vik:hunter2@db1,db2/vik");
  CHECK_THAT(uri, !Catch::Contains("hunter2"));
  CHECK(ParseWithLibpq(uri).at("password") == "***");
  CHECK(ParseWithLibpq(uri).at("host") == "db1,db2");
}

TEST_CASE("RedactDsn also hides the client key's sslpassword", "[store][dsn]") {
  const std::string redacted = RedactDsn("host=db1 sslkey=/etc/vik/key.pem sslpassword=keysecret");
  CHECK_THAT(redacted, !Catch::Contains("keysecret"));
  CHECK(ParseWithLibpq(redacted).at("sslpassword") == "***");
  CHECK(ParseWithLibpq(redacted).at("sslkey") == "/etc/vik/key.pem");
}

TEST_CASE("RedactDsn leaves a DSN without a password unchanged in meaning", "[store][dsn]") {
  const ConnInfo c = ParseWithLibpq(RedactDsn("host=db1 dbname=vik"));
  CHECK(c == ConnInfo{{"host", "db1"}, {"dbname", "vik"}});
}

TEST_CASE("RedactDsn never echoes an unparseable DSN", "[store][dsn]") {
  CHECK(RedactDsn("password=hunter2 garbage") == "<invalid dsn>");
}

}  // namespace

TEST_CASE("an operator's own jit setting is kept", "[store][dsn]") {
  const ConnInfo c = Build("host=db options='-c jit=on'");
  CHECK(c.at("options") == "-c jit=on -c statement_timeout=10000 -c idle_in_transaction_session_timeout=5000");
}

}  // namespace vik::store
