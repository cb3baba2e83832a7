// Subscriptions with webhooks end to end (docs/exchange.md, "Subscriptions"): a real vikd against
// PostgreSQL POSTs matching changes to a real receiver on loopback, signed with the subscription's
// secret; a failing receiver gets retries in cursor order, then a dead letter that can be re-queued;
// the HTTP API validates, scopes and hides other partners' subscriptions.

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/admin_setup.h"
#include "support/http_client.h"
#include "support/postgres.h"
#include "support/process.h"
#include "support/sample_signals.h"
#include "support/vikd.h"
#include "support/webhook_receiver.h"

namespace {

using nlohmann::json;
using vik::testing::Admin;
using vik::testing::FreshDatabase;
using vik::testing::HttpCall;
using vik::testing::IssueToken;
using vik::testing::Vikd;
using vik::testing::WaitUntil;
using vik::testing::WebhookReceiver;

json Signal(const std::string& id, const std::string& theme, const std::string& municipality) {
  return vik::testing::IncidentSignal(id, theme, municipality);
}

std::string Hmac(const std::string& key, const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(text.data()),
       text.size(), digest, &n);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

struct Hub {
  explicit Hub(std::vector<std::string> extra = {}) {
    Admin(db.dsn(), {"migrate"});
    vik::testing::AddPartnerWithSource(db.dsn(), "brandweer", "brandweer-vr21");
    Admin(db.dsn(), {"partner", "add", "ggd"});
    writer = IssueToken(db.dsn(), "brandweer", "ingest");
    reader = IssueToken(db.dsn(), "brandweer", "read");
    other = IssueToken(db.dsn(), "ggd", "read");
    admin = IssueToken(db.dsn(), "ggd", "admin");
    std::vector<std::string> args = {"--set", "auth.refresh_interval=200ms",
                                     "--set", "picture.interval=100ms",
                                     "--set", "cluster.renew_interval=200ms",
                                     "--set", "subscriptions.interval=100ms",
                                     "--set", "subscriptions.min_backoff=100ms",
                                     "--set", "subscriptions.max_backoff=300ms",
                                     "--set", "subscriptions.allow_private_destinations=true"};
    args.insert(args.end(), extra.begin(), extra.end());
    vikd = std::make_unique<Vikd>(db.dsn(), args);
    REQUIRE(WaitUntil([&] { return Call("GET", "/v1/subscriptions", "", reader).status == 200; },
                      std::chrono::seconds(15)));
  }
  vik::testing::HttpReply Call(const std::string& method, const std::string& target, const std::string& body,
                               const vik::testing::Token& token) {
    return HttpCall(vikd->http_port(), method, target, body,
                    {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token.secret}});
  }
  void Push(const std::vector<json>& signals) {
    REQUIRE(vik::testing::PushAccepted(vikd->http_port(), writer.secret, signals));
  }
  json Subscribe(const json& body, const vik::testing::Token& token) {
    const auto r = Call("POST", "/v1/subscriptions", body.dump(), token);
    INFO(r.body);
    REQUIRE(r.status == 201);
    return json::parse(r.body);
  }

  FreshDatabase db;
  vik::testing::Token writer;
  vik::testing::Token reader;
  vik::testing::Token other;
  vik::testing::Token admin;
  std::unique_ptr<Vikd> vikd;
};

std::string ExternalIdOf(const WebhookReceiver::Received& r) {
  return json::parse(r.body)["signal"]["signal"]["externalId"].get<std::string>();
}

}  // namespace

TEST_CASE("matching changes arrive signed at the subscriber's webhook and changes outside the filter do not",
          "[e2e][subscriptions]") {
  Hub hub;
  WebhookReceiver receiver;
  const json sub =
      hub.Subscribe({{"name", "brand-0796"},
                     {"url", receiver.url("/vik?x=1")},
                     {"filter", {{"themes", {"2"}}, {"municipalities", {"GM0796"}}, {"kinds", {"signal.accepted"}}}}},
                    hub.reader);
  const std::string secret = sub["secret"];
  CHECK(secret.rfind("whsec_", 0) == 0);
  CHECK(sub["partner"] == "brandweer");
  CHECK(sub["filter"]["picture"] == "actual");
  hub.Push({Signal("match-1", "2.1", "GM0796"), Signal("other-place", "2.1", "GM0828"),
            Signal("other-theme", "3.1", "GM0796")});
  hub.Push({Signal("match-2", "2", "GM0796")});
  REQUIRE(WaitUntil([&] { return receiver.received().size() >= 2; }, std::chrono::seconds(15)));
  // The non-matching signals were committed with the first match: had they matched, they would be here.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto got = receiver.received();
  REQUIRE(got.size() == 2);
  CHECK(ExternalIdOf(got[0]) == "match-1");
  CHECK(ExternalIdOf(got[1]) == "match-2");
  std::set<std::string> ids;
  for (const auto& r : got) {
    CHECK(r.method == "POST");
    CHECK(r.target == "/vik?x=1");
    CHECK(r.header("content-type") == "application/json");
    CHECK(r.header("vik-subscription-id") == sub["id"]);
    CHECK(ids.insert(r.header("vik-delivery-id")).second);
    const std::string ts = r.header("vik-timestamp");
    CHECK(std::abs(std::stoll(ts) -
                   std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                       .count()) < 60);
    CHECK(r.header("vik-signature") == "sha256=" + Hmac(secret, ts + "." + r.body));
    CHECK(r.header("vik-signature") != "sha256=" + Hmac("whsec_wrong", ts + "." + r.body));
    const json change = json::parse(r.body);
    CHECK(change["kind"] == "signal.accepted");
    CHECK_FALSE(change["cursor"].get<std::string>().empty());
  }
  // The subscription shows its deliveries; the secret is never shown again.
  const std::string path = "/v1/subscriptions/" + sub["id"].get<std::string>();
  REQUIRE(
      WaitUntil([&] { return json::parse(hub.Call("GET", path, "", hub.reader).body)["deliveries"]["delivered"] == 2; },
                std::chrono::seconds(5)));
  const json read = json::parse(hub.Call("GET", path, "", hub.reader).body);
  CHECK_FALSE(read.contains("secret"));
  CHECK(read["lastDeliveredAt"].is_string());
  CHECK(json::parse(hub.Call("GET", "/v1/subscriptions", "", hub.reader).body)["subscriptions"].size() == 1);
  // Another partner neither sees nor deletes it; an admin sees every partner's.
  CHECK(hub.Call("GET", path, "", hub.other).status == 404);
  CHECK(hub.Call("DELETE", path, "", hub.other).status == 404);
  CHECK(json::parse(hub.Call("GET", "/v1/subscriptions", "", hub.other).body)["subscriptions"].empty());
  CHECK(json::parse(hub.Call("GET", "/v1/subscriptions", "", hub.admin).body)["subscriptions"].size() == 1);
  // Deleted: nothing more is sent.
  REQUIRE(hub.Call("DELETE", path, "", hub.reader).status == 200);
  CHECK(hub.Call("GET", path, "", hub.reader).status == 404);
  hub.Push({Signal("after-delete", "2.1", "GM0796")});
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  CHECK(receiver.received().size() == 2);
}

TEST_CASE("subscriptions are validated naming the field, and only admin subscribes for another partner",
          "[e2e][subscriptions]") {
  Hub hub;
  auto refused = [&](const json& body, const vik::testing::Token& token) {
    return hub.Call("POST", "/v1/subscriptions", body.dump(), token);
  };
  const json ok = {{"name", "n"}, {"url", "https://partner.example/hook"}};
  auto r = refused({{"name", "n"}, {"url", "ftp://partner.example/hook"}}, hub.reader);
  CHECK(r.status == 400);
  CHECK_THAT(r.body, Catch::Contains("url:"));
  r = refused({{"url", "https://partner.example/hook"}}, hub.reader);
  CHECK(r.status == 400);
  CHECK_THAT(r.body, Catch::Contains("name:"));
  r = refused({{"name", "n"}, {"url", "https://x.example/"}, {"filter", {{"themes", {"2..1"}}}}}, hub.reader);
  CHECK(r.status == 400);
  CHECK_THAT(r.body, Catch::Contains("filter.themes:"));
  r = refused({{"name", "n"}, {"url", "https://x.example/"}, {"filter", {{"minLevel", 7}}}}, hub.reader);
  CHECK(r.status == 400);
  CHECK_THAT(r.body, Catch::Contains("filter.minLevel:"));
  r = refused({{"name", "n"}, {"url", "https://x.example/"}, {"picture", "test"}}, hub.reader);
  CHECK(r.status == 400);
  CHECK_THAT(r.body, Catch::Contains("picture:"));
  r = refused({{"name", "n"}, {"url", "https://x.example/"}, {"colour", "red"}}, hub.reader);
  CHECK(r.status == 400);
  CHECK_THAT(r.body, Catch::Contains("colour: unknown field"));
  json for_other = ok;
  for_other["partner"] = "ggd";
  CHECK(refused(for_other, hub.reader).status == 403);
  CHECK(refused(ok, hub.writer).status == 403);  // an ingest token cannot subscribe
  CHECK(hub.Subscribe(for_other, hub.admin)["partner"] == "ggd");
  json for_nobody = ok;
  for_nobody["partner"] = "nobody";
  r = refused(for_nobody, hub.admin);
  CHECK(r.status == 400);
  CHECK_THAT(r.body, Catch::Contains("partner: no partner named"));
  CHECK(hub.Subscribe(ok, hub.reader)["partner"] == "brandweer");
  CHECK(refused(ok, hub.reader).status == 409);  // the same name again
  CHECK(hub.Call("GET", "/v1/subscriptions/not-a-uuid", "", hub.reader).status == 404);
}

TEST_CASE("a failing receiver gets retries in cursor order, then a dead letter that can be re-queued",
          "[e2e][subscriptions]") {
  Hub hub({"--set", "subscriptions.max_attempts=3"});
  WebhookReceiver receiver;
  const json sub = hub.Subscribe(
      {{"name", "retries"}, {"url", receiver.url()}, {"filter", {{"kinds", {"signal.accepted"}}}}}, hub.reader);
  const std::string base = "/v1/subscriptions/" + sub["id"].get<std::string>();

  // Two failures, then success: s1 needs three attempts, and s2 waits for it.
  receiver.FailNext(2);
  hub.Push({Signal("s1", "2.1", "GM0796")});
  hub.Push({Signal("s2", "2.1", "GM0796")});
  REQUIRE(WaitUntil([&] { return receiver.received().size() >= 4; }, std::chrono::seconds(15)));
  auto got = receiver.received();
  std::vector<std::string> order;
  for (const auto& r : got) {
    order.push_back(ExternalIdOf(r));
  }
  CHECK(order == std::vector<std::string>{"s1", "s1", "s1", "s2"});
  CHECK(got[0].header("vik-delivery-id") == got[2].header("vik-delivery-id"));
  CHECK(got[2].header("vik-delivery-id") != got[3].header("vik-delivery-id"));

  // Three failures: dead, listed with its error, the subscription shows it.
  receiver.FailNext(3, 503);
  hub.Push({Signal("s3", "2.1", "GM0796")});
  json dead;
  REQUIRE(WaitUntil(
      [&] {
        dead = json::parse(hub.Call("GET", base + "/deliveries?state=dead", "", hub.reader).body)["deliveries"];
        return dead.size() == 1;
      },
      std::chrono::seconds(15)));
  CHECK(dead[0]["attempts"] == 3);
  CHECK(dead[0]["kind"] == "signal.accepted");
  CHECK_THAT(dead[0]["lastError"].get<std::string>(), Catch::Contains("HTTP 503"));
  CHECK(receiver.received().size() == 7);
  const json status = json::parse(hub.Call("GET", base, "", hub.reader).body);
  CHECK(status["deliveries"]["dead"] == 1);
  CHECK_THAT(status["lastError"].get<std::string>(), Catch::Contains("HTTP 503"));
  CHECK(hub.Call("GET", base + "/deliveries?state=lost", "", hub.reader).status == 400);

  // Re-queued: delivered with the same delivery id; a delivered one cannot be re-queued.
  const std::string retry = base + "/deliveries/" + dead[0]["id"].get<std::string>() + "/retry";
  CHECK(hub.Call("POST", retry, "", hub.other).status == 404);
  REQUIRE(hub.Call("POST", retry, "", hub.reader).status == 200);
  REQUIRE(WaitUntil([&] { return receiver.received().size() == 8; }, std::chrono::seconds(10)));
  CHECK(receiver.received().back().header("vik-delivery-id") == dead[0]["id"]);
  CHECK(receiver.received().back().answered == 200);
  REQUIRE(WaitUntil([&] { return json::parse(hub.Call("GET", base, "", hub.reader).body)["deliveries"]["dead"] == 0; },
                    std::chrono::seconds(5)));
  CHECK(hub.Call("POST", retry, "", hub.reader).status == 412);  // FAILED_PRECONDITION: not dead
}

TEST_CASE("a full queue stores further matches as dead letters instead of growing without bound",
          "[e2e][subscriptions]") {
  Hub hub({"--set", "subscriptions.max_pending=2", "--set", "subscriptions.max_attempts=50", "--set",
           "subscriptions.min_backoff=5s", "--set", "subscriptions.max_backoff=5s"});
  WebhookReceiver receiver;
  receiver.FailNext(100);
  const json sub = hub.Subscribe(
      {{"name", "bounded"}, {"url", receiver.url()}, {"filter", {{"kinds", {"signal.accepted"}}}}}, hub.reader);
  const std::string base = "/v1/subscriptions/" + sub["id"].get<std::string>();
  hub.Push({Signal("q1", "2.1", "GM0796"), Signal("q2", "2.1", "GM0796"), Signal("q3", "2.1", "GM0796"),
            Signal("q4", "2.1", "GM0796")});
  json status;
  REQUIRE(WaitUntil(
      [&] {
        status = json::parse(hub.Call("GET", base, "", hub.reader).body);
        return status["deliveries"]["pending"].get<int>() + status["deliveries"]["dead"].get<int>() == 4;
      },
      std::chrono::seconds(10)));
  CHECK(status["deliveries"]["pending"] == 2);
  CHECK(status["deliveries"]["dead"] == 2);
  const json dead = json::parse(hub.Call("GET", base + "/deliveries?state=dead", "", hub.reader).body)["deliveries"];
  REQUIRE(dead.size() == 2);
  CHECK_THAT(dead[0]["lastError"].get<std::string>(), Catch::Contains("queue full"));
  CHECK(dead[0]["attempts"] == 0);
}

TEST_CASE("webhook destinations in any special-purpose range are refused at creation naming the range",
          "[e2e][subscriptions][egress]") {
  Hub hub({"--set", "subscriptions.allow_private_destinations=false"});
  WebhookReceiver receiver;  // on 127.0.0.1: not public
  const std::string port = std::to_string(receiver.port());
  // Row 12 of issue 13, and the receiver's own loopback address.
  const std::vector<std::pair<std::string, std::string>> refused = {
      {receiver.url(), "127.0.0.0/8 (loopback)"},
      {"http://[64:ff9b::7f00:1]:" + port + "/", "64:ff9b::/96 (NAT64) embedding 127.0.0.1"},
      {"http://[::7f00:1]:" + port + "/", "::/96 (IPv4-compatible, deprecated) embedding 127.0.0.1"},
      {"http://[2002:7f00:1::1]:" + port + "/", "2002::/16 (6to4) embedding 127.0.0.1"},
      {"http://[2001::1]:" + port + "/", "2001::/32 (Teredo)"},
      {"http://[100::1]:" + port + "/", "100::/64 (discard-only)"},
      {"http://198.18.0.1:" + port + "/", "198.18.0.0/15 (benchmarking)"},
      {"http://192.0.0.8:" + port + "/", "192.0.0.8/32 (IPv4 dummy address)"},
      {"http://169.254.169.254/latest/meta-data/", "169.254.0.0/16 (link-local)"},
      {"http://[::ffff:10.0.0.1]/", "::ffff:0:0/96 (IPv4-mapped) embedding 10.0.0.1"},
  };
  for (const auto& [url, range] : refused) {
    const auto r = hub.Call("POST", "/v1/subscriptions", json{{"name", "internal"}, {"url", url}}.dump(), hub.reader);
    INFO(url << " -> " << r.body);
    CHECK(r.status == 400);
    CHECK_THAT(r.body, Catch::Contains("url: ") && Catch::Contains("not a public address") && Catch::Contains(range));
  }
  CHECK(vik::testing::QueryValue(hub.db.dsn(), "SELECT count(*) FROM subscriptions") == "0");
}

TEST_CASE("a destination that stopped being public is refused again at delivery", "[e2e][subscriptions][egress]") {
  Hub hub({"--set", "subscriptions.allow_private_destinations=false", "--set", "subscriptions.max_attempts=1"});
  WebhookReceiver receiver;
  // Public when created (an IP literal: no lookup leaves the host) ...
  const json sub = hub.Subscribe(
      {{"name", "moved"}, {"url", "http://8.8.8.8:9/hook"}, {"filter", {{"kinds", {"signal.accepted"}}}}}, hub.reader);
  const std::string id = sub["id"].get<std::string>();
  // ... and private by delivery time (as a name re-pointed in DNS would be).
  vik::testing::QueryValue(
      hub.db.dsn(), "UPDATE subscriptions SET url = '" + receiver.url() + "' WHERE id = '" + id + "' RETURNING 1");
  hub.Push({Signal("s1", "2.1", "GM0796")});
  json dead;
  REQUIRE(WaitUntil(
      [&] {
        dead = json::parse(
            hub.Call("GET", "/v1/subscriptions/" + id + "/deliveries?state=dead", "", hub.reader).body)["deliveries"];
        return dead.size() == 1;
      },
      std::chrono::seconds(15)));
  CHECK_THAT(dead[0]["lastError"].get<std::string>(),
             Catch::Contains("not a public address") && Catch::Contains("127.0.0.0/8 (loopback)"));
  CHECK(receiver.received().empty());  // nothing was sent
}

TEST_CASE("subscriptions per partner are bounded by subscriptions.max_per_partner", "[e2e][subscriptions]") {
  Hub hub({"--set", "subscriptions.max_per_partner=3"});
  WebhookReceiver receiver;
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(hub.Subscribe({{"name", "s" + std::to_string(i)}, {"url", receiver.url()}}, hub.reader)["id"]);
  }
  const auto over =
      hub.Call("POST", "/v1/subscriptions", json{{"name", "s3"}, {"url", receiver.url()}}.dump(), hub.reader);
  INFO(over.body);
  CHECK(over.status == 429);
  CHECK_THAT(over.body, Catch::Contains("already has 3 subscriptions, the most allowed") &&
                            Catch::Contains("subscriptions.max_per_partner"));
  // Another partner is not affected; a freed place can be taken again.
  hub.Subscribe({{"name", "g0"}, {"url", receiver.url()}}, hub.other);
  REQUIRE(hub.Call("DELETE", "/v1/subscriptions/" + ids[0], "", hub.reader).status == 200);
  hub.Subscribe({{"name", "s3"}, {"url", receiver.url()}}, hub.reader);
  CHECK(vik::testing::QueryValue(hub.db.dsn(), "SELECT count(*) FROM subscriptions WHERE partner = 'brandweer'") ==
        "3");
}

TEST_CASE("control characters in names, URL hosts and signal attributes are refused naming the field",
          "[e2e][subscriptions][text]") {
  Hub hub;
  WebhookReceiver receiver;
  const auto create = [&](const std::string& name, const std::string& url) {
    return hub.Call("POST", "/v1/subscriptions", json{{"name", name}, {"url", url}}.dump(), hub.reader);
  };
  auto r = create(std::string("a\0b", 3), receiver.url());
  CHECK(r.status == 400);
  CHECK_THAT(r.body, Catch::Contains("name: contains a control character at byte 1"));
  r = create("red\x1b[2Jalert", receiver.url());
  CHECK(r.status == 400);
  CHECK_THAT(r.body, Catch::Contains("name: contains a control character at byte 3"));
  r = create("ok", "http://exa\x07mple.org/hook");
  CHECK(r.status == 400);
  CHECK_THAT(r.body, Catch::Contains("url: "));
  r = create("ok", "http://example.org/ho\x07ok");
  CHECK(r.status == 400);
  CHECK_THAT(r.body, Catch::Contains("url: "));
  CHECK(vik::testing::QueryValue(hub.db.dsn(), "SELECT count(*) FROM subscriptions") == "0");

  // A signal attribute with a control character (a\u0001b) is refused, naming the attribute.
  json signal = Signal("ctl-1", "2.1", "GM0796");
  signal["attributes"] = {{"note",
                           "a\x01"
                           "b"}};
  const auto pushed = hub.Call("POST", "/v1/signals", json{{"signals", {signal}}}.dump(), hub.writer);
  INFO(pushed.body);
  CHECK_THAT(pushed.body, Catch::Contains("attributes[\\\"note\\\"]: value contains control character"));
  CHECK(vik::testing::QueryValue(hub.db.dsn(), "SELECT count(*) FROM signals WHERE external_id = 'ctl-1'") == "0");

  // What an older version stored is printed escaped by vikd subscription list.
  const json sub = hub.Subscribe({{"name", "plain"}, {"url", receiver.url()}}, hub.reader);
  vik::testing::QueryValue(hub.db.dsn(), "UPDATE subscriptions SET name = E'evil\\x1b[2J\\x07' WHERE id = '" +
                                             sub["id"].get<std::string>() + "' RETURNING 1");
  const auto list = Admin(hub.db.dsn(), {"subscription", "list"});
  CHECK(list.out.find('\x1b') == std::string::npos);
  CHECK(list.out.find('\x07') == std::string::npos);
  CHECK_THAT(list.out, Catch::Contains("evil\\x1b[2J\\x07"));
}
