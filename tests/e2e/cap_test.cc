// CAP end to end: the real vikd over HTTP and gRPC, checked in PostgreSQL. The corpus of real CAP
// messages (tests/data/cap/) goes through POST /v1/cap; updates and cancels end earlier signals,
// also when they arrive first; exercise alerts stay apart; CAP comes back out as Atom and CAP, and a
// JSON signal survives the round trip JSON -> CAP -> another vikd unchanged.

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <grpcpp/grpcpp.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/admin_setup.h"
#include "support/http_client.h"
#include "support/large_cap.h"
#include "support/postgres.h"
#include "support/process.h"
#include "support/sample_signals.h"
#include "support/vikd.h"
#include "vik/v1/ingest.grpc.pb.h"

namespace {

using nlohmann::json;
using vik::testing::Admin;
using vik::testing::FreshDatabase;
using vik::testing::HttpCall;
using vik::testing::HttpReply;
using vik::testing::IssueToken;
using vik::testing::QueryValue;
using vik::testing::Token;
using vik::testing::Vikd;

const std::filesystem::path kCorpus = std::filesystem::path(VIK_SOURCE_DIR) / "tests" / "data" / "cap";
constexpr const char* kPartner = "veiligheidsregio";
constexpr const char* kSender = "caco@vr21.nl";
const std::vector<std::string> kFastAuth = {"--set", "auth.refresh_interval=200ms"};

std::vector<std::string> With(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::map<std::string, std::string> CapHeaders(const std::string& token,
                                              const std::string& content_type = "application/cap+xml") {
  std::map<std::string, std::string> h = {{"Content-Type", content_type}};
  if (!token.empty()) {
    h["Authorization"] = "Bearer " + token;
  }
  return h;
}

HttpReply PostCap(const Vikd& vikd, const std::string& token, const std::string& document) {
  return HttpCall(vikd.http_port(), "POST", "/v1/cap", document, CapHeaders(token));
}

// The first <sender> of a document (any prefix).
std::string SenderOf(const std::string& xml) {
  const auto open = xml.find("sender>");
  REQUIRE(open != std::string::npos);
  const auto start = open + 7;
  return xml.substr(start, xml.find('<', start) - start);
}

// Waits until the token authenticates (credentials refresh).
void WaitForToken(const Vikd& vikd, const std::string& token) {
  REQUIRE(vik::testing::WaitUntil(
      [&] { return HttpCall(vikd.http_port(), "GET", "/cap/alerts.atom", "", CapHeaders(token)).status == 200; },
      std::chrono::seconds(10)));
}

// A CAP 1.2 alert of the region's control room. `extra_info` goes inside <info> after the
// required elements; `area` is the <area> content.
std::string Alert(const std::string& identifier, const std::string& msg_type = "Alert",
                  const std::string& references = "", const std::string& status = "Actual",
                  const std::string& area =
                      "<areaDesc>'s-Hertogenbosch</areaDesc>"
                      "<geocode><valueName>CBS_GM</valueName><value>GM0796</value></geocode>",
                  const std::string& headline = "Grote brand industrieterrein") {
  std::string refs = references.empty() ? "" : "<references>" + references + "</references>";
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">"
         "<identifier>" +
         identifier + "</identifier><sender>" + kSender +
         "</sender>"
         "<sent>2026-11-20T10:00:00+01:00</sent><status>" +
         status + "</status><msgType>" + msg_type + "</msgType><scope>Public</scope>" + refs +
         "<info><language>nl-NL</language><category>Fire</category><event>Brand</event>"
         "<urgency>Immediate</urgency><severity>Severe</severity><certainty>Observed</certainty>"
         "<expires>2099-01-01T00:00:00+00:00</expires>"
         "<headline>" +
         headline +
         "</headline><description>Rookontwikkeling, ramen en deuren sluiten.</description>"
         "<area>" +
         area + "</area></info></alert>";
}

std::string Ref(const std::string& identifier) {
  return std::string(kSender) + "," + identifier + ",2026-11-20T10:00:00+01:00";
}

std::string StateOf(const std::string& dsn, const std::string& external_id) {
  return QueryValue(dsn, "SELECT state FROM signals WHERE source = '" + std::string(kSender) + "' AND external_id = '" +
                             external_id + "'");
}

struct Setup {
  FreshDatabase db;
  Token token;
  Setup() {
    Admin(db.dsn(), {"migrate"});
    Admin(db.dsn(), {"partner", "add", kPartner});
    Admin(db.dsn(), {"source", "add", kSender, "--partner", kPartner});
    token = IssueToken(db.dsn(), kPartner, "ingest,read");
  }
};

}  // namespace

TEST_CASE("every valid CAP message of the corpus is accepted over HTTP and every invalid one refused with a reason",
          "[e2e][cap]") {
  Setup s;
  // Register every sender of the corpus as a source of the partner.
  std::set<std::string> senders;
  std::vector<std::filesystem::path> valid, invalid;
  for (const auto* dir : {"valid", "invalid"}) {
    for (const auto& entry : std::filesystem::directory_iterator(kCorpus / dir)) {
      (std::string(dir) == "valid" ? valid : invalid).push_back(entry.path());
      const std::string xml = ReadFile(entry.path());
      if (xml.find("sender>") != std::string::npos) {
        senders.insert(SenderOf(xml));
      }
    }
  }
  REQUIRE(valid.size() >= 15);
  REQUIRE(invalid.size() >= 4);
  for (const auto& sender : senders) {
    Admin(s.db.dsn(), {"source", "add", sender, "--partner", kPartner});
  }
  Vikd vikd(s.db.dsn(), kFastAuth);
  WaitForToken(vikd, s.token.secret);

  for (const auto& path : valid) {
    // Some corpus files reuse a sender's identifier for other bytes: start each one clean.
    vik::testing::ExecSql(s.db.dsn(), "TRUNCATE signals, cap_messages, pending_references CASCADE");
    const std::string xml = ReadFile(path);
    const auto reply = PostCap(vikd, s.token.secret, xml);
    INFO(path.filename().string() << " -> " << reply.status << " " << reply.body);
    REQUIRE(reply.status == 200);
    const json body = json::parse(reply.body);
    CHECK(body["outcome"] == "RECEIPT_OUTCOME_ACCEPTED");
    // Stored byte for byte.
    CHECK(QueryValue(s.db.dsn(), "SELECT encode(sha256(raw), 'hex') FROM cap_messages WHERE id = '" +
                                     body["messageId"].get<std::string>() + "'") ==
          QueryValue(
              s.db.dsn(), "SELECT encode(sha256(decode('" + [&] {
                static constexpr char kHex[] = "0123456789abcdef";
                std::string hex;
                for (unsigned char c : xml) {
                  hex += kHex[c >> 4];
                  hex += kHex[c & 15];
                }
                return hex;
              }() + "', 'hex')), 'hex')"));
    CHECK(QueryValue(s.db.dsn(), "SELECT count(*) FROM signals") == std::to_string(body["signals"].size()));
    // The same bytes again: DUPLICATE with the same message.
    const auto again = PostCap(vikd, s.token.secret, xml);
    REQUIRE(again.status == 200);
    CHECK(json::parse(again.body)["outcome"] == "RECEIPT_OUTCOME_DUPLICATE");
    CHECK(json::parse(again.body)["messageId"] == body["messageId"]);
  }
  for (const auto& path : invalid) {
    const auto reply = PostCap(vikd, s.token.secret, ReadFile(path));
    INFO(path.filename().string() << " -> " << reply.status << " " << reply.body);
    CHECK(reply.status == 400);
    CHECK_FALSE(json::parse(reply.body)["message"].get<std::string>().empty());
  }
  CHECK(QueryValue(s.db.dsn(),
                   "SELECT count(*) FROM audit_log WHERE action = 'ingest.cap' AND result = "
                   "'INVALID_ARGUMENT'") == std::to_string(invalid.size()));
}

TEST_CASE("CAP errors name the element path and map to HTTP statuses", "[e2e][cap]") {
  Setup s;
  Admin(s.db.dsn(), {"partner", "add", "politie"});
  Admin(s.db.dsn(), {"source", "add", "meldkamer@politie.nl", "--partner", "politie"});
  Vikd vikd(s.db.dsn(), With(kFastAuth, {"--set", "cap.max_bytes=64KiB"}));
  WaitForToken(vikd, s.token.secret);

  SECTION("a polygon that is not closed") {
    const auto reply = PostCap(vikd, s.token.secret,
                               Alert("poly-1", "Alert", "", "Actual",
                                     "<areaDesc>x</areaDesc><polygon>51.6,5.2 51.7,5.2 51.7,5.4 51.6,5.4</polygon>"));
    INFO(reply.body);
    CHECK(reply.status == 400);
    CHECK_THAT(reply.body, Catch::Contains("alert/info[0]/area[0]/polygon[0]"));
  }
  SECTION("a sender that is not the partner's source is 403 and stores nothing") {
    std::string xml = Alert("foreign-1");
    xml.replace(xml.find(kSender), std::string(kSender).size(), "meldkamer@politie.nl");
    const auto reply = PostCap(vikd, s.token.secret, xml);
    CHECK(reply.status == 403);
    CHECK_THAT(reply.body, Catch::Contains("alert/sender"));
    CHECK(QueryValue(s.db.dsn(), "SELECT count(*) FROM cap_messages") == "0");
  }
  SECTION("no token is 401, a JSON body is 415") {
    CHECK(PostCap(vikd, "", Alert("a-1")).status == 401);
    CHECK(HttpCall(vikd.http_port(), "POST", "/v1/cap", Alert("a-1"), CapHeaders(s.token.secret, "application/json"))
              .status == 415);
  }
  SECTION("the same identifier with other bytes is 409 and the original is kept") {
    REQUIRE(PostCap(vikd, s.token.secret, Alert("same-1")).status == 200);
    const auto reply = PostCap(vikd, s.token.secret,
                               Alert("same-1", "Alert", "", "Actual",
                                     "<areaDesc>Oss</areaDesc><geocode><valueName>CBS_GM"
                                     "</valueName><value>GM0828</value></geocode>"));
    CHECK(reply.status == 409);
    CHECK(QueryValue(s.db.dsn(), "SELECT municipalities[1] FROM signals WHERE external_id = 'same-1'") == "GM0796");
    CHECK(QueryValue(s.db.dsn(),
                     "SELECT count(*) FROM audit_log WHERE action = 'ingest.cap' AND result = "
                     "'ALREADY_EXISTS' AND object->>'outcome' = 'conflict'") == "1");
  }
  SECTION("a DOCTYPE (billion laughs) is refused before any parsing") {
    const std::string bomb =
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>"
        "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>&lol2;</identifier></alert>";
    const auto reply = PostCap(vikd, s.token.secret, bomb);
    CHECK(reply.status == 400);
    CHECK_THAT(reply.body, Catch::Contains("DOCTYPE"));
  }
  SECTION("a document over cap.max_bytes is 413") {
    std::string big = Alert("big-1");
    big.insert(big.find("</description>"), std::string(70 * 1024, 'x'));
    const auto reply = PostCap(vikd, s.token.secret, big);
    CHECK(reply.status == 413);
  }
}

TEST_CASE("updates and cancels end the signals they reference, also when they arrive first", "[e2e][cap]") {
  Setup s;
  Vikd vikd(s.db.dsn(), kFastAuth);
  WaitForToken(vikd, s.token.secret);

  REQUIRE(PostCap(vikd, s.token.secret, Alert("fire-1")).status == 200);
  CHECK(StateOf(s.db.dsn(), "fire-1") == "active");

  auto update = PostCap(vikd, s.token.secret, Alert("fire-2", "Update", Ref("fire-1")));
  REQUIRE(update.status == 200);
  CHECK(json::parse(update.body)["signalsEnded"] == 1);
  CHECK(StateOf(s.db.dsn(), "fire-1") == "superseded");
  CHECK(StateOf(s.db.dsn(), "fire-2") == "active");

  REQUIRE(PostCap(vikd, s.token.secret, Alert("fire-3", "Cancel", Ref("fire-2"))).status == 200);
  CHECK(StateOf(s.db.dsn(), "fire-2") == "cancelled");

  // A cancel for an alert that has not arrived yet waits, and applies when the alert comes.
  auto early = PostCap(vikd, s.token.secret, Alert("late-2", "Cancel", Ref("late-1")));
  REQUIRE(early.status == 200);
  CHECK(json::parse(early.body)["referencesPending"] == 1);
  REQUIRE(PostCap(vikd, s.token.secret, Alert("late-1")).status == 200);
  CHECK(StateOf(s.db.dsn(), "late-1") == "cancelled");

  // An exercise cancel never ends an actual alert.
  REQUIRE(PostCap(vikd, s.token.secret, Alert("real-1")).status == 200);
  REQUIRE(PostCap(vikd, s.token.secret, Alert("oefening-1", "Cancel", Ref("real-1"), "Exercise")).status == 200);
  CHECK(StateOf(s.db.dsn(), "real-1") == "active");
  CHECK(QueryValue(s.db.dsn(), "SELECT status FROM signals WHERE external_id = 'oefening-1'") == "exercise");

  // Ack and Error messages are stored and change nothing.
  auto ack = PostCap(vikd, s.token.secret, Alert("ack-1", "Ack", Ref("real-1")));
  REQUIRE(ack.status == 200);
  CHECK(json::parse(ack.body)["signals"].empty());
  CHECK(StateOf(s.db.dsn(), "real-1") == "active");
  CHECK(QueryValue(s.db.dsn(), "SELECT msg_type FROM cap_messages WHERE identifier = 'ack-1'") == "ack");
}

TEST_CASE("a national alert of 880 KB with one 877 KB polygon is accepted and stored whole", "[e2e][cap][limits]") {
  Setup s;
  Vikd vikd(s.db.dsn(), kFastAuth);
  WaitForToken(vikd, s.token.secret);
  const std::string document = vik::testing::LargePolygonAlert(kSender, "national-1", 877 * 1024);
  REQUIRE(document.size() > 880 * 1000);
  REQUIRE(document.size() < 1024 * 1024);
  const auto started = std::chrono::steady_clock::now();
  const auto reply = PostCap(vikd, s.token.secret, document);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  INFO(reply.body);
  REQUIRE(reply.status == 200);
  // A figure, not a timed assertion (tests/bench/cap_run.sh measures it: --doc national).
  WARN("POST /v1/cap of " << document.size() << " bytes (one polygon) answered in " << ms << " ms");
  CHECK(QueryValue(s.db.dsn(), "SELECT length(raw) FROM cap_messages WHERE identifier = 'national-1'") ==
        std::to_string(document.size()));
  CHECK(StateOf(s.db.dsn(), "national-1") == "active");
  // Located by geometry: the ring surrounds the whole region.
  CHECK(QueryValue(s.db.dsn(),
                   "SELECT cardinality(municipalities) > 1 FROM signals WHERE external_id = 'national-1'") == "t");
}

TEST_CASE("an update that lists its own message among its references is accepted with a warning", "[e2e][cap]") {
  Setup s;
  Vikd vikd(s.db.dsn(), kFastAuth);
  WaitForToken(vikd, s.token.secret);
  REQUIRE(PostCap(vikd, s.token.secret, Alert("storm-1")).status == 200);
  // The real sender's habit: its own message among the references, `sent` written +00:00 where the
  // alert itself says -00:00.
  std::string update =
      Alert("storm-2", "Update", Ref("storm-1") + " " + kSender + ",storm-2,2026-11-20T09:00:00+00:00");
  const auto sent = update.find("<sent>2026-11-20T10:00:00+01:00</sent>");
  REQUIRE(sent != std::string::npos);
  update.replace(sent, 38, "<sent>2026-11-20T09:00:00-00:00</sent>");
  const auto reply = PostCap(vikd, s.token.secret, update);
  INFO(reply.body);
  REQUIRE(reply.status == 200);
  const auto body = json::parse(reply.body);
  CHECK(body["signalsEnded"] == 1);
  REQUIRE(body["warnings"].size() == 1);
  CHECK(body["warnings"][0].get<std::string>().find("the reference to this message itself") != std::string::npos);
  CHECK(StateOf(s.db.dsn(), "storm-1") == "superseded");
  CHECK(StateOf(s.db.dsn(), "storm-2") == "active");  // never superseded by itself
  CHECK(QueryValue(s.db.dsn(), "SELECT count(*) FROM pending_references") == "0");
}

TEST_CASE("CAP areas map to the region's municipalities by geocode and by geometry", "[e2e][cap]") {
  Setup s;
  Vikd vikd(s.db.dsn(), kFastAuth);
  WaitForToken(vikd, s.token.secret);
  // A small square around the centre of 's-Hertogenbosch and a 3 km circle in Oss.
  REQUIRE(PostCap(vikd, s.token.secret,
                  Alert("geo-1", "Alert", "", "Actual",
                        "<areaDesc>Centrum</areaDesc>"
                        "<polygon>51.685,5.300 51.692,5.300 51.692,5.310 51.685,5.310 51.685,5.300</polygon>"))
              .status == 200);
  CHECK(QueryValue(s.db.dsn(),
                   "SELECT array_to_string(municipalities, ',') FROM signals WHERE external_id = "
                   "'geo-1'") == "GM0796");
  REQUIRE(PostCap(vikd, s.token.secret,
                  Alert("geo-2", "Alert", "", "Actual", "<areaDesc>Oss</areaDesc><circle>51.765,5.518 3</circle>"))
              .status == 200);
  CHECK_THAT(QueryValue(s.db.dsn(),
                        "SELECT array_to_string(municipalities, ',') FROM signals WHERE external_id = "
                        "'geo-2'"),
             Catch::Contains("GM0828"));
  // Far away: stored, but in no municipality of the region.
  REQUIRE(PostCap(vikd, s.token.secret,
                  Alert("geo-3", "Alert", "", "Actual", "<areaDesc>Amsterdam</areaDesc><circle>52.37,4.89 2</circle>"))
              .status == 200);
  CHECK(QueryValue(s.db.dsn(), "SELECT cardinality(municipalities) FROM signals WHERE external_id = 'geo-3'") == "0");
}

TEST_CASE("CAP out: the Atom index lists current actual alerts, each served as CAP", "[e2e][cap]") {
  Setup s;
  Vikd vikd(s.db.dsn(), kFastAuth);
  WaitForToken(vikd, s.token.secret);
  const std::string original = Alert("out-1");
  REQUIRE(PostCap(vikd, s.token.secret, original).status == 200);
  REQUIRE(PostCap(vikd, s.token.secret, Alert("out-2", "Alert", "", "Exercise")).status == 200);
  REQUIRE(PostCap(vikd, s.token.secret, Alert("out-3")).status == 200);
  REQUIRE(PostCap(vikd, s.token.secret, Alert("out-4", "Cancel", Ref("out-3"))).status == 200);

  const auto index = HttpCall(vikd.http_port(), "GET", "/cap/alerts.atom", "", CapHeaders(s.token.secret));
  REQUIRE(index.status == 200);
  CHECK_THAT(index.header("content-type"), Catch::StartsWith("application/atom+xml"));
  const std::string id = QueryValue(s.db.dsn(), "SELECT id FROM signals WHERE external_id = 'out-1'");
  CHECK_THAT(index.body, Catch::Contains("/cap/alerts/" + id + ".xml"));
  for (const auto* absent : {"out-2", "out-3", "out-4"}) {
    const std::string other =
        QueryValue(s.db.dsn(), "SELECT id FROM signals WHERE external_id = '" + std::string(absent) + "'");
    CHECK_THAT(index.body, !Catch::Contains(other));
  }
  // The exercise picture is listed apart.
  const auto exercise =
      HttpCall(vikd.http_port(), "GET", "/cap/alerts.atom?status=exercise", "", CapHeaders(s.token.secret));
  REQUIRE(exercise.status == 200);
  CHECK_THAT(exercise.body,
             Catch::Contains(QueryValue(s.db.dsn(), "SELECT id FROM signals WHERE external_id = 'out-2'")));
  CHECK_THAT(exercise.body, !Catch::Contains(id));
  CHECK(HttpCall(vikd.http_port(), "GET", "/cap/alerts.atom?status=bogus", "", CapHeaders(s.token.secret)).status ==
        400);
  const auto alert = HttpCall(vikd.http_port(), "GET", "/cap/alerts/" + id + ".xml", "", CapHeaders(s.token.secret));
  REQUIRE(alert.status == 200);
  CHECK(alert.body == original);  // the original bytes
  // Source freshness: the sender's last accepted signal, and the expected interval of a source
  // registered with one.
  Admin(s.db.dsn(), {"source", "add", "knmi-waarschuwingen", "--partner", kPartner, "--interval", "1h"});
  REQUIRE(vik::testing::WaitUntil(
      [&] {
        return HttpCall(vikd.http_port(), "GET", "/metrics")
                   .body.find("vik_ingest_source_expected_interval_seconds{source=\"knmi-waarschuwingen\"} 3600") !=
               std::string::npos;
      },
      std::chrono::seconds(10)));
  CHECK_THAT(HttpCall(vikd.http_port(), "GET", "/metrics").body,
             Catch::Contains("vik_ingest_last_signal_timestamp_seconds{source=\"caco@vr21.nl\"}"));
  CHECK(HttpCall(vikd.http_port(), "GET", "/cap/alerts/" + id + ".xml").status == 401);
  CHECK(HttpCall(vikd.http_port(), "GET", "/cap/alerts/not-a-uuid.xml", "", CapHeaders(s.token.secret)).status == 404);
}

TEST_CASE("a JSON signal comes back as CAP that another vikd ingests as the same signal", "[e2e][cap]") {
  Setup a;
  Setup b;
  Vikd first(a.db.dsn(), kFastAuth);
  Vikd second(b.db.dsn(), kFastAuth);
  WaitForToken(first, a.token.secret);
  WaitForToken(second, b.token.secret);

  const json signal = {{"source", kSender},
                       {"externalId", "json-1"},
                       {"msgType", "MSG_TYPE_ALERT"},
                       {"status", "SIGNAL_STATUS_ACTUAL"},
                       {"kind", "SIGNAL_KIND_WARNING"},
                       {"categories", {"CATEGORY_MET", "CATEGORY_INFRA"}},
                       {"theme", "1.3"},
                       {"urgency", "URGENCY_EXPECTED"},
                       {"severity", "SEVERITY_SEVERE"},
                       {"certainty", "CERTAINTY_LIKELY"},
                       {"sentAt", "2026-11-20T09:00:00Z"},
                       {"onsetAt", "2026-11-20T18:00:00Z"},
                       {"expiresAt", "2099-11-26T06:00:00Z"},
                       {"area",
                        {{"description", "Oss & Bernheze <oost>"},
                         {"municipalities", {"GM0828", "GM1721"}},
                         {"points", {{{"lat", 51.765}, {"lon", 5.518}}}},
                         {"polygons",
                          {{{"points",
                             {{{"lat", 51.7}, {"lon", 5.5}},
                              {{"lat", 51.8}, {"lon", 5.5}},
                              {{"lat", 51.8}, {"lon", 5.6}},
                              {{"lat", 51.7}, {"lon", 5.5}}}}}}},
                         {"circles", {{{"center", {{"lat", 51.7}, {"lon", 5.55}}}, {"radiusKm", 2.5}}}},
                         {"geocodes", {{{"name", "EMMA_ID"}, {"value", "NL007"}}}}}},
                       {"headline", "Zware windstoten verwacht"},
                       {"description", "Windstoten tot 100 km/u; \"code oranje\"."},
                       {"instruction", "Blijf binnen."},
                       {"senderName", "CaCo Brabant-Noord"},
                       {"web", "https://www.vrbn.nl/"},
                       {"attributes", {{"awareness_level", "3; orange; Severe"}, {"meldkamer", "MKOB"}}}};
  const auto submitted =
      HttpCall(first.http_port(), "POST", "/v1/signals", json{{"signals", {signal}}}.dump(),
               {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + a.token.secret}});
  INFO(submitted.body);
  REQUIRE(submitted.status == 200);
  const std::string id = json::parse(submitted.body)["receipts"][0]["signalId"];

  const auto cap = HttpCall(first.http_port(), "GET", "/cap/alerts/" + id + ".xml", "", CapHeaders(a.token.secret));
  REQUIRE(cap.status == 200);
  INFO(cap.body);
  CHECK_THAT(cap.body, Catch::Contains("urn:oasis:names:tc:emergency:cap:1.2"));
  const auto ingested = PostCap(second, b.token.secret, cap.body);
  INFO(ingested.body);
  REQUIRE(ingested.status == 200);
  // The same canonical signal: identical content hashes in both databases.
  const std::string hash_a =
      QueryValue(a.db.dsn(), "SELECT encode(content_hash, 'hex') FROM signals WHERE external_id = 'json-1'");
  const std::string hash_b =
      QueryValue(b.db.dsn(), "SELECT encode(content_hash, 'hex') FROM signals WHERE external_id = 'json-1'");
  CHECK(hash_a == hash_b);
}

TEST_CASE("IngestService.SubmitCap stores CAP over gRPC and puts element paths in the error details", "[e2e][cap]") {
  Setup s;
  Vikd vikd(s.db.dsn(), kFastAuth);
  WaitForToken(vikd, s.token.secret);
  auto stub =
      vik::v1::IngestService::NewStub(grpc::CreateChannel(vikd.grpc_target(), grpc::InsecureChannelCredentials()));

  auto call = [&](const std::string& xml, vik::v1::SubmitCapResponse* response) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + s.token.secret);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    vik::v1::SubmitCapRequest request;
    request.set_document(xml);
    return stub->SubmitCap(&context, request, response);
  };
  vik::v1::SubmitCapResponse ok;
  const auto status = call(Alert("grpc-1"), &ok);
  INFO(status.error_message());
  REQUIRE(status.ok());
  CHECK(ok.outcome() == vik::v1::RECEIPT_OUTCOME_ACCEPTED);
  REQUIRE(ok.signals_size() == 1);
  CHECK(ok.signals(0).external_id() == "grpc-1");
  CHECK(ok.signals(0).signal_id() == QueryValue(s.db.dsn(), "SELECT id FROM signals WHERE external_id = 'grpc-1'"));

  std::string bad = Alert("grpc-2");
  bad.replace(bad.find("<urgency>Immediate"), 18, "<urgency>Soon");
  vik::v1::SubmitCapResponse unused;
  const auto refused = call(bad, &unused);
  CHECK(refused.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  vik::v1::Error details;
  REQUIRE(details.ParseFromString(refused.error_details()));
  REQUIRE(details.violations_size() >= 1);
  CHECK(details.violations(0).field() == "alert/info[0]/urgency");
}

TEST_CASE("JSON signals with msg_type cancel or update end the signals they reference", "[e2e][cap]") {
  Setup s;
  Vikd vikd(s.db.dsn(), kFastAuth);
  WaitForToken(vikd, s.token.secret);
  auto signal = [](const std::string& id, const std::string& msg_type, const std::string& ref) {
    json j = {{"source", kSender},
              {"externalId", id},
              {"msgType", msg_type},
              {"status", "SIGNAL_STATUS_ACTUAL"},
              {"kind", "SIGNAL_KIND_INCIDENT"},
              {"categories", {"CATEGORY_FIRE"}},
              {"theme", "2.1"},
              {"urgency", "URGENCY_IMMEDIATE"},
              {"severity", "SEVERITY_SEVERE"},
              {"certainty", "CERTAINTY_OBSERVED"},
              {"sentAt", "2026-11-20T09:00:00Z"},
              {"area", {{"municipalities", {"GM0796"}}}},
              {"headline", "Brand"}};
    if (!ref.empty()) {
      j["references"] = {{{"source", kSender}, {"externalId", ref}}};
    }
    return j;
  };
  auto post = [&](const json& j) {
    const auto reply = HttpCall(vikd.http_port(), "POST", "/v1/signals", json{{"signals", {j}}}.dump(),
                                {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + s.token.secret}});
    INFO(reply.body);
    REQUIRE(reply.status == 200);
    REQUIRE(json::parse(reply.body)["receipts"][0]["outcome"] == "RECEIPT_OUTCOME_ACCEPTED");
  };
  post(signal("j-1", "MSG_TYPE_ALERT", ""));
  post(signal("j-2", "MSG_TYPE_UPDATE", "j-1"));
  CHECK(StateOf(s.db.dsn(), "j-1") == "superseded");
  post(signal("j-3", "MSG_TYPE_CANCEL", "j-2"));
  CHECK(StateOf(s.db.dsn(), "j-2") == "cancelled");
  // A cancel that arrives before its alert.
  post(signal("j-5", "MSG_TYPE_CANCEL", "j-4"));
  post(signal("j-4", "MSG_TYPE_ALERT", ""));
  CHECK(StateOf(s.db.dsn(), "j-4") == "cancelled");
  // A CAP cancel ends a JSON signal of the same source by its external id.
  post(signal("j-6", "MSG_TYPE_ALERT", ""));
  REQUIRE(PostCap(vikd, s.token.secret, Alert("cap-cancel-6", "Cancel", Ref("j-6"))).status == 200);
  CHECK(StateOf(s.db.dsn(), "j-6") == "cancelled");
}

TEST_CASE("a partner's cancel never ends another partner's alerts, before or after they arrive", "[e2e][cap]") {
  Setup s;
  Admin(s.db.dsn(), {"partner", "add", "politie"});
  Admin(s.db.dsn(), {"source", "add", "meldkamer@politie.nl", "--partner", "politie"});
  const Token other = IssueToken(s.db.dsn(), "politie", "ingest");
  Vikd vikd(s.db.dsn(), kFastAuth);
  WaitForToken(vikd, s.token.secret);
  auto from_police = [](std::string xml) {
    xml.replace(xml.find(kSender), std::string(kSender).size(), "meldkamer@politie.nl");
    return xml;
  };
  REQUIRE(PostCap(vikd, s.token.secret, Alert("victim-1")).status == 200);
  REQUIRE(vik::testing::WaitUntil(
      [&] {
        return PostCap(vikd, other.secret, from_police(Alert("cancel-1", "Cancel", Ref("victim-1")))).status == 200;
      },
      std::chrono::seconds(10)));
  CHECK(StateOf(s.db.dsn(), "victim-1") == "active");
  // Parked before the alert arrives: still no effect on another partner's alert.
  REQUIRE(PostCap(vikd, other.secret, from_police(Alert("cancel-2", "Cancel", Ref("victim-2")))).status == 200);
  REQUIRE(PostCap(vikd, s.token.secret, Alert("victim-2")).status == 200);
  CHECK(StateOf(s.db.dsn(), "victim-2") == "active");
}

TEST_CASE("a reference parked while its alert was being stored is applied by the leader's sweep", "[e2e][cap]") {
  Setup s;
  Vikd vikd(s.db.dsn(), kFastAuth);
  WaitForToken(vikd, s.token.secret);
  REQUIRE(PostCap(vikd, s.token.secret, Alert("race-1")).status == 200);
  // What a lost race leaves behind: the alert stored and active, a cancel for it parked and open.
  vik::testing::ExecSql(s.db.dsn(),
                        "INSERT INTO pending_references (partner, ref_source, ref_identifier, action, status, ended_by,"
                        " ended_at) VALUES ('" +
                            std::string(kPartner) + "', '" + kSender +
                            "', 'race-1', 'cancel', 'actual', 'cap:test', now())");
  REQUIRE(
      vik::testing::WaitUntil([&] { return StateOf(s.db.dsn(), "race-1") == "cancelled"; }, std::chrono::seconds(15)));
  CHECK(QueryValue(s.db.dsn(), "SELECT count(*) FROM pending_references WHERE resolved_at IS NULL") == "0");
}

TEST_CASE("parked references are bounded per partner and pruned after the retention", "[e2e][cap][references]") {
  Setup s;
  Admin(s.db.dsn(), {"partner", "add", "other"});
  Admin(s.db.dsn(), {"source", "add", "other@vr21.nl", "--partner", "other"});
  const Token other = IssueToken(s.db.dsn(), "other", "ingest,read");
  Vikd vikd(s.db.dsn(),
            With(kFastAuth, {"--set", "ingest.max_pending_references=3", "--set", "cluster.renew_interval=200ms"}));
  WaitForToken(vikd, s.token.secret);
  WaitForToken(vikd, other.secret);

  // A JSON cancel naming five messages nobody has sent: three are parked, two dropped with a warning.
  json cancel = {{"source", kSender},
                 {"externalId", "cancel-many"},
                 {"msgType", "MSG_TYPE_CANCEL"},
                 {"status", "SIGNAL_STATUS_ACTUAL"},
                 {"kind", "SIGNAL_KIND_INCIDENT"},
                 {"categories", {"CATEGORY_FIRE"}},
                 {"theme", "2.1"},
                 {"urgency", "URGENCY_IMMEDIATE"},
                 {"severity", "SEVERITY_SEVERE"},
                 {"certainty", "CERTAINTY_OBSERVED"},
                 {"sentAt", "2026-11-20T09:00:00Z"},
                 {"area", {{"municipalities", {"GM0796"}}}},
                 {"headline", "Brand"},
                 {"references", json::array()}};
  for (int i = 0; i < 5; ++i) {
    cancel["references"].push_back({{"source", kSender}, {"externalId", "never-" + std::to_string(i)}});
  }
  const auto reply = HttpCall(vikd.http_port(), "POST", "/v1/signals", json{{"signals", {cancel}}}.dump(),
                              {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + s.token.secret}});
  INFO(reply.body);
  REQUIRE(reply.status == 200);
  const auto receipt = json::parse(reply.body)["receipts"][0];
  CHECK(receipt["outcome"] == "RECEIPT_OUTCOME_ACCEPTED");
  REQUIRE(receipt["warnings"].size() == 1);
  CHECK_THAT(receipt["warnings"][0].get<std::string>(),
             Catch::Contains("references: 2 references to messages not received yet dropped") &&
                 Catch::Contains("ingest.max_pending_references"));
  CHECK(QueryValue(s.db.dsn(),
                   "SELECT count(*) FROM pending_references WHERE partner = '" + std::string(kPartner) + "'") == "3");

  // A CAP cancel of the same partner: nothing more is parked; the receipt says so.
  const auto cap = PostCap(vikd, s.token.secret, Alert("cap-cancel-x", "Cancel", Ref("never-cap")));
  INFO(cap.body);
  REQUIRE(cap.status == 200);
  const auto cap_body = json::parse(cap.body);
  CHECK(cap_body["referencesPending"] == 0);
  REQUIRE(cap_body["warnings"].size() == 1);
  CHECK_THAT(cap_body["warnings"][0].get<std::string>(), Catch::Contains("alert/references: 1 reference"));

  // Another partner's quota is its own.
  std::string other_alert = Alert("other-cancel", "Cancel", "other@vr21.nl,never-o,2026-11-20T10:00:00+01:00");
  other_alert.replace(other_alert.find(kSender), std::string(kSender).size(), "other@vr21.nl");
  const auto other_reply = PostCap(vikd, other.secret, other_alert);
  INFO(other_reply.body);
  REQUIRE(other_reply.status == 200);
  CHECK(json::parse(other_reply.body)["referencesPending"] == 1);

  // A parked reference that arrives still works; the resolved place is free again.
  json alert = cancel;
  alert["externalId"] = "never-0";
  alert["msgType"] = "MSG_TYPE_ALERT";
  alert.erase("references");
  REQUIRE(vik::testing::PushAccepted(vikd.http_port(), s.token.secret, json::array({alert})));
  CHECK(StateOf(s.db.dsn(), "never-0") == "cancelled");

  // The retention (7 days by default): the leader's sweep deletes older parked references.
  QueryValue(s.db.dsn(), "UPDATE pending_references SET created_at = now() - interval '8 days' RETURNING 1");
  REQUIRE(
      vik::testing::WaitUntil([&] { return QueryValue(s.db.dsn(), "SELECT count(*) FROM pending_references") == "0"; },
                              std::chrono::seconds(15)));
}
