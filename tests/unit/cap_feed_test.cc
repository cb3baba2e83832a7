// CAP index feeds (cap/feed.h) over the feed corpus in tests/data/cap/feeds (manifest.tsv rows
// "feeds/..."). A feed is "accepted" when ParseFeed succeeds and every inline alert parses and
// validates as CAP; the one "reject" whose fault is inside an inline alert (weather_invalid: a bad
// <identifier>) is thus refused per entry, as the poller does, not as a whole feed.
// "accept-or-lenient" (pelmorex: declares UTF-8, sends Latin-1) is accepted: bad bytes in text
// fields become U+FFFD.

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cap/feed.h"
#include "cap/parser.h"
#include "cap/validator.h"
#include "ingest/feed_poller.h"
#include "net/http_client.h"
#include "store/fence_status.h"

namespace vik::cap {
namespace {

const std::string kCorpus = std::string(VIK_SOURCE_DIR) + "/tests/data/cap/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct Row {
  std::string file;
  std::string expect;
  std::string cls;
};

std::vector<Row> FeedRows() {
  std::ifstream in(kCorpus + "manifest.tsv");
  REQUIRE(in.good());
  std::vector<Row> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    Row r;
    std::getline(fields, r.file, '\t');
    std::getline(fields, r.expect, '\t');
    std::getline(fields, r.cls, '\t');
    if (r.file.rfind("feeds/", 0) == 0) {
      rows.push_back(r);
    }
  }
  return rows;
}

// OK when the feed and all its inline alerts are acceptable; else the first reason.
std::string Judge(const std::string& bytes) {
  auto feed = ParseFeed(bytes);
  if (!feed.ok()) {
    return feed.status().message();
  }
  for (const auto& e : feed->entries) {
    if (!e.inline_cap) {
      continue;
    }
    auto alert = ParseAlert(*e.inline_cap);
    if (!alert.ok()) {
      return "entry " + e.id + ": " + alert.status().message();
    }
    if (auto v = Validate(*alert); !v.empty()) {
      return "entry " + e.id + ": " + Format(v.front());
    }
  }
  return "";
}

TEST_CASE("the feed corpus is accepted and refused as its manifest says", "[cap][feed]") {
  const auto rows = FeedRows();
  REQUIRE(rows.size() >= 20);
  for (const auto& row : rows) {
    const std::string reason = Judge(ReadFile(kCorpus + row.file));
    INFO(row.file << " (" << row.expect << ", " << row.cls << "): " << (reason.empty() ? "accepted" : reason));
    if (row.expect == "accept" || row.expect == "accept-or-lenient") {
      CHECK(reason.empty());
    } else {
      CHECK(!reason.empty());
    }
  }
}

TEST_CASE("an XXE feed is refused by the pre-scan before any tree is built", "[cap][feed]") {
  auto feed = ParseFeed(ReadFile(kCorpus + "feeds/invalid/google_cap-library_xee.atom.xml"));
  REQUIRE(!feed.ok());
  CHECK_THAT(feed.status().message(), Catch::Contains("DOCTYPE"));
}

TEST_CASE("thin Atom entries give id, updated and the CAP link", "[cap][feed]") {
  auto feed = ParseFeed(ReadFile(kCorpus + "feeds/valid/google_cap-library_earthquake_index.atom.xml"));
  REQUIRE(feed.ok());
  CHECK(feed->kind == FeedKind::kAtom);
  REQUIRE(feed->entries.size() == 1);
  const auto& e = feed->entries[0];
  CHECK(e.id == "urn:earthquake-usgs-gov:us:2010apcd");
  CHECK(e.updated == "2010-08-30T23:25:40Z");
  CHECK(e.link == "http://earthquake.usgs.gov/earthquakes/catalogs/cap/us2010apcd");  // the cap+xml link wins
  CHECK(!e.inline_cap);
  CHECK(e.Key() == "urn:earthquake-usgs-gov:us:2010apcd\n2010-08-30T23:25:40Z");
}

TEST_CASE("a fat Atom entry carries its alert as a standalone CAP document", "[cap][feed]") {
  auto feed = ParseFeed(ReadFile(kCorpus + "feeds/valid/google_cap-library_amber.atom.xml"));
  REQUIRE(feed.ok());
  REQUIRE(feed->entries.size() == 1);
  REQUIRE(feed->entries[0].inline_cap);
  auto alert = ParseAlert(*feed->entries[0].inline_cap);
  REQUIRE(alert.ok());
  CHECK(alert->identifier == "http://doj.dc.gov/amber12345");
  CHECK(alert->sender == "KARO@CLETS.DOJ.DC.GOV");
}

TEST_CASE("an inline alert keeps the namespace declared on an ancestor", "[cap][feed]") {
  const std::string atom =
      "<feed xmlns='http://www.w3.org/2005/Atom' xmlns:cap='urn:oasis:names:tc:emergency:cap:1.2'>"
      "<id>f</id><title>t</title><entry><id>e1</id><title>x</title><updated>2024-01-01T00:00:00Z</updated>"
      "<content type='text/xml'><cap:alert><cap:identifier>A1</cap:identifier></cap:alert></content></entry></feed>";
  auto feed = ParseFeed(atom);
  REQUIRE(feed.ok());
  REQUIRE(feed->entries.size() == 1);
  REQUIRE(feed->entries[0].inline_cap);
  CHECK_THAT(*feed->entries[0].inline_cap, Catch::Contains("xmlns:cap=\"urn:oasis:names:tc:emergency:cap:1.2\""));
}

TEST_CASE("RSS items give guid, pubDate and link", "[cap][feed]") {
  auto feed = ParseFeed(ReadFile(kCorpus + "feeds/valid/google_cap-library_ny_index.rss.xml"));
  REQUIRE(feed.ok());
  CHECK(feed->kind == FeedKind::kRss);
  REQUIRE(feed->entries.size() == 2);
  CHECK(feed->entries[0].id == "NYAlert-ALLHAZALERT-3167113");
  CHECK(feed->entries[0].updated == "Fri, 04 Feb 2011 20:20:00 GMT");
  CHECK(feed->entries[0].link ==
        "http://www.nyalert.gov/Public/News/GetCapAlert.aspx?capID=NYAlert-ALLHAZALERT-3167113");
}

TEST_CASE("a plain CAP document is a feed of one with its bytes verbatim", "[cap][feed]") {
  const std::string cap =
      "<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><identifier>X-1</identifier>"
      "<sent>2024-01-01T00:00:00+00:00</sent><info><headline>H</headline></info></alert>";
  auto feed = ParseFeed(cap);
  REQUIRE(feed.ok());
  CHECK(feed->kind == FeedKind::kCap);
  REQUIRE(feed->entries.size() == 1);
  CHECK(feed->entries[0].id == "X-1");
  CHECK(feed->entries[0].title == "H");
  CHECK(feed->entries[0].inline_cap == cap);
}

TEST_CASE("feeds with the wrong root or broken entries are refused with the entry named", "[cap][feed]") {
  auto html = ParseFeed("<html><body/></html>");
  REQUIRE(!html.ok());
  CHECK_THAT(html.status().message(), Catch::Contains("root element <html>"));

  auto no_id = ParseFeed(ReadFile(kCorpus + "feeds/invalid/google_cap-library_no_id.atom.xml"));
  REQUIRE(!no_id.ok());
  CHECK_THAT(no_id.status().message(), Catch::Contains("feed/entry[0]: missing <id>"));

  auto stray = ParseFeed(ReadFile(kCorpus + "feeds/invalid/google_cap-library_no_entries.atom.xml"));
  REQUIRE(!stray.ok());
  CHECK_THAT(stray.status().message(), Catch::Contains("outside any <entry>"));
}

TEST_CASE("invalid UTF-8 in a text field becomes U+FFFD", "[cap][feed]") {
  const std::string atom =
      "<feed xmlns='http://www.w3.org/2005/Atom'><id>f</id><title>t</title>"
      "<entry><id>e\xE9</id><title>Montr\xE9"
      "al</title><link href='http://x/a.xml'/></entry></feed>";
  auto feed = ParseFeed(atom);
  REQUIRE(feed.ok());
  REQUIRE(feed->entries.size() == 1);
  CHECK(feed->entries[0].id == "e\xEF\xBF\xBD");
}

TEST_CASE("backoff doubles the interval per consecutive error up to the cap, scaled by jitter", "[cap][feed]") {
  using std::chrono::milliseconds;
  const milliseconds interval(60000);
  const milliseconds cap(900000);
  CHECK(ingest::Backoff(interval, 1, cap, 1.0) == milliseconds(60000));
  CHECK(ingest::Backoff(interval, 2, cap, 1.0) == milliseconds(120000));
  CHECK(ingest::Backoff(interval, 4, cap, 1.0) == milliseconds(480000));
  CHECK(ingest::Backoff(interval, 5, cap, 1.0) == cap);
  CHECK(ingest::Backoff(interval, 1000, cap, 1.0) == cap);
  CHECK(ingest::Backoff(interval, 1, cap, 0.75) == milliseconds(45000));
  CHECK(ingest::Backoff(interval, 1, cap, 0.1) == milliseconds(45000));  // jitter is clamped to [0.75, 1]
}

TEST_CASE("feed URLs: http and https only, ports, IPv6, relative links", "[cap][feed]") {
  auto u = net::ParseUrl("https://Feeds.example.org/a/b.atom?x=1#frag");
  REQUIRE(u.ok());
  CHECK(u->https);
  CHECK(u->host == "Feeds.example.org");
  CHECK(u->port == "443");
  CHECK(u->target == "/a/b.atom?x=1");
  CHECK(net::ResolveUrl(*u, "/cap/1.xml") == "https://Feeds.example.org/cap/1.xml");
  CHECK(net::ResolveUrl(*u, "http://other/x") == "http://other/x");

  auto v6 = net::ParseUrl("http://[::1]:8080");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  CHECK(v6->port == "8080");
  CHECK(v6->target == "/");
  CHECK(v6->Origin() == "http://[::1]:8080");

  CHECK(!net::ParseUrl("ftp://example.org/x").ok());
  CHECK(!net::ParseUrl("file:///etc/passwd").ok());
  CHECK(!net::ParseUrl("http://user:pw@example.org/").ok());
  CHECK(!net::ParseUrl("http://example.org:99999/").ok());
}

TEST_CASE("relative links and redirects resolve per RFC 3986", "[cap][feed]") {
  auto base = net::ParseUrl("http://a.example/b/c/d.atom?q");
  REQUIRE(base.ok());
  const auto resolve = [&](const std::string& ref) { return net::ResolveUrl(*base, ref); };
  // RFC 3986 5.4.1 (normal examples) for an http base.
  CHECK(resolve("g") == "http://a.example/b/c/g");
  CHECK(resolve("./g") == "http://a.example/b/c/g");
  CHECK(resolve("g/") == "http://a.example/b/c/g/");
  CHECK(resolve("/g") == "http://a.example/g");
  CHECK(resolve("//g.example/x") == "http://g.example/x");
  CHECK(resolve("?y") == "http://a.example/b/c/d.atom?y");
  CHECK(resolve("g?y") == "http://a.example/b/c/g?y");
  CHECK(resolve("#s") == "http://a.example/b/c/d.atom?q");
  CHECK(resolve("g#s") == "http://a.example/b/c/g");
  CHECK(resolve("") == "http://a.example/b/c/d.atom?q");
  CHECK(resolve(".") == "http://a.example/b/c/");
  CHECK(resolve("./") == "http://a.example/b/c/");
  CHECK(resolve("..") == "http://a.example/b/");
  CHECK(resolve("../") == "http://a.example/b/");
  CHECK(resolve("../g") == "http://a.example/b/g");
  CHECK(resolve("../..") == "http://a.example/");
  CHECK(resolve("../../g") == "http://a.example/g");
  // 5.4.2: never above the root.
  CHECK(resolve("../../../g") == "http://a.example/g");
  CHECK(resolve("/./g") == "http://a.example/g");
  CHECK(resolve("/../g") == "http://a.example/g");
  CHECK(resolve("g.") == "http://a.example/b/c/g.");
  CHECK(resolve("./../g") == "http://a.example/b/g");
  CHECK(resolve("g/./h") == "http://a.example/b/c/g/h");
  CHECK(resolve("g/../h") == "http://a.example/b/c/h");
  // The common feed cases, white space around the href, absolute URLs unchanged.
  CHECK(resolve("alerts/1.xml") == "http://a.example/b/c/alerts/1.xml");
  CHECK(resolve("  /cap/1.xml\n") == "http://a.example/cap/1.xml");
  CHECK(resolve("https://other.example/x") == "https://other.example/x");
  CHECK(!net::ParseUrl(resolve("javascript:alert(1)")).ok());
  CHECK(!net::ParseUrl(resolve("file:///etc/passwd")).ok());

  auto root = net::ParseUrl("https://feeds.example.org:8443");
  REQUIRE(root.ok());
  CHECK(net::ResolveUrl(*root, "x.xml") == "https://feeds.example.org:8443/x.xml");
  CHECK(net::ResolveUrl(*root, "//cdn.example.org/x") == "https://cdn.example.org/x");
}

TEST_CASE("entry links are allowed on the feed's origin and allowed hosts only", "[cap][feed]") {
  const auto url = [](const std::string& u) {
    auto parsed = net::ParseUrl(u);
    REQUIRE(parsed.ok());
    return *parsed;
  };
  const ingest::LinkPolicy own("https://Feeds.example.org/a.atom", {});
  CHECK(own.Check(url("https://feeds.example.org/cap/1.xml")).ok());
  CHECK(own.Check(url("https://FEEDS.example.org:443/cap/1.xml")).ok());
  CHECK(own.Check(url("http://feeds.example.org/cap/1.xml")).code() == core::StatusCode::kPermissionDenied);
  CHECK(own.Check(url("https://feeds.example.org:8443/x")).code() == core::StatusCode::kPermissionDenied);
  CHECK(own.Check(url("http://127.0.0.1/x")).code() == core::StatusCode::kPermissionDenied);
  CHECK(own.Check(url("http://169.254.169.254/latest/meta-data")).code() == core::StatusCode::kPermissionDenied);
  CHECK_THAT(own.Check(url("https://evil.example/x")).message(), Catch::Contains("not on the feed's origin"));

  // An http feed's own host over https is its own; where a redirect led grants nothing (row 13 of
  // issue 13: a redirect to an internal origin must not make its links fetchable).
  const ingest::LinkPolicy plain("http://old.example/a.atom", {});
  CHECK(plain.Check(url("http://old.example/x")).ok());
  CHECK(plain.Check(url("https://old.example/x")).ok());
  CHECK(plain.Check(url("https://new.example/x")).code() == core::StatusCode::kPermissionDenied);
  CHECK(plain.Check(url("http://127.0.0.1:9100/metrics")).code() == core::StatusCode::kPermissionDenied);
  CHECK(plain.Check(url("http://10.9.9.9/x")).code() == core::StatusCode::kPermissionDenied);

  const ingest::LinkPolicy allowed("https://feeds.example.org/a.atom", {"cdn.example.net", "*.weather.example"});
  CHECK(allowed.Check(url("https://cdn.example.net:8443/x")).ok());
  CHECK(allowed.Check(url("https://api.weather.example/x")).ok());
  CHECK(!allowed.Check(url("https://weather.example/x")).ok());
  CHECK(!allowed.Check(url("https://evilweather.example/x")).ok());
  CHECK_THAT(allowed.Check(url("http://cdn.example.net/x")).message(), Catch::Contains("http from an https feed"));
}

TEST_CASE("only a fence loss counts as fenced, not every FAILED_PRECONDITION", "[cap][feed]") {
  const store::Fence fence{"leader", "node-a", 7};
  const core::Status fenced = store::FencedStatus(fence);
  CHECK(fenced.code() == core::StatusCode::kFailedPrecondition);
  CHECK(store::IsFenced(fenced));
  CHECK(store::IsFenced(fenced.WithContext("cap feed poll")));
  CHECK_THAT(fenced.message(), Catch::Contains("node-a") && Catch::Contains("epoch 7"));
  // What pg_errors.cc makes of a foreign-key or check violation (SQLSTATE 23503, 23514).
  CHECK(!store::IsFenced(core::FailedPrecondition(
      "write cap message: ERROR:  insert or update on table \"cap_feed_entries\" violates foreign key constraint")));
  CHECK(!store::IsFenced(core::FailedPrecondition("token \"t1\" is already revoked")));
  CHECK(!store::IsFenced(core::Unavailable("fenced: not this code")));
  // The decision is on the typed reason: a message that only reads like a fence loss is not one.
  CHECK(!store::IsFenced(core::FailedPrecondition("fenced: a partner wrote this text")));
  CHECK(!store::IsFenced(core::FailedPrecondition("mark feed entry: fenced: quoted from elsewhere")));
  CHECK(fenced.reason() == core::StatusReason::kFenced);
  CHECK(!store::IsFenced(core::Status::Ok()));
}

}  // namespace
}  // namespace vik::cap
