// PUT/GET /v1/region/state: the calamity coordinator's GRIP level and phase, versioned, with
// optimistic concurrency (a stale write is 409, never a silent overwrite).

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/admin_setup.h"
#include "support/http_client.h"
#include "support/postgres.h"
#include "support/process.h"
#include "support/vikd.h"

namespace {

using nlohmann::json;
using vik::testing::Admin;
using vik::testing::FreshDatabase;
using vik::testing::HttpCall;
using vik::testing::IssueToken;
using vik::testing::QueryValue;
using vik::testing::Vikd;

}  // namespace

TEST_CASE("the region's GRIP level and phase are versioned and a stale write is refused", "[e2e][region]") {
  FreshDatabase db;
  Admin(db.dsn(), {"migrate"});
  Admin(db.dsn(), {"partner", "add", "meldkamer"});
  const auto caco = IssueToken(db.dsn(), "meldkamer", "analyst");
  const auto reader = IssueToken(db.dsn(), "meldkamer", "read");
  Vikd vikd(db.dsn(), {"--set", "auth.refresh_interval=200ms"});
  auto call = [&](const std::string& method, const std::string& token, const std::string& body = "") {
    return HttpCall(vikd.http_port(), method, "/v1/region/state", body,
                    {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  };
  REQUIRE(vik::testing::WaitUntil([&] { return call("GET", reader.secret).status == 200; }, std::chrono::seconds(10)));
  const json initial = json::parse(call("GET", reader.secret).body);
  CHECK(initial["state"]["version"] == 0);
  CHECK(initial["state"]["phase"] == "koud");

  const auto first =
      call("PUT", caco.secret,
           json{{"version", 0}, {"gripLevel", "2"}, {"phase", "warm"}, {"reason", "brand Rietvelden"}}.dump());
  INFO(first.body);
  REQUIRE(first.status == 200);
  CHECK(json::parse(first.body)["state"]["version"] == 1);

  // A second coordinator still looking at version 0 is refused; the first change stays.
  const auto stale = call("PUT", caco.secret,
                          json{{"version", 0}, {"gripLevel", "1"}, {"phase", "warm"}, {"reason", "afschalen"}}.dump());
  CHECK(stale.status == 409);
  CHECK_THAT(stale.body, Catch::Contains("ABORTED"));

  REQUIRE(call("PUT", caco.secret,
               json{{"version", 1}, {"gripLevel", nullptr}, {"phase", "nafase"}, {"reason", "brand meester"}}.dump())
              .status == 200);
  const json now = json::parse(call("GET", reader.secret).body);
  CHECK(now["state"]["version"] == 2);
  CHECK(now["state"]["gripLevel"].is_null());
  CHECK(now["state"]["phase"] == "nafase");
  REQUIRE(now["history"].size() == 2);
  CHECK(now["history"][1]["gripLevel"] == "2");
  CHECK_THAT(now["history"][1]["setBy"].get<std::string>(), Catch::Contains("partner:meldkamer"));

  CHECK(call("PUT", reader.secret, json{{"version", 2}, {"phase", "koud"}, {"reason", "x"}}.dump()).status == 403);
  CHECK(call("PUT", caco.secret, json{{"version", 2}, {"phase", "heet"}, {"reason", "x"}}.dump()).status == 400);
  CHECK(call("PUT", caco.secret, json{{"version", 2}, {"phase", "koud"}}.dump()).status == 400);
  CHECK(QueryValue(db.dsn(), "SELECT count(*) FROM audit_log WHERE action = 'region.state'") == "2");
}
