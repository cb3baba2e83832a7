// vikd's HTTP surface against hostile and clumsy requests (issue 13): the reproduction rows 1-6, 9,
// 20-22 as regression tests against a live vikd and PostgreSQL.

#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/admin_setup.h"
#include "support/http_client.h"
#include "support/postgres.h"
#include "support/process.h"
#include "support/vikd.h"

namespace {

using nlohmann::json;
using vik::testing::HttpCall;
using vik::testing::HttpGet;
using vik::testing::RawConnection;

// Database and driver text that must never appear in an answer.
void CheckNoDatabaseText(const std::string& body) {
  INFO(body);
  for (const char* text : {"ERROR:", "FATAL:", "UTF8", "invalid byte sequence", "connection to server",
                           "could not connect", "Connection refused", "127.0.0.1", "5432", "pqxx"}) {
    CHECK(body.find(text) == std::string::npos);
  }
}

struct Live {
  vik::testing::FreshDatabase db;
  vik::testing::Token reader;
  std::unique_ptr<vik::testing::Vikd> vikd;

  explicit Live(std::vector<std::string> extra = {}) {
    vik::testing::Admin(db.dsn(), {"migrate"});
    vik::testing::AddPartnerWithSource(db.dsn(), "brandweer", "brandweer-vr21");
    reader = vik::testing::IssueToken(db.dsn(), "brandweer", "read");
    extra.insert(extra.end(), {"--set", "auth.refresh_interval=200ms"});
    vikd = std::make_unique<vik::testing::Vikd>(db.dsn(), extra);
    REQUIRE(vik::testing::WaitUntil([&] { return Get("/v1/signals").status == 200; }, std::chrono::seconds(10)));
  }
  int port() const { return vikd->http_port(); }
  vik::testing::HttpReply Get(const std::string& target, const std::string& scheme = "Bearer ") const {
    return HttpCall(port(), "GET", target, "", {{"Authorization", scheme + reader.secret}});
  }
  vik::testing::HttpReply Post(const std::string& target, const std::string& body) const {
    return HttpCall(port(), "POST", target, body,
                    {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + reader.secret}});
  }
  std::string Raw(const std::string& bytes, int ms = 2000) const {
    RawConnection c(port());
    c.Send(bytes);
    return c.ReadAll(ms);
  }
  void CheckAlive() {
    CHECK(vikd->process().running());
    CHECK(HttpGet(port(), "/healthz").status == 200);
  }
};

std::string Message(const vik::testing::HttpReply& r) {
  INFO(r.body);
  return json::parse(r.body).at("message").get<std::string>();
}

}  // namespace

TEST_CASE("bytes that are not UTF-8 text in the path or the query are a 400 naming them, never a crash",
          "[e2e][http][hostile]") {
  Live live;
  // Row 1: one raw 0xFF byte in the path aborted vikd.
  const std::string raw = live.Raw("GET /\xff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK_THAT(raw, Catch::StartsWith("HTTP/1.1 400"));
  CHECK_THAT(raw, Catch::Contains("path: is not valid UTF-8"));
  live.CheckAlive();

  // Row 3: the value reached PostgreSQL and its error text came back in a 500.
  auto source = live.Get("/v1/signals?source=%ff");
  CHECK(source.status == 400);
  CHECK(Message(source) == "query: parameter \"source\": is not valid UTF-8 (after percent-decoding)");
  CheckNoDatabaseText(source.body);
  // Row 4: the name was echoed through a JSON encoder that threw: 500.
  auto name = live.Get("/v1/signals?%ff=1");
  CHECK(name.status == 400);
  CHECK(Message(name) == "query: the name of parameter 1: is not valid UTF-8 (after percent-decoding)");
  // Row 5: the connection closed with no answer at all.
  auto region = live.Get("/v1/national/signals?region=%ff");
  CHECK(region.status == 400);
  CHECK_THAT(Message(region), Catch::Contains("\"region\": is not valid UTF-8"));
  // NUL and other controls, malformed escapes.
  CHECK(live.Get("/v1/signals?source=a%00b").status == 400);
  CHECK(live.Get("/v1/signals?source=%1b%5b31m").status == 400);
  CHECK(live.Get("/v1/signals?source=%g1").status == 400);
  CHECK(live.Get("/v1/signals/%ff").status == 400);
  live.CheckAlive();
}

TEST_CASE("JSON bodies nested 200,000 deep are a 400, not a SIGSEGV", "[e2e][http][hostile]") {
  Live live;
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  // Row 2: a subscription filter nested ~200,000 deep.
  auto sub = live.Post("/v1/subscriptions",
                       R"({"name":"deep","url":"https://example.org/hook","filter":{"themes":)" + deep + "}}");
  CHECK(sub.status == 400);
  CHECK(Message(sub) == "the body nests JSON deeper than 64 levels");
  // The same for protobuf's JSON parser on /v1/signals (an ingest token: the depth is checked first).
  auto signals = live.Post("/v1/signals", R"({"signals":)" + deep + "}");
  CHECK(signals.status == 400);
  CHECK(Message(signals) == "the body nests JSON deeper than 64 levels");
  live.CheckAlive();
}

TEST_CASE("made-up methods add no metric series, odd Transfer-Encodings are refused, HEAD never streams",
          "[e2e][http][hostile]") {
  Live live;
  // Row 6: 300 methods Z0 ... Z299 made 300 series.
  for (int i = 0; i < 300; ++i) {
    const std::string answer =
        live.Raw("Z" + std::to_string(i) + " /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 1000);
    REQUIRE_THAT(answer, Catch::StartsWith("HTTP/1.1 405"));
  }
  const std::string metrics = HttpGet(live.port(), "/metrics").body;
  CHECK_THAT(metrics, !Catch::Contains("method=\"Z"));
  CHECK_THAT(metrics, Catch::Contains("vik_http_requests_total{code=\"405\",method=\"other\",route=\"/healthz\"} 300"));

  // Row 20: treated as bodiless, the next bytes parsed as a new request.
  for (const char* te : {"identity", "xchunked", "chunked, identity"}) {
    INFO(te);
    const std::string answer = live.Raw(std::string("POST /v1/signals HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ") +
                                        te + "\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 501"));
    CHECK(answer.find("HTTP/1.1 200") == std::string::npos);
  }

  // Row 21: HEAD on the change stream answered a streamed body.
  RawConnection head(live.port());
  head.Send("HEAD /v1/changes/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + live.reader.secret + "\r\n\r\n");
  const std::string answer = head.ReadAll(3000);
  CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 200"));
  CHECK_THAT(answer, Catch::Contains("text/event-stream"));
  CHECK_THAT(answer, Catch::EndsWith("\r\n\r\n"));  // the head, nothing after it

  // RFC 7235: the scheme is case-insensitive.
  CHECK(live.Get("/v1/signals", "bearer ").status == 200);
  CHECK(live.Get("/v1/signals", "BEARER ").status == 200);
  CHECK(live.Get("/v1/signals", "Basic ").status == 401);
  live.CheckAlive();
}

TEST_CASE("520 slowloris sockets do not fill the connection cap: /healthz answers", "[e2e][http][hostile]") {
  Live live;
  // Row 9: 520 sockets that send "G" and then nothing; /healthz answered 503 to 50 of 50 tries.
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 520; ++i) {
    slow.push_back(std::make_unique<RawConnection>(live.port()));
    slow.back()->Send("G");
  }
  int ok = 0;
  for (int i = 0; i < 50; ++i) {
    ok += HttpGet(live.port(), "/healthz").status == 200 ? 1 : 0;
  }
  CHECK(ok == 50);
  const std::string metrics = HttpGet(live.port(), "/metrics").body;
  CHECK_THAT(metrics, !Catch::Contains("vik_http_connections_evicted_total 0\n"));
  live.CheckAlive();
}

TEST_CASE("metrics and readiness detail can move to a management listener", "[e2e][http][hostile]") {
  Live live({"--set", "http.management=127.0.0.1:0"});
  const int mgmt = live.vikd->management_port();
  REQUIRE(mgmt > 0);
  // Row 22: /metrics faced partners.
  CHECK(HttpGet(live.port(), "/metrics").status == 404);
  auto metrics = HttpGet(mgmt, "/metrics");
  CHECK(metrics.status == 200);
  CHECK_THAT(metrics.body, Catch::Contains("vik_http_requests_total{"));
  CHECK(HttpGet(mgmt, "/readyz").status == 200);
  CHECK(HttpGet(mgmt, "/healthz").status == 200);
  CHECK(HttpGet(mgmt, "/v1/signals").status == 404);  // only probes and metrics there
  CHECK(HttpGet(live.port(), "/healthz").status == 200);
  CHECK(HttpGet(live.port(), "/readyz").status == 200);
}

TEST_CASE("with PostgreSQL down, neither /readyz nor a failed store call shows database text",
          "[e2e][http][hostile][slow]") {
  vik::testing::PrivatePostgres pg;
  vik::testing::Admin(pg.dsn(), {"migrate"});
  vik::testing::AddPartnerWithSource(pg.dsn(), "brandweer", "brandweer-vr21");
  const auto reader = vik::testing::IssueToken(pg.dsn(), "brandweer", "read");
  vik::testing::Vikd vikd(pg.dsn(), {"--set", "http.management=127.0.0.1:0"});
  auto get = [&](const std::string& target) {
    return HttpCall(vikd.http_port(), "GET", target, "", {{"Authorization", "Bearer " + reader.secret}});
  };
  REQUIRE(vik::testing::WaitUntil([&] { return get("/v1/signals").status == 200; }, std::chrono::seconds(10)));

  pg.Stop();
  REQUIRE(vik::testing::WaitUntil([&] { return HttpGet(vikd.http_port(), "/readyz").status == 503; },
                                  std::chrono::seconds(10)));
  // Row 22 / item 11: the database host and port went to anyone.
  auto ready = HttpGet(vikd.http_port(), "/readyz");
  CheckNoDatabaseText(ready.body);
  CHECK(json::parse(ready.body)["reason"] == "database check failed");
  // The detail is on the management listener.
  auto detail = HttpGet(vikd.management_port(), "/readyz");
  CHECK(detail.status == 503);
  CHECK_THAT(json::parse(detail.body)["reason"].get<std::string>(), Catch::StartsWith("database check failed: "));
  // A store failure: a vik message with the code, the detail only in the log.
  auto list = get("/v1/signals");
  INFO(list.body);
  CHECK((list.status == 503 || list.status == 500));
  CheckNoDatabaseText(list.body);
  CHECK_THAT(Message(list),
             Catch::Contains("the details are in the server log") || Catch::Contains("credentials are not loaded"));
  CHECK(vikd.process().running());
  pg.Start();
}
