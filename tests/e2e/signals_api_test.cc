// GET /v1/signals: stored signals read back with filters and keyset pagination.

#include <set>

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
using vik::testing::Vikd;

json Signal(const std::string& id, const std::string& municipality, const std::string& theme,
            const std::string& status = "SIGNAL_STATUS_ACTUAL") {
  return {{"source", "brandweer-vr21"},
          {"externalId", id},
          {"msgType", "MSG_TYPE_ALERT"},
          {"status", status},
          {"kind", "SIGNAL_KIND_INCIDENT"},
          {"categories", {"CATEGORY_FIRE"}},
          {"theme", theme},
          {"urgency", "URGENCY_IMMEDIATE"},
          {"severity", "SEVERITY_SEVERE"},
          {"certainty", "CERTAINTY_OBSERVED"},
          {"sentAt", "2026-11-20T09:00:00Z"},
          {"area", {{"municipalities", {municipality}}}},
          {"headline", "Melding " + id}};
}

}  // namespace

TEST_CASE("GET /v1/signals pages through stored signals newest first, with filters", "[e2e][signals]") {
  FreshDatabase db;
  Admin(db.dsn(), {"migrate"});
  vik::testing::AddPartnerWithSource(db.dsn(), "brandweer", "brandweer-vr21");
  const auto writer = IssueToken(db.dsn(), "brandweer", "ingest");
  const auto reader = IssueToken(db.dsn(), "brandweer", "read");
  Vikd vikd(db.dsn(), {"--set", "auth.refresh_interval=200ms"});
  auto get = [&](const std::string& target, const std::string& token) {
    return HttpCall(vikd.http_port(), "GET", target, "", {{"Authorization", "Bearer " + token}});
  };
  REQUIRE(vik::testing::WaitUntil([&] { return get("/v1/signals", reader.secret).status == 200; },
                                  std::chrono::seconds(10)));
  const std::vector<json> signals = {Signal("s-1", "GM0796", "2.1"), Signal("s-2", "GM0828", "1.3"),
                                     Signal("s-3", "GM0796", "1.3"), Signal("s-4", "GM0796", "2.1"),
                                     Signal("s-5", "GM0796", "2.1", "SIGNAL_STATUS_EXERCISE")};
  for (const auto& s : signals) {  // one call each: distinct received_at, in order
    const auto r = HttpCall(vikd.http_port(), "POST", "/v1/signals", json{{"signals", {s}}}.dump(),
                            {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + writer.secret}});
    REQUIRE(r.status == 200);
  }

  // Pages of 2, newest first, until there is no nextCursor.
  std::vector<std::string> seen;
  std::string target = "/v1/signals?limit=2";
  for (int page = 0; page < 5; ++page) {
    const auto r = get(target, reader.secret);
    INFO(r.body);
    REQUIRE(r.status == 200);
    const json body = json::parse(r.body);
    for (const auto& item : body["signals"]) {
      seen.push_back(item["signal"]["externalId"]);
      CHECK(item["state"] == "active");
    }
    if (!body.contains("nextCursor")) {
      break;
    }
    target = "/v1/signals?limit=2&cursor=" + body["nextCursor"].get<std::string>();
  }
  CHECK(seen == std::vector<std::string>{"s-4", "s-3", "s-2", "s-1"});  // the exercise is not listed

  const json exercise = json::parse(get("/v1/signals?status=exercise", reader.secret).body);
  REQUIRE(exercise["signals"].size() == 1);
  CHECK(exercise["signals"][0]["signal"]["externalId"] == "s-5");
  const json weather = json::parse(get("/v1/signals?theme=1&municipality=GM0796", reader.secret).body);
  REQUIRE(weather["signals"].size() == 1);
  CHECK(weather["signals"][0]["signal"]["externalId"] == "s-3");

  CHECK(get("/v1/signals?limit=0", reader.secret).status == 400);
  CHECK(get("/v1/signals?colour=red", reader.secret).status == 400);
  CHECK(get("/v1/signals?cursor=abc", reader.secret).status == 400);
  CHECK(get("/v1/signals", writer.secret).status == 403);
  CHECK(HttpCall(vikd.http_port(), "GET", "/v1/signals").status == 401);
}
