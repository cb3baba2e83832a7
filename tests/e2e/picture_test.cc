// The risk picture end to end: signals pushed over HTTP become risks with nowcast, forecast, trend
// and priority (kept by the leader's keeper), read back over HTTP and gRPC; analysts' assessments
// are versioned and override the computed level; stale sources are flagged; the exercise picture
// never mixes with the actual one.

#include <algorithm>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "support/admin_setup.h"
#include "support/http_client.h"
#include "support/postgres.h"
#include "support/process.h"
#include "support/times.h"
#include "support/vikd.h"
#include "vik/v1/exchange.grpc.pb.h"

namespace {

using nlohmann::json;
using vik::testing::Admin;
using vik::testing::FreshDatabase;
using vik::testing::HttpCall;
using vik::testing::IssueToken;
using vik::testing::QueryValue;
using vik::testing::Vikd;
using vik::testing::WaitUntil;
constexpr auto At = vik::testing::Rfc3339FromNow;

struct SignalSpec {
  std::string id;
  std::string theme;
  std::string municipality;
  std::string kind = "SIGNAL_KIND_INCIDENT";
  std::string severity = "SEVERITY_SEVERE";
  std::string certainty = "CERTAINTY_OBSERVED";
  std::string urgency = "URGENCY_IMMEDIATE";
  std::string status = "SIGNAL_STATUS_ACTUAL";
  std::optional<std::chrono::minutes> onset;
  std::optional<std::chrono::minutes> expires;
  std::string source = "brandweer-vr21";
};

SignalSpec Spec(const std::string& id, const std::string& theme, const std::string& municipality) {
  SignalSpec s;
  s.id = id;
  s.theme = theme;
  s.municipality = municipality;
  return s;
}

json SignalJson(const SignalSpec& s) {
  json j{{"source", s.source},
         {"externalId", s.id},
         {"msgType", "MSG_TYPE_ALERT"},
         {"status", s.status},
         {"kind", s.kind},
         {"categories", {"CATEGORY_FIRE"}},
         {"theme", s.theme},
         {"urgency", s.urgency},
         {"severity", s.severity},
         {"certainty", s.certainty},
         {"sentAt", At(std::chrono::minutes(-1))},
         {"area", {{"municipalities", {s.municipality}}}},
         {"headline", "Melding " + s.id}};
  if (s.onset) {
    j["onsetAt"] = At(*s.onset);
  }
  if (s.expires) {
    j["expiresAt"] = At(*s.expires);
  }
  return j;
}

json Cancel(const std::string& id, const std::string& target) {
  return {{"source", "brandweer-vr21"},
          {"externalId", id},
          {"msgType", "MSG_TYPE_CANCEL"},
          {"status", "SIGNAL_STATUS_ACTUAL"},
          {"kind", "SIGNAL_KIND_INCIDENT"},
          {"categories", {"CATEGORY_FIRE"}},
          {"theme", "2.1"},
          {"urgency", "URGENCY_PAST"},
          {"severity", "SEVERITY_MINOR"},
          {"certainty", "CERTAINTY_OBSERVED"},
          {"sentAt", At(std::chrono::minutes(0))},
          {"area", {{"municipalities", {"GM0796"}}}},
          {"headline", "Ingetrokken"},
          {"references", {{{"source", "brandweer-vr21"}, {"externalId", target}}}}};
}

class Hub {
 public:
  Hub() {
    Admin(db_.dsn(), {"migrate"});
    vik::testing::AddPartnerWithSource(db_.dsn(), "brandweer", "brandweer-vr21");
    Admin(db_.dsn(), {"partner", "add", "knmi"});
    Admin(db_.dsn(), {"source", "add", "knmi-waarschuwingen", "--partner", "knmi", "--interval", "1m"});
    writer_ = IssueToken(db_.dsn(), "brandweer", "ingest");
    reader_ = IssueToken(db_.dsn(), "brandweer", "read");
    analyst_ = IssueToken(db_.dsn(), "brandweer", "analyst");
    vikd_ = std::make_unique<Vikd>(
        db_.dsn(), std::vector<std::string>{"--set", "auth.refresh_interval=200ms", "--set", "picture.interval=100ms",
                                            "--set", "cluster.renew_interval=200ms"});
    REQUIRE(WaitUntil([&] { return Get("/v1/status").status == 200; }, std::chrono::seconds(15)));
    REQUIRE(WaitUntil([&] { return Status().contains("computedAt"); }, std::chrono::seconds(15)));
  }

  vik::testing::HttpReply Get(const std::string& target, const std::string& token = "") {
    return HttpCall(vikd_->http_port(), "GET", target, "",
                    {{"Authorization", "Bearer " + (token.empty() ? reader_.secret : token)}});
  }
  json Status(const std::string& query = "") { return json::parse(Get("/v1/status" + query).body); }
  void Push(const std::vector<json>& signals) {
    const auto r = HttpCall(vikd_->http_port(), "POST", "/v1/signals", json{{"signals", signals}}.dump(),
                            {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + writer_.secret}});
    INFO(r.body);
    REQUIRE(r.status == 200);
    const json reply = json::parse(r.body);  // named: a temporary's member would dangle in the loop
    REQUIRE(reply["receipts"].size() == signals.size());
    for (const auto& receipt : reply["receipts"]) {
      REQUIRE(receipt["outcome"] == "RECEIPT_OUTCOME_ACCEPTED");
    }
  }
  vik::testing::HttpReply Assess(const std::string& risk, const json& body, const std::string& token = "",
                                 const std::string& query = "") {
    return HttpCall(vikd_->http_port(), "PUT", "/v1/risks/" + risk + "/assessment" + query, body.dump(),
                    {{"Content-Type", "application/json"},
                     {"Authorization", "Bearer " + (token.empty() ? analyst_.secret : token)}});
  }
  // The status once `ready` holds for it.
  json StatusWhen(const std::function<bool(const json&)>& ready, const std::string& query = "") {
    json last;
    const bool ok = WaitUntil(
        [&] {
          last = Status(query);
          return ready(last);
        },
        std::chrono::seconds(15));
    INFO(last.dump(2));
    REQUIRE(ok);
    return last;
  }

  FreshDatabase db_;
  vik::testing::Token writer_;
  vik::testing::Token reader_;
  vik::testing::Token analyst_;
  std::unique_ptr<Vikd> vikd_;
};

const json* FindRisk(const json& status, const std::string& id) {
  for (const auto& r : status["risks"]) {
    if (r["id"] == id) {
      return &r;
    }
  }
  return nullptr;
}

json Scenario(const std::string& text, const std::string& likelihood, const std::string& impact) {
  return {{"description", text}, {"likelihood", likelihood}, {"impact", impact}};
}

json Assessment(int version, std::optional<int> level) {
  return {{"version", version},
          {"status", "active"},
          {"phase", "warm"},
          {"analystLevel", level ? json(*level) : json(nullptr)},
          {"worstCase", Scenario("Uitslaande brand slaat over naar de woonwijk", "C", "D")},
          {"realCase", Scenario("Brand blijft beperkt tot het bedrijfspand", "D", "B")},
          {"bestCase", Scenario("Brand snel meester", "B", "A")},
          {"assessment", "Rookpluim trekt richting het centrum."},
          {"advice", {"Ramen en deuren sluiten", "Ventilatie uitzetten"}},
          {"partners", {"brandweer"}},
          {"reason", "eerste duiding"}};
}

}  // namespace

TEST_CASE("signals become prioritised risks with nowcast, forecast and counts, and the exercise picture stays apart",
          "[e2e][picture]") {
  Hub hub;
  SignalSpec fire = Spec("brand-1", "2.1", "GM0796");
  fire.expires = std::chrono::minutes(180);
  SignalSpec storm = Spec("storm-1", "1.3", "GM0828");
  storm.kind = "SIGNAL_KIND_WARNING";
  storm.severity = "SEVERITY_EXTREME";
  storm.certainty = "CERTAINTY_LIKELY";
  storm.urgency = "URGENCY_FUTURE";
  storm.onset = std::chrono::minutes(20 * 60);  // tomorrow: raises tomorrow's level, not today's
  storm.expires = std::chrono::minutes(30 * 60);
  SignalSpec drill = Spec("oefening-1", "3.2", "GM0828");
  drill.status = "SIGNAL_STATUS_EXERCISE";
  drill.expires = std::chrono::minutes(120);
  hub.Push({SignalJson(fire), SignalJson(storm), SignalJson(drill)});

  const json status = hub.StatusWhen([](const json& s) { return s["risks"].size() == 2; });
  CHECK(status["region"] == "VR21");
  CHECK(status["picture"] == "actual");
  const json& first = status["risks"][0];
  CHECK(first["id"] == "2.1@GM0796");
  CHECK(first["priority"] == 1);
  CHECK(first["nowcast"] == 3);  // severe x observed x immediate
  CHECK(first["level"] == 3);
  CHECK(first["colour"] == "oranje");
  CHECK(first["themeLabel"] == "Branden in kwetsbare objecten");
  CHECK(first["municipalityName"] == "'s-Hertogenbosch");
  CHECK(first["signalsInEffect"] == 1);
  const json& second = status["risks"][1];
  CHECK(second["id"] == "1.3@GM0828");
  CHECK(second["nowcast"] == 0);
  CHECK(second["signalsUpcoming"] == 1);
  REQUIRE(second["forecast"].size() == 3);
  CHECK(second["forecast"][0]["hours"] == 6);
  CHECK(second["forecast"][0]["level"] == 0);
  CHECK(second["forecast"][1]["hours"] == 24);
  CHECK(second["forecast"][1]["level"] == 3);  // extreme x likely x future = 3.6
  CHECK(status["activeIncidents"] == 1);
  CHECK(status["activeWarnings"] == 0);  // the storm is not in effect yet
  CHECK(status["cluster"]["leader"] != "");
  CHECK(status["cluster"]["servedBy"] == status["cluster"]["leader"]);
  CHECK(FindRisk(status, "3.2@GM0828") == nullptr);  // the exercise stays out

  const json exercise = hub.StatusWhen([](const json& s) { return s["risks"].size() == 1; }, "?picture=exercise");
  CHECK(exercise["picture"] == "exercise");
  CHECK(exercise["risks"][0]["id"] == "3.2@GM0828");

  // The same picture over gRPC.
  auto channel = grpc::CreateChannel(hub.vikd_->grpc_target(), grpc::InsecureChannelCredentials());
  auto stub = vik::v1::ExchangeService::NewStub(channel);
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + hub.reader_.secret);
    vik::v1::GetRegionalStatusRequest request;
    vik::v1::RegionalStatus response;
    const grpc::Status s = stub->GetRegionalStatus(&context, request, &response);
    REQUIRE(s.ok());
    REQUIRE(response.risks_size() == 2);
    CHECK(response.risks(0).id() == "2.1@GM0796");
    CHECK(response.risks(0).nowcast() == 3);
    CHECK(response.active_incidents() == 1);
  }
  {
    grpc::ClientContext context;
    vik::v1::GetRegionalStatusRequest request;
    vik::v1::RegionalStatus response;
    CHECK(stub->GetRegionalStatus(&context, request, &response).error_code() == grpc::StatusCode::UNAUTHENTICATED);
  }
  for (const int limit : {-1, 501}) {  // the rule of usecases::StatusRisksOf, before the pool is asked
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + hub.reader_.secret);
    vik::v1::GetRegionalStatusRequest request;
    request.set_limit(limit);
    vik::v1::RegionalStatus response;
    const grpc::Status s = stub->GetRegionalStatus(&context, request, &response);
    CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(s.error_message().rfind("limit: expected a number from 1 to 500", 0) == 0);
  }
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + hub.writer_.secret);  // ingest only
    vik::v1::GetRegionalStatusRequest request;
    vik::v1::RegionalStatus response;
    CHECK(stub->GetRegionalStatus(&context, request, &response).error_code() == grpc::StatusCode::PERMISSION_DENIED);
  }

  // Cancelling the fire takes its risk out of the picture; its history keeps the level over time.
  hub.Push({Cancel("brand-1-cancel", "brand-1")});
  const json after = hub.StatusWhen([](const json& s) { return FindRisk(s, "2.1@GM0796") == nullptr; });
  CHECK(after["activeIncidents"] == 0);
  CHECK(after["risks"][0]["id"] == "1.3@GM0828");
  CHECK(after["risks"][0]["priority"] == 1);
  const json removed = json::parse(hub.Get("/v1/risks?includeRemoved=true").body);
  const json* gone = nullptr;
  for (const auto& r : removed["risks"]) {
    if (r["id"] == "2.1@GM0796") {
      gone = &r;
    }
  }
  REQUIRE(gone != nullptr);
  CHECK((*gone)["inPicture"] == false);
  const json detail = json::parse(hub.Get("/v1/risks/2.1@GM0796").body);
  REQUIRE(detail["levels"].size() >= 2);
  CHECK(detail["levels"][0]["nowcast"] == 0);
  CHECK(detail["levels"][detail["levels"].size() - 1]["nowcast"] == 3);
  CHECK(hub.Get("/v1/risks/9.9@GM9999").status == 404);
  CHECK(hub.Get("/v1/risks/not-a-risk").status == 404);
  CHECK(hub.Get("/v1/status?picture=both").status == 400);
  CHECK(hub.Get("/v1/status", hub.writer_.secret).status == 403);
}

TEST_CASE("GET /v1/risks filters by theme, municipality and level and pages with a cursor", "[e2e][picture]") {
  Hub hub;
  std::vector<json> signals;
  const std::vector<std::string> places = {"GM0796", "GM0828", "GM0757", "GM0755"};
  for (std::size_t i = 0; i < places.size(); ++i) {
    SignalSpec fire = Spec("brand-" + std::to_string(i), "2.1", places[i]);
    fire.severity = i % 2 == 0 ? "SEVERITY_SEVERE" : "SEVERITY_MODERATE";
    fire.expires = std::chrono::minutes(120);
    signals.push_back(SignalJson(fire));
    SignalSpec flood = Spec("water-" + std::to_string(i), "1.1", places[i]);
    flood.severity = "SEVERITY_MINOR";
    flood.expires = std::chrono::minutes(120);
    signals.push_back(SignalJson(flood));
  }
  hub.Push(signals);
  hub.StatusWhen([](const json& s) { return s["risksInPicture"] == 8; });

  auto list = [&](const std::string& query) {
    const auto r = hub.Get("/v1/risks" + query);
    INFO(r.body);
    REQUIRE(r.status == 200);
    return json::parse(r.body);
  };
  CHECK(list("?theme=2")["risks"].size() == 4);  // the theme and its sub-themes
  CHECK(list("?theme=1.1")["risks"].size() == 4);
  CHECK(list("?municipality=GM0796")["risks"].size() == 2);
  const json severe = list("?minLevel=3");
  REQUIRE(severe["risks"].size() == 2);
  for (const auto& r : severe["risks"]) {
    CHECK(r["level"] >= 3);
  }
  // Pages of three cover all eight risks once, in priority order.
  std::vector<std::string> seen;
  std::string cursor;
  int last_priority = 0;
  for (int page = 0; page < 5; ++page) {
    const json body = list("?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor));
    for (const auto& r : body["risks"]) {
      seen.push_back(r["id"]);
      CHECK(r["priority"].get<int>() > last_priority);
      last_priority = r["priority"];
    }
    cursor = body["nextCursor"];
    if (cursor.empty()) {
      break;
    }
  }
  CHECK(seen.size() == 8);
  CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == 8);
  CHECK(hub.Get("/v1/risks?minLevel=7").status == 400);
  CHECK(hub.Get("/v1/risks?cursor=garbage").status == 400);
  CHECK(hub.Get("/v1/risks?colour=red").status == 400);
}

TEST_CASE("analysts' assessments are versioned, override the computed level, and a stale write is refused",
          "[e2e][picture]") {
  Hub hub;
  SignalSpec fire = Spec("brand-1", "2.1", "GM0796");
  fire.expires = std::chrono::minutes(180);
  SignalSpec other = Spec("brand-2", "2.1", "GM0828");
  other.severity = "SEVERITY_EXTREME";
  other.expires = std::chrono::minutes(180);
  hub.Push({SignalJson(fire), SignalJson(other)});
  hub.StatusWhen([](const json& s) { return s["risks"].size() == 2; });

  const auto first = hub.Assess("2.1@GM0796", Assessment(0, 4));
  INFO(first.body);
  REQUIRE(first.status == 200);
  CHECK(json::parse(first.body)["version"] == 1);
  CHECK_THAT(json::parse(first.body)["setBy"].get<std::string>(), Catch::Contains("partner:brandweer"));

  // The analyst's red outranks the computed orange and the other risk's computed red (tie broken by
  // severity); both levels are shown.
  const json status = hub.StatusWhen([](const json& s) {
    const json* r = FindRisk(s, "2.1@GM0796");
    return r && r->contains("analystLevel") && (*r)["analystLevel"] == 4;
  });
  const json* assessed = FindRisk(status, "2.1@GM0796");
  CHECK((*assessed)["nowcast"] == 3);
  CHECK((*assessed)["level"] == 4);
  CHECK((*assessed)["assessment"]["status"] == "active");
  CHECK((*assessed)["assessment"]["worstCase"]["impact"] == "D");
  CHECK((*assessed)["assessment"]["advice"].empty());  // lists carry a summary

  // A second analyst still at version 0 is refused; nothing is overwritten.
  const auto stale = hub.Assess("2.1@GM0796", Assessment(0, 1));
  CHECK(stale.status == 409);
  CHECK_THAT(stale.body, Catch::Contains("ABORTED"));
  // Bad input names the field; unknown references are refused.
  json bad = Assessment(1, 2);
  bad["worstCase"]["likelihood"] = "F";
  CHECK_THAT(hub.Assess("2.1@GM0796", bad).body, Catch::Contains("worstCase.likelihood"));
  bad = Assessment(1, 2);
  bad["partners"] = {"brandweer", "nobody"};
  const auto unknown_partner = hub.Assess("2.1@GM0796", bad);
  CHECK(unknown_partner.status == 400);
  CHECK_THAT(unknown_partner.body, Catch::Contains("nobody"));
  bad = Assessment(1, 2);
  bad.erase("reason");
  CHECK_THAT(hub.Assess("2.1@GM0796", bad).body, Catch::Contains("reason"));
  CHECK(hub.Assess("2.1@GM0796", Assessment(1, 2), hub.reader_.secret).status == 403);
  CHECK(hub.Assess("2.1@GM9999", Assessment(0, 2)).status == 400);  // not a municipality of the region

  // Clearing the analyst level returns to the computed one.
  REQUIRE(hub.Assess("2.1@GM0796", Assessment(1, std::nullopt)).status == 200);
  hub.StatusWhen([](const json& s) {
    const json* r = FindRisk(s, "2.1@GM0796");
    return r && !r->contains("analystLevel") && (*r)["level"] == 3;
  });

  // An analyst may open a risk no partner reported yet, by giving it a level.
  REQUIRE(hub.Assess("6.1@GM0828", Assessment(0, 2)).status == 200);
  const json opened = hub.StatusWhen([](const json& s) { return FindRisk(s, "6.1@GM0828") != nullptr; });
  CHECK((*FindRisk(opened, "6.1@GM0828"))["level"] == 2);
  CHECK((*FindRisk(opened, "6.1@GM0828"))["signalsInEffect"] == 0);

  const json detail = json::parse(hub.Get("/v1/risks/2.1@GM0796").body);
  REQUIRE(detail["assessments"].size() == 2);
  CHECK(detail["assessments"][0]["version"] == 2);
  CHECK(detail["assessments"][1]["analystLevel"] == 4);
  REQUIRE(detail["signals"].size() == 1);
  CHECK(detail["signals"][0]["externalId"] == "brand-1");
  CHECK(QueryValue(hub.db_.dsn(), "SELECT count(*) FROM audit_log WHERE action = 'risk.assess'") == "3");
  // The exercise picture has its own assessments.
  CHECK(hub.Get("/v1/risks/2.1@GM0796?picture=exercise").status == 404);
  // Lists carry a summary of the assessment; the risk itself has the texts.
  const json listed = hub.StatusWhen([](const json& s) { return FindRisk(s, "2.1@GM0796") != nullptr; });
  const json& summary = (*FindRisk(listed, "2.1@GM0796"))["assessment"];
  CHECK(summary["version"] == 2);
  CHECK(summary["worstCase"]["impact"] == "D");
  CHECK(summary["worstCase"]["description"] == "");
  CHECK(summary["advice"].empty());
  CHECK(summary["assessment"] == "");
  CHECK(detail["risk"]["assessment"]["advice"].size() == 2);
  CHECK(detail["risk"]["assessment"]["worstCase"]["description"] == "Uitslaande brand slaat over naar de woonwijk");
  CHECK(json::parse(hub.Get("/v1/risks/2.1@GM0796?assessments=1").body)["assessments"].size() == 1);
  CHECK(hub.Get("/v1/risks/2.1@GM0796?assessments=0").status == 400);
}

TEST_CASE("two analysts saving the same version at once: exactly one wins, the other gets 409", "[e2e][picture]") {
  Hub hub;
  for (int round = 0; round < 5; ++round) {
    std::vector<int> codes(2);
    std::vector<std::thread> analysts;
    for (int i = 0; i < 2; ++i) {
      analysts.emplace_back(
          [&, i] { codes[static_cast<std::size_t>(i)] = hub.Assess("5.3@GM0797", Assessment(round, i)).status; });
    }
    for (auto& t : analysts) {
      t.join();
    }
    std::sort(codes.begin(), codes.end());
    CHECK(codes == std::vector<int>{200, 409});
  }
  CHECK(QueryValue(hub.db_.dsn(), "SELECT max(version) FROM risk_assessments WHERE risk_id = '5.3@GM0797'") == "5");
}

TEST_CASE("a transaction held open holds the picture back, shown as lag, and the picture catches up after",
          "[e2e][picture]") {
  Hub hub;
  // Another session takes a transaction id and keeps it open (an operator's forgotten BEGIN).
  pqxx::connection blocker(hub.db_.dsn());
  auto open = std::make_unique<pqxx::work>(blocker);
  open->exec("SELECT pg_current_xact_id()");
  SignalSpec fire = Spec("brand-1", "2.1", "GM0796");
  fire.expires = std::chrono::minutes(60);
  hub.Push({SignalJson(fire)});
  const json held = hub.StatusWhen([](const json& s) { return s["pictureLagSeconds"].get<double>() >= 2; });
  CHECK(held["risks"].empty());
  open->abort();
  open.reset();
  const json caught_up =
      hub.StatusWhen([](const json& s) { return s["risks"].size() == 1 && s["pictureLagSeconds"].get<double>() == 0; });
  CHECK(caught_up["risks"][0]["id"] == "2.1@GM0796");
}

TEST_CASE("sources that fell silent are flagged in the status and as metrics", "[e2e][picture]") {
  Hub hub;
  SignalSpec fire = Spec("brand-1", "2.1", "GM0796");
  fire.expires = std::chrono::minutes(60);
  hub.Push({SignalJson(fire)});
  // knmi-waarschuwingen expects a signal every minute and never delivered one.
  const json status = hub.StatusWhen([](const json& s) { return !s["risks"].empty(); });
  REQUIRE(status["staleSources"].size() == 1);
  CHECK(status["staleSources"][0]["source"] == "knmi-waarschuwingen");
  CHECK(status["staleSources"][0]["partner"] == "knmi");
  CHECK(status["staleSources"][0]["expectedIntervalSeconds"] == "60");
  // The brandweer source has no expected interval: never stale.
  // The leader exports the same judgement (after the round's commit, so wait for it).
  std::string metrics;
  const bool exported = WaitUntil(
      [&] {
        metrics = HttpCall(hub.vikd_->http_port(), "GET", "/metrics", "", {}).body;
        return metrics.find("vik_source_silent{source=\"knmi-waarschuwingen\"} 1") != std::string::npos &&
               metrics.find("vik_source_silent{source=\"brandweer-vr21\"} 0") != std::string::npos &&
               metrics.find("vik_source_last_signal_timestamp_seconds{source=\"brandweer-vr21\"}") != std::string::npos;
      },
      std::chrono::seconds(10));
  INFO(metrics);
  CHECK(exported);
  CHECK_THAT(metrics, Catch::Contains("vik_picture_rounds_total"));

  // A source added while the leader keeps the picture is judged by its interval without a leader change.
  Admin(hub.db_.dsn(), {"source", "add", "waterschap-peilen", "--partner", "knmi", "--interval", "1m"});
  CHECK(WaitUntil(
      [&] {
        return HttpCall(hub.vikd_->http_port(), "GET", "/metrics", "", {})
                   .body.find("vik_source_silent{source=\"waterschap-peilen\"} 1") != std::string::npos;
      },
      std::chrono::seconds(15)));
}
