// vikd over HTTP: health, readiness, metrics, errors and limits.

#include <cstdio>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/http_client.h"
#include "support/postgres.h"
#include "support/vikd.h"

using vik::testing::HttpCall;
using vik::testing::HttpGet;

namespace {

// Pipes `text` into `promtool check metrics`; returns {exit code, output}.
std::pair<int, std::string> Promtool(const std::string& text) {
  char tmpl[] = "/tmp/vik-metrics-XXXXXX";
  const int fd = mkstemp(tmpl);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  close(fd);
  const std::string cmd = std::string("promtool check metrics < ") + tmpl + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[512];
  while (fgets(buf, sizeof buf, p) != nullptr) {
    out += buf;
  }
  const int rc = pclose(p);
  std::remove(tmpl);
  return {WEXITSTATUS(rc), out};
}

bool Ready(int port) { return HttpGet(port, "/readyz").status == 200; }

}  // namespace

TEST_CASE("vikd serves healthz, readyz and parseable metrics once the schema is current", "[e2e][http]") {
  vik::testing::FreshDatabase db;
  vik::testing::Vikd vikd(db.dsn());

  auto health = HttpGet(vikd.http_port(), "/healthz");
  CHECK(health.status == 200);
  CHECK(nlohmann::json::parse(health.body)["status"] == "alive");

  REQUIRE(vik::testing::WaitUntil([&] { return Ready(vikd.http_port()); }, std::chrono::seconds(10)));
  auto ready = nlohmann::json::parse(HttpGet(vikd.http_port(), "/readyz").body);
  CHECK(ready["status"] == "ready");
  CHECK(ready["checks"]["database"] == "ok");

  auto metrics = HttpGet(vikd.http_port(), "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK_THAT(metrics.header("content-type"), Catch::StartsWith("text/plain; version=0.0.4"));
  for (const char* name :
       {"process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds", "process_start_time_seconds",
        "vik_build_info{", "vik_store_pool_connections_in_use", "vik_store_pool_waiting", "vik_http_requests_total{",
        "vik_http_request_duration_seconds_bucket{"}) {
    CHECK_THAT(metrics.body, Catch::Contains(name));
  }
  auto [rc, out] = Promtool(metrics.body);
  INFO(out);
  CHECK(rc == 0);

  // The instance registered itself in the shared database.
  CHECK(vik::testing::QueryValue(db.dsn(), "SELECT count(*) FROM instances") == "1");
  CHECK(vikd.Terminate() == 0);
}

TEST_CASE("unknown paths, wrong methods and HEAD are answered like a mature HTTP server", "[e2e][http]") {
  vik::testing::FreshDatabase db;
  vik::testing::Vikd vikd(db.dsn());

  auto missing = HttpGet(vikd.http_port(), "/no/such/thing");
  CHECK(missing.status == 404);
  CHECK(nlohmann::json::parse(missing.body)["code"] == "NOT_FOUND");

  auto wrong = HttpCall(vikd.http_port(), "POST", "/healthz", "{}", {{"Content-Type", "application/json"}});
  CHECK(wrong.status == 405);
  CHECK(wrong.header("allow") == "GET, HEAD");
  CHECK(nlohmann::json::parse(wrong.body).contains("message"));

  auto head = HttpCall(vikd.http_port(), "HEAD", "/healthz");
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(head.header("content-length") != "0");
}

TEST_CASE("oversized and malformed requests get 413, 431 and 400 with JSON bodies", "[e2e][http]") {
  vik::testing::FreshDatabase db;
  vik::testing::Vikd vikd(db.dsn(), {"--set", "http.max_body_bytes=4KiB", "--set", "http.max_header_bytes=2KiB"});

  auto big_body = HttpCall(vikd.http_port(), "POST", "/healthz", std::string(10000, 'x'));
  CHECK(big_body.status == 413);
  CHECK(nlohmann::json::parse(big_body.body)["code"] == "INVALID_ARGUMENT");

  auto big_header = HttpCall(vikd.http_port(), "GET", "/healthz", "", {{"X-Padding", std::string(4000, 'y')}});
  CHECK(big_header.status == 431);

  vik::testing::RawConnection raw(vikd.http_port());
  raw.Send("THIS IS NOT HTTP\r\n\r\n");
  const std::string answer = raw.ReadAll(2000);
  CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 400"));
  CHECK_THAT(answer, Catch::Contains("malformed HTTP request"));
}

TEST_CASE("connections over the cap: idle ones make room, busy ones are kept and a new one gets 503", "[e2e][http]") {
  vik::testing::FreshDatabase db;
  vik::testing::Vikd vikd(db.dsn(), {"--set", "http.max_connections=2"});
  // Two busy connections: each has sent a complete header, its body is still on the way.
  vik::testing::RawConnection a(vikd.http_port());
  vik::testing::RawConnection b(vikd.http_port());
  a.Send("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n");
  b.Send("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  vik::testing::RawConnection c(vikd.http_port());
  const std::string refused = c.ReadAll(2000);
  CHECK_THAT(refused, Catch::StartsWith("HTTP/1.1 503"));
  CHECK_THAT(refused, Catch::Contains("Retry-After: 1"));
  a.Send("{}");
  CHECK_THAT(a.ReadAll(1000), Catch::StartsWith("HTTP/1.1 405"));

  // An idle keep-alive connection is closed to admit a new one.
  vik::testing::RawConnection idle(vikd.http_port());
  idle.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK_THAT(idle.ReadAll(300), Catch::StartsWith("HTTP/1.1 200"));
  b.Send("{}");
  CHECK_THAT(b.ReadAll(1000), Catch::StartsWith("HTTP/1.1 405"));
  vik::testing::RawConnection d(vikd.http_port());
  d.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK_THAT(d.ReadAll(1000), Catch::StartsWith("HTTP/1.1 200"));
}

TEST_CASE("readyz turns 503 while PostgreSQL is down and 200 again when it returns, without a restart",
          "[e2e][http][slow]") {
  vik::testing::PrivatePostgres pg;
  vik::testing::Vikd vikd(pg.dsn());
  REQUIRE(vik::testing::WaitUntil([&] { return Ready(vikd.http_port()); }, std::chrono::seconds(10)));

  pg.Stop();
  REQUIRE(vik::testing::WaitUntil([&] { return !Ready(vikd.http_port()); }, std::chrono::seconds(10)));
  auto down = HttpGet(vikd.http_port(), "/readyz");
  CHECK(down.status == 503);
  CHECK(down.header("retry-after") == "1");
  CHECK_THAT(nlohmann::json::parse(down.body)["reason"].get<std::string>(), Catch::Contains("database check failed"));
  CHECK(HttpGet(vikd.http_port(), "/healthz").status == 200);  // alive, just not ready

  pg.Start();
  CHECK(vik::testing::WaitUntil([&] { return Ready(vikd.http_port()); }, std::chrono::seconds(15)));
  CHECK(vikd.process().running());
  CHECK(vikd.Terminate() == 0);
}

TEST_CASE("vikd started while PostgreSQL is down serves not-ready, then migrates and becomes ready",
          "[e2e][http][slow]") {
  vik::testing::PrivatePostgres pg;
  pg.Stop();
  vik::testing::Vikd vikd(pg.dsn());
  auto early = HttpGet(vikd.http_port(), "/readyz");
  CHECK(early.status == 503);
  pg.Start();
  CHECK(vik::testing::WaitUntil([&] { return Ready(vikd.http_port()); }, std::chrono::seconds(20)));
  CHECK(vik::testing::QueryValue(pg.dsn(), "SELECT count(*) > 0 FROM schema_migrations") == "t");
}
