// CAP feed polling end to end: the real vikd polls an Atom index served by a small HTTP server in
// the test (Beast, loopback, port 0), with the results checked in PostgreSQL and on /metrics.
// The CAP documents' <sender> ("knmi@example.nl") is registered as a source of the feed's partner
// ("knmi"): a feed may only bring in alerts of its partner's own sources.

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "support/admin_setup.h"
#include "support/http_client.h"
#include "support/postgres.h"
#include "support/process.h"
#include "support/vikd.h"

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using vik::testing::Admin;
using vik::testing::FreshDatabase;
using vik::testing::QueryValue;
using vik::testing::Vikd;
using vik::testing::WaitUntil;

constexpr const char* kPartner = "knmi";
constexpr const char* kSender = "knmi@example.nl";

std::string IsoNow(std::chrono::hours offset = std::chrono::hours(0)) {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + offset);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+00:00", std::gmtime(&t));
  return buf;
}

std::string CapAlert(const std::string& identifier) {
  return "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>" + identifier + "</identifier><sender>" +
         kSender + "</sender><sent>" + IsoNow() +
         "</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope><info><language>nl-NL</language>"
         "<category>Met</category><event>Storm</event><urgency>Expected</urgency><severity>Moderate</severity>"
         "<certainty>Likely</certainty><expires>" +
         IsoNow(std::chrono::hours(24)) + "</expires><headline>Storm " + identifier +
         "</headline><area><areaDesc>'s-Hertogenbosch</areaDesc><geocode><valueName>CBS_GM</valueName><value>GM0796</"
         "value>"
         "</geocode></area></info></alert>";
}

struct FeedEntrySpec {
  std::string id;
  bool fat = false;
  std::string href = "";  // thin: the link as written in the feed ("" = "/cap/<id>.xml")
};

// A tiny HTTP/1.1 server on 127.0.0.1:0, one connection at a time on its own thread.
class FeedServer {
 public:
  FeedServer() : acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { Serve(); });
  }
  ~FeedServer() {
    stop_ = true;
    try {
      asio::io_context ioc;
      tcp::socket s(ioc);
      s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    } catch (...) {
    }
    thread_.join();
  }
  int port() const { return port_; }
  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

  void SetEntries(std::vector<FeedEntrySpec> entries) {
    std::lock_guard lock(mu_);
    entries_ = std::move(entries);
    ++version_;
  }
  void SetDocDelay(std::chrono::milliseconds d) { doc_delay_ms_ = static_cast<int>(d.count()); }
  // Answers `path` with 302 to `location`.
  void SetRedirect(const std::string& path, const std::string& location) {
    std::lock_guard lock(mu_);
    redirects_[path] = location;
  }
  int Requests(const std::string& path) {
    std::lock_guard lock(mu_);
    return requests_[path];
  }
  int NotModified() { return not_modified_; }
  // If-None-Match values received for /feed.atom.
  std::vector<std::string> Conditionals() {
    std::lock_guard lock(mu_);
    return if_none_match_;
  }

 private:
  std::string Atom() {
    std::string out =
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><id>urn:test:feed</id><title>Test</title>"
        "<updated>2024-01-01T00:00:00Z</updated>";
    for (const auto& e : entries_) {
      out += "<entry><id>urn:test:" + e.id + "</id><title>" + e.id + "</title><updated>2024-01-01T00:00:00Z</updated>";
      if (e.fat) {
        out += "<content type=\"text/xml\">" + CapAlert(e.id) + "</content>";
      } else {
        const std::string href = e.href.empty() ? "/cap/" + e.id + ".xml" : e.href;
        out += "<link rel=\"alternate\" type=\"application/cap+xml\" href=\"" + href + "\"/>";
      }
      out += "</entry>";
    }
    return out + "</feed>";
  }

  void Serve() {
    while (!stop_) {
      tcp::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stop_) {
        continue;
      }
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec) {
        continue;
      }
      http::response<http::string_body> res{http::status::ok, 11};
      res.set(http::field::content_type, "application/xml");
      const std::string path(req.target());
      {
        std::unique_lock lock(mu_);
        ++requests_[path];
        const std::string etag = "\"v" + std::to_string(version_) + "\"";
        if (auto redirect = redirects_.find(path); redirect != redirects_.end()) {
          res.result(http::status::found);
          res.set(http::field::location, redirect->second);
        } else if (path == "/feed.atom") {
          const std::string inm(req[http::field::if_none_match]);
          if (!inm.empty()) {
            if_none_match_.push_back(inm);
          }
          res.set(http::field::etag, etag);
          res.set(http::field::last_modified, "Mon, 01 Jan 2024 00:00:00 GMT");
          if (inm == etag) {
            res.result(http::status::not_modified);
            ++not_modified_;
          } else {
            res.body() = Atom();
          }
        } else if (path.rfind("/cap/", 0) == 0) {
          const std::string id = path.substr(5, path.size() - 5 - 4);
          lock.unlock();
          std::this_thread::sleep_for(std::chrono::milliseconds(doc_delay_ms_.load()));
          res.body() = CapAlert(id);
        } else if (path == "/error") {
          res.result(http::status::internal_server_error);
          res.body() = "boom";
        } else if (path == "/huge") {
          res.body() = "<feed xmlns=\"http://www.w3.org/2005/Atom\">" + std::string(300 * 1024, ' ') + "</feed>";
        } else {
          res.result(http::status::not_found);
        }
      }
      res.prepare_payload();
      http::write(socket, res, ec);
      socket.shutdown(tcp::socket::shutdown_both, ec);
    }
  }

  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> doc_delay_ms_{0};
  std::atomic<int> not_modified_{0};
  std::mutex mu_;
  std::vector<FeedEntrySpec> entries_;            // guarded by mu_
  int version_ = 0;                               // guarded by mu_
  std::map<std::string, int> requests_;           // guarded by mu_
  std::map<std::string, std::string> redirects_;  // guarded by mu_
  std::vector<std::string> if_none_match_;        // guarded by mu_
};

int Count(const std::string& dsn, const std::string& sql) { return std::stoi(QueryValue(dsn, sql)); }

void SetUp(const std::string& dsn) {
  Admin(dsn, {"migrate"});
  Admin(dsn, {"partner", "add", kPartner});
  Admin(dsn, {"source", "add", kSender, "--partner", kPartner});
}

const std::vector<std::string> kFast = {"--set", "feeds.poll_tick=100ms", "--set", "feeds.max_bytes=64KiB",
                                        "--set", "feeds.fetch_timeout=3s"};

TEST_CASE("a polled Atom feed is ingested once, fetched conditionally, and errors back off", "[e2e][cap][feed]") {
  FreshDatabase db;
  SetUp(db.dsn());
  FeedServer server;
  server.SetEntries({{"a1", false}, {"a2", false}, {"a3", true}});
  Admin(db.dsn(), {"feed", "add", "meteo", server.Url("/feed.atom"), "--partner", kPartner, "--interval", "1s"});
  Admin(db.dsn(), {"feed", "add", "broken", server.Url("/error"), "--partner", kPartner, "--interval", "1s"});
  Admin(db.dsn(), {"feed", "add", "huge", server.Url("/huge"), "--partner", kPartner, "--interval", "1s"});
  Vikd vikd(db.dsn(), kFast);

  // Two thin entries (links fetched) and a fat one (inline alert) become CAP messages.
  const auto messages = [&] { return Count(db.dsn(), "SELECT count(*) FROM cap_messages WHERE via = 'feed:meteo'"); };
  REQUIRE(WaitUntil([&] { return messages() == 3; }, std::chrono::seconds(10)));
  CHECK(Count(db.dsn(), "SELECT count(*) FROM cap_feed_entries WHERE feed = 'meteo' AND outcome = 'accepted'") == 3);
  CHECK(server.Requests("/cap/a1.xml") == 1);
  CHECK(server.Requests("/cap/a3.xml") == 0);  // inline

  // The next poll is conditional and answered 304.
  REQUIRE(WaitUntil([&] { return server.NotModified() >= 1; }, std::chrono::seconds(5)));
  CHECK(server.Conditionals().back() == "\"v1\"");

  // A new entry is ingested once; the old ones are neither fetched nor ingested again.
  server.SetEntries({{"a1", false}, {"a2", false}, {"a3", true}, {"a4", false}});
  REQUIRE(WaitUntil([&] { return messages() == 4; }, std::chrono::seconds(5)));
  const int not_modified = server.NotModified();
  REQUIRE(WaitUntil([&] { return server.NotModified() > not_modified; }, std::chrono::seconds(5)));
  CHECK(messages() == 4);
  CHECK(server.Requests("/cap/a1.xml") == 1);
  CHECK(server.Requests("/cap/a4.xml") == 1);
  CHECK(Count(db.dsn(), "SELECT entries_seen FROM cap_feeds WHERE name = 'meteo'") == 4);

  // A failing feed backs off (the interval doubles per error) and shows in the metrics.
  REQUIRE(
      WaitUntil([&] { return Count(db.dsn(), "SELECT consecutive_errors FROM cap_feeds WHERE name = 'broken'") >= 2; },
                std::chrono::seconds(10)));
  // Read together: the delay before the next attempt relative to the interval doubled per error.
  const double ratio =
      std::stod(QueryValue(db.dsn(),
                           "SELECT extract(epoch FROM next_poll_at - last_attempt_at) / 2 ^ (consecutive_errors - 1)"
                           " FROM cap_feeds WHERE name = 'broken'"));
  INFO("next attempt after " << ratio << " x (interval doubled per consecutive error)");
  CHECK(ratio >= 0.7);
  CHECK(ratio <= 1.05);
  CHECK_THAT(QueryValue(db.dsn(), "SELECT last_error FROM cap_feeds WHERE name = 'broken'"),
             Catch::Contains("HTTP 500"));
  const auto metrics = vik::testing::HttpGet(vikd.http_port(), "/metrics").body;
  CHECK_THAT(metrics, Catch::Contains("vik_feed_polls_total{feed=\"broken\",result=\"error\"}"));
  CHECK_THAT(metrics, Catch::Contains("vik_feed_consecutive_errors{feed=\"broken\"}"));
  CHECK_THAT(metrics, Catch::Contains("vik_feed_entries_total{feed=\"meteo\",outcome=\"accepted\"} 4"));
  CHECK_THAT(metrics, Catch::Contains("vik_ingest_last_signal_timestamp_seconds{source=\"knmi@example.nl\"}"));

  // A response over feeds.max_bytes is refused.
  REQUIRE(WaitUntil(
      [&] {
        return !QueryValue(db.dsn(), "SELECT coalesce(last_error, '') FROM cap_feeds WHERE name = 'huge'").empty();
      },
      std::chrono::seconds(5)));
  CHECK_THAT(QueryValue(db.dsn(), "SELECT last_error FROM cap_feeds WHERE name = 'huge'"),
             Catch::Contains("larger than"));

  auto list = Admin(db.dsn(), {"feed", "list"});
  CHECK_THAT(list.out, Catch::Contains("meteo"));
  CHECK_THAT(list.out, Catch::Contains("HTTP 500"));
}

TEST_CASE("when the polling leader is killed, the next leader neither skips nor re-ingests entries",
          "[e2e][cap][feed]") {
  FreshDatabase db;
  SetUp(db.dsn());
  FeedServer server;
  constexpr int kEntries = 40;
  std::vector<FeedEntrySpec> entries;
  for (int i = 0; i < kEntries; ++i) {
    entries.push_back({"e" + std::to_string(i), i % 5 == 0});
  }
  server.SetEntries(entries);
  server.SetDocDelay(std::chrono::milliseconds(60));  // a round takes a few seconds
  Admin(db.dsn(), {"feed", "add", "meteo", server.Url("/feed.atom"), "--partner", kPartner, "--interval", "1s"});

  std::vector<std::string> cluster = {"--set", "cluster.lease_ttl=1500ms", "--set", "cluster.renew_interval=500ms"};
  auto args = [&](const std::string& node) {
    std::vector<std::string> a = kFast;
    a.insert(a.end(), cluster.begin(), cluster.end());
    a.insert(a.end(), {"--node-id", node});
    return a;
  };
  auto a = std::make_unique<Vikd>(db.dsn(), args("node-a"));
  auto b = std::make_unique<Vikd>(db.dsn(), args("node-b"));
  const auto messages = [&] { return Count(db.dsn(), "SELECT count(*) FROM cap_messages"); };
  REQUIRE(WaitUntil([&] { return messages() >= 10; }, std::chrono::seconds(15)));
  const std::string leader = QueryValue(db.dsn(), "SELECT holder FROM leases");
  REQUIRE((leader == "node-a" || leader == "node-b"));
  (leader == "node-a" ? a : b)->process().Signal(SIGKILL);
  const int at_kill = messages();
  INFO("leader " << leader << " killed after " << at_kill << " messages");
  CHECK(at_kill < kEntries);

  REQUIRE(WaitUntil([&] { return messages() == kEntries; }, std::chrono::seconds(20)));
  const std::string next = QueryValue(db.dsn(), "SELECT holder FROM leases");
  CHECK(next != leader);
  // Let the new leader poll a few more rounds: nothing more comes in.
  REQUIRE(WaitUntil([&] { return server.NotModified() >= 2; }, std::chrono::seconds(10)));
  CHECK(messages() == kEntries);
  CHECK(Count(db.dsn(), "SELECT count(*) FROM cap_feed_entries") == kEntries);
  CHECK(Count(db.dsn(), "SELECT count(*) FROM cap_feed_entries WHERE outcome = 'accepted'") == kEntries);
  CHECK(Count(db.dsn(), "SELECT count(DISTINCT seen_by) FROM cap_feed_entries") == 2);
}

TEST_CASE("relative links are resolved, links to other origins refused, dead links given up after N attempts",
          "[e2e][cap][feed]") {
  FreshDatabase db;
  SetUp(db.dsn());
  FeedServer server;
  const std::string elsewhere = "http://localhost:" + std::to_string(server.port()) + "/cap/o1.xml";
  server.SetEntries({{"r1", false, "cap/r1.xml"},         // relative to /feed.atom
                     {"r2", false, "./x/../cap/r2.xml"},  // dot segments
                     {"o1", false, elsewhere},            // the same server under another origin
                     {"d1", false, "/dead/d1.xml"}});     // 404, every time
  Admin(db.dsn(), {"feed", "add", "meteo", server.Url("/feed.atom"), "--partner", kPartner, "--interval", "1s"});
  std::vector<std::string> args = kFast;
  args.insert(args.end(), {"--set", "feeds.max_link_attempts=3"});
  Vikd vikd(db.dsn(), args);

  const auto detail = [&](const std::string& id) {
    return QueryValue(db.dsn(),
                      "SELECT coalesce(max(outcome || ': ' || coalesce(detail, '')), '') FROM cap_feed_entries"
                      " WHERE feed = 'meteo' AND entry_id = 'urn:test:" +
                          id + "'");
  };
  REQUIRE(WaitUntil([&] { return Count(db.dsn(), "SELECT count(*) FROM cap_messages WHERE via = 'feed:meteo'") == 2; },
                    std::chrono::seconds(10)));
  CHECK(server.Requests("/cap/r1.xml") == 1);
  CHECK(server.Requests("/cap/r2.xml") == 1);
  CHECK(detail("r1") == "accepted: ");

  // Another origin is never fetched: marked refused at once.
  REQUIRE(WaitUntil([&] { return !detail("o1").empty(); }, std::chrono::seconds(5)));
  CHECK_THAT(detail("o1"), Catch::StartsWith("refused: ") && Catch::Contains("not on the feed's origin"));
  CHECK(server.Requests("/cap/o1.xml") == 0);

  // A dead link is tried feeds.max_link_attempts times (one per poll), then marked refused.
  REQUIRE(WaitUntil([&] { return !detail("d1").empty(); }, std::chrono::seconds(10)));
  CHECK_THAT(detail("d1"),
             Catch::StartsWith("refused: gave up after 3 failed attempts") && Catch::Contains("HTTP 404"));
  CHECK(server.Requests("/dead/d1.xml") == 3);
  // Every entry is marked now: the validators are kept and the next polls are answered 304.
  REQUIRE(WaitUntil([&] { return server.NotModified() >= 1; }, std::chrono::seconds(5)));
  CHECK(server.Requests("/dead/d1.xml") == 3);
  CHECK(Count(db.dsn(), "SELECT count(*) FROM cap_feed_attempts") == 0);
  const auto metrics = vik::testing::HttpGet(vikd.http_port(), "/metrics").body;
  CHECK_THAT(metrics, Catch::Contains("vik_feed_entries_total{feed=\"meteo\",outcome=\"refused\"} 2"));
  CHECK_THAT(metrics, Catch::Contains("vik_feed_entries_total{feed=\"meteo\",outcome=\"fetch_error\"} 2"));
}

TEST_CASE("redirects to another origin, a private address or vikd itself are refused, as are their links",
          "[e2e][cap][feed]") {
  FreshDatabase db;
  SetUp(db.dsn());
  FeedServer server;
  const std::string port = std::to_string(server.port());
  // An index that moved to another origin (127.0.0.1 instead of localhost: an internal host as far
  // as the feed's configuration goes) is not followed, so none of its links are fetched.
  server.SetRedirect("/moved.atom", server.Url("/feed.atom"));
  server.SetEntries(
      {{"m1", false, "/go/m1.xml"}, {"m2", false, "/go/m2.xml"}, {"m3", false, "/go/m3.xml"}, {"ok1", false, ""}});
  server.SetRedirect("/go/m2.xml", "http://169.254.169.254/latest/meta-data/");
  server.SetRedirect("/go/m3.xml", "http://10.9.9.9/cap/m3.xml");
  Admin(db.dsn(), {"feed", "add", "moved", "http://localhost:" + port + "/moved.atom", "--partner", kPartner,
                   "--interval", "1s"});
  Admin(db.dsn(), {"feed", "add", "meteo", server.Url("/feed.atom"), "--partner", kPartner, "--interval", "1s"});
  Vikd vikd(db.dsn(), kFast);
  // A link that redirects to vikd's own /metrics (another origin: another port).
  server.SetRedirect("/go/m1.xml", "http://127.0.0.1:" + std::to_string(vikd.http_port()) + "/metrics");

  const auto detail = [&](const std::string& id) {
    return QueryValue(db.dsn(),
                      "SELECT coalesce(max(outcome || ': ' || coalesce(detail, '')), '') FROM cap_feed_entries"
                      " WHERE feed = 'meteo' AND entry_id = 'urn:test:" +
                          id + "'");
  };
  REQUIRE(WaitUntil([&] { return !detail("m1").empty() && !detail("m2").empty() && !detail("m3").empty(); },
                    std::chrono::seconds(10)));
  for (const char* id : {"m1", "m2", "m3"}) {
    INFO(id << ": " << detail(id));
    CHECK_THAT(detail(id), Catch::StartsWith("refused: ") && Catch::Contains("redirected to") &&
                               Catch::Contains("not on the feed's origin"));
  }
  CHECK(detail("ok1") == "accepted: ");
  const auto metrics = vik::testing::HttpGet(vikd.http_port(), "/metrics").body;
  CHECK_THAT(metrics, Catch::Contains("vik_feed_polls_total{feed=\"moved\",result=\"error\"}"));
  CHECK(Count(db.dsn(), "SELECT count(*) FROM cap_feed_entries WHERE feed = 'moved'") == 0);
  // The meteo feed fetched /feed.atom itself; the moved feed's redirect was never followed to it as
  // a link source: every link was requested by the meteo feed only.
  CHECK(server.Requests("/cap/ok1.xml") == 1);
  CHECK(server.Requests("/moved.atom") >= 1);
}

TEST_CASE("removing a feed while it is polled fails its entries but the leader stays leader", "[e2e][cap][feed]") {
  FreshDatabase db;
  SetUp(db.dsn());
  FeedServer server;
  server.SetEntries({{"s1", false}, {"s2", false}});
  server.SetDocDelay(std::chrono::milliseconds(1500));  // the entry is being fetched when the feed goes
  Admin(db.dsn(), {"feed", "add", "meteo", server.Url("/feed.atom"), "--partner", kPartner, "--interval", "1s"});
  Vikd vikd(db.dsn(), kFast);

  REQUIRE(WaitUntil([&] { return server.Requests("/cap/s1.xml") >= 1; }, std::chrono::seconds(10)));
  const std::string lease = QueryValue(db.dsn(), "SELECT holder || '/' || epoch FROM leases");
  Admin(db.dsn(), {"feed", "remove", "meteo"});
  // The stored message would reference the removed feed's entry (a foreign key violation, SQLSTATE
  // 23503, FAILED_PRECONDITION like a fence loss): that entry fails, the instance does not step down.
  const auto failed = [&] {
    return vik::testing::HttpGet(vikd.http_port(), "/metrics")
               .body.find("vik_feed_entries_total{feed=\"meteo\",outcome=\"failed\"}") != std::string::npos;
  };
  REQUIRE(WaitUntil(failed, std::chrono::seconds(10)));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // s2, the end of the round, a lease tick
  CHECK(QueryValue(db.dsn(), "SELECT holder || '/' || epoch FROM leases") == lease);
  CHECK(Count(db.dsn(), "SELECT count(*) FROM cap_messages") == 0);
  const auto metrics = vik::testing::HttpGet(vikd.http_port(), "/metrics").body;
  CHECK_THAT(metrics, Catch::Contains("vik_cluster_fenced_writes_total 0"));
}

}  // namespace
