// vik_picture_bench: the measurements of the risk-picture benchmark (docs/performance.md, "Risk
// picture"; tests/bench/picture_run.sh sets everything up). Three modes:
//
//   status  waits until GET /v1/status shows a picture computed after vikd's start (--started-ns,
//           wall clock), which gives the warm-up time; reads vikd's VmRSS/VmHWM; then GET /v1/status
//           with N keep-alive clients for --seconds each (after 1 s unmeasured), latency and CPU by
//           party; reads the memory again.
//   ingest  waits for /readyz, then POST /v1/signals in batches (8 connections x 100 signals by
//           default) for --warmup-seconds unmeasured and --seconds measured; the signals are spread
//           over the region's leaf themes and current municipalities (read from --db), so that they
//           land in many risks as real traffic would. Prints accepted signals/s.
//   report  prints the table of every JSON file given (picture_report.h).
//
// Usage: vik_picture_bench status --http HOST:PORT --token-file FILE --started-ns NS [options]
//        vik_picture_bench ingest --http HOST:PORT --token-file FILE --source ID --db DSN --engine on|off
//                                 [options]
//        vik_picture_bench report FILE...
// Exit codes: 0 done (goals are reported, not enforced), 1 failed (including requests that failed),
// 2 usage.

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "bench/flags.h"
#include "bench/http_load.h"
#include "bench/picture_report.h"
#include "bench/signals.h"
#include "bench/stats.h"

namespace vik::bench {
namespace {

using Json = nlohmann::json;
using Seconds = std::chrono::duration<double>;
using WallClock = std::chrono::system_clock;

struct Options {
  std::string mode;
  std::string http;
  std::string token_file;
  std::string json_out;
  long long size = 0;  // signals loaded: a label for the report
  int vikd_pid = 0;
  int pg_pid = 0;
  double seconds = -1;  // default per mode
  // status
  long long started_ns = 0;
  std::vector<int> clients = {1, 4};
  double timeout = 3600;
  std::string path = "/v1/status";
  // ingest
  std::string source;
  std::string dsn;
  std::string engine;
  double warmup_seconds = 3;
  int connections = 8;
  int batch = 100;
};

constexpr const char* kHelp =
    "Usage: vik_picture_bench status --http HOST:PORT --token-file FILE --started-ns NS [options]\n"
    "       vik_picture_bench ingest --http HOST:PORT --token-file FILE --source ID --db DSN --engine on|off\n"
    "                                [options]\n"
    "       vik_picture_bench report FILE...\n"
    "  --token-file FILE     bearer token: scope read (status) or ingest (ingest)\n"
    "  --size N              signals in the database (label for the report)\n"
    "  --vikd-pid N --pg-pid N   memory of vikd; CPU by party\n"
    "  --seconds S           each measured phase (status: 10 per client count; ingest: 15)\n"
    "  --json FILE           also write the results as JSON (the report reads these)\n"
    " status:\n"
    "  --started-ns NS       when vikd was started (ns since the epoch, `date +%s%N`)\n"
    "  --clients LIST        concurrent keep-alive clients per phase (default 1,4)\n"
    "  --timeout S           how long to wait for the picture (default 3600)\n"
    "  --path P              the request target (default /v1/status)\n"
    " ingest:\n"
    "  --source ID --db DSN  the signals' source (owned by the token's partner); the database for themes\n"
    "  --engine on|off       label: whether vikd runs the risk engine (picture.enabled)\n"
    "  --warmup-seconds S    unmeasured load first (default 3)\n"
    "  --connections N --batch N   HTTP clients and signals per request (default 8 x 100)\n";

std::vector<int> ParseList(const std::string& v) {
  std::vector<int> out;
  std::stringstream ss(v);
  for (std::string item; std::getline(ss, item, ',');) {
    out.push_back(std::stoi(item));
    if (out.back() < 1) {
      throw std::invalid_argument("clients must be >= 1");
    }
  }
  return out;
}

std::optional<Options> ParseOptions(int argc, char** argv, std::vector<std::string>& rest) {
  Options o;
  auto mode = ParseMode(argc, argv, kHelp, "report", rest);
  if (!mode) {
    return std::nullopt;
  }
  o.mode = *mode;
  if (o.mode == "report") {
    return o;
  }
  bench::Flags flags = {
      {"--http", [&](const std::string& v) { o.http = v; }},
      {"--token-file", [&](const std::string& v) { o.token_file = v; }},
      {"--json", [&](const std::string& v) { o.json_out = v; }},
      {"--size", [&](const std::string& v) { o.size = std::stoll(v); }},
      {"--vikd-pid", [&](const std::string& v) { o.vikd_pid = std::stoi(v); }},
      {"--pg-pid", [&](const std::string& v) { o.pg_pid = std::stoi(v); }},
      {"--seconds", [&](const std::string& v) { o.seconds = std::stod(v); }},
      {"--started-ns", [&](const std::string& v) { o.started_ns = std::stoll(v); }},
      {"--clients", [&](const std::string& v) { o.clients = ParseList(v); }},
      {"--timeout", [&](const std::string& v) { o.timeout = std::stod(v); }},
      {"--path", [&](const std::string& v) { o.path = v; }},
      {"--source", [&](const std::string& v) { o.source = v; }},
      {"--db", [&](const std::string& v) { o.dsn = v; }},
      {"--engine", [&](const std::string& v) { o.engine = v; }},
      {"--warmup-seconds", [&](const std::string& v) { o.warmup_seconds = std::stod(v); }},
      {"--connections", [&](const std::string& v) { o.connections = std::stoi(v); }},
      {"--batch", [&](const std::string& v) { o.batch = std::stoi(v); }},
  };
  if (!bench::ParseFlags(argc, argv, 2, flags, "vik_picture_bench", kHelp)) {
    return std::nullopt;
  }
  const bool status = o.mode == "status";
  const bool ingest = o.mode == "ingest";
  if ((!status && !ingest) || o.http.empty() || o.token_file.empty() || (status && o.started_ns <= 0) ||
      (ingest && (o.source.empty() || o.dsn.empty() || (o.engine != "on" && o.engine != "off")))) {
    std::fprintf(stderr, "vik_picture_bench: missing or bad mode or required flag\n%s", kHelp);
    return std::nullopt;
  }
  if (o.seconds < 0) {
    o.seconds = status ? 10 : 15;
  }
  return o;
}

Clock::duration Duration(double seconds) { return std::chrono::duration_cast<Clock::duration>(Seconds(seconds)); }

long long WallNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(WallClock::now().time_since_epoch()).count();
}

// RFC 3339 as the protobuf JSON mapping prints timestamps ("2026-11-25T09:30:00.123456Z") -> ns since
// the epoch; nullopt when it does not parse.
std::optional<long long> ParseTimestampNs(const std::string& text) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  long long ns = static_cast<long long>(timegm(&tm)) * 1'000'000'000LL;
  std::size_t i = static_cast<std::size_t>(consumed);
  if (i < text.size() && text[i] == '.') {
    long long scale = 100'000'000;
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      ns += (text[i] - '0') * scale;
      scale /= 10;
    }
  }
  if (i >= text.size() || text[i] != 'Z') {
    return std::nullopt;
  }
  return ns;
}

Json MemoryJson(const ProcessMemory& m) { return {{"rss_bytes", m.rss_bytes}, {"hwm_bytes", m.hwm_bytes}}; }

Json CoresJson(const CpuUse& c) {
  return {{"vikd", c.vikd}, {"postgres", c.postgres}, {"bench", c.bench}, {"other", c.other}, {"idle", c.idle}};
}

// Runs `load`, and reports its rate (accepted per second), latency and CPU by party.
Json Measure(const Options& o, const std::string& name, const std::function<Recorder()>& load) {
  std::fprintf(stderr, "==> %s\n", name.c_str());
  const CpuSample c0 = SampleCpu(o.vikd_pid, o.pg_pid);
  Recorder rec = load();
  const CpuSample c1 = SampleCpu(o.vikd_pid, o.pg_pid);
  const double seconds = Seconds(c1.at - c0.at).count();
  const CpuUse cpu = CoresUsed(c0, c1);
  Json errors = Json::object();
  for (const auto& [what, n] : rec.errors) {
    errors[what] = n;
    std::fprintf(stderr, "    %llu x %s\n", static_cast<unsigned long long>(n), what.c_str());
  }
  auto latencies = rec.latency_ns;
  Json j = {{"seconds", seconds},
            {"calls", rec.calls},
            {"accepted", rec.accepted},
            {"not_accepted", rec.not_accepted},
            {"rate", static_cast<double>(rec.accepted) / seconds},
            {"p50_ms", PercentileMs(latencies, 50)},
            {"p99_ms", PercentileMs(latencies, 99)},
            {"max_ms", PercentileMs(latencies, 100)},
            {"cores", CoresJson(cpu)},
            {"errors", errors}};
  std::fprintf(stderr, "    %.0f/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms; cores vikd %.2f pg %.2f other %.2f\n",
               j["rate"].get<double>(), j["p50_ms"].get<double>(), j["p99_ms"].get<double>(), j["max_ms"].get<double>(),
               cpu.vikd, cpu.postgres, cpu.other);
  if (cpu.other > 0.1) {
    std::fprintf(stderr, "    WARNING: other processes used %.2f cores: the figures are disturbed\n", cpu.other);
  }
  return j;
}

// A failure that waiting cannot cure (a wrong token).
struct Fatal : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Picture {
  double computed_s = 0;  // computedAt - start
  double observed_s = 0;  // the first answer showing it - start
  Json body;
  std::size_t body_bytes = 0;
};

// Polls `path` every 50 ms until it answers 200 with a computedAt at or after `started_ns`.
// Connection failures and other statuses (404 before the endpoint exists, 503 before the schema is
// ready) are waited out until `timeout`; 401 and 403 fail at once (a wrong token).
Picture WaitForPicture(const HttpTarget& target, const std::string& token, const Options& o) {
  const auto deadline = Clock::now() + Duration(o.timeout);
  std::string last = "no answer yet";
  while (Clock::now() < deadline) {
    try {
      const HttpAnswer a = HttpGet(target, token, o.path);
      if (a.status == 401 || a.status == 403) {
        throw Fatal("GET " + o.path + " answered " + std::to_string(a.status) + ": " + a.body);
      }
      if (a.status == 200) {
        Json body = Json::parse(a.body);
        const auto computed = ParseTimestampNs(body.value("computedAt", ""));
        if (computed && *computed >= o.started_ns) {
          Picture p;
          p.observed_s = static_cast<double>(WallNs() - o.started_ns) / 1e9;
          p.computed_s = static_cast<double>(*computed - o.started_ns) / 1e9;
          p.body_bytes = a.body.size();
          p.body = std::move(body);
          return p;
        }
        last = "200 with computedAt \"" + body.value("computedAt", "") + "\" (before the start)";
      } else {
        last = std::to_string(a.status) + ": " + a.body.substr(0, 200);
      }
    } catch (const Fatal&) {
      throw;
    } catch (const std::exception& e) {
      last = e.what();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  char within[32];
  std::snprintf(within, sizeof within, "%.0f s", o.timeout);
  throw std::runtime_error("no computed picture at GET " + o.path + " within " + within + "; last answer: " + last);
}

int RunStatus(const Options& o) {
  const HttpTarget target = ParseHttpTarget(o.http);
  const std::string token = ReadToken(o.token_file);
  std::fprintf(stderr, "==> waiting for the first picture at GET %s\n", o.path.c_str());
  const Picture p = WaitForPicture(target, token, o);
  const ProcessMemory warm = o.vikd_pid > 0 ? ReadProcessMemory(o.vikd_pid) : ProcessMemory{};
  const Json& b = p.body;
  Json picture = {{"risks_in_picture", b.value("risksInPicture", 0)},
                  {"signals_in_effect", b.value("signalsInEffect", 0)},
                  {"active_incidents", b.value("activeIncidents", 0)},
                  {"active_warnings", b.value("activeWarnings", 0)},
                  {"risks_listed", b.contains("risks") ? b["risks"].size() : 0},
                  {"stale_sources", b.contains("staleSources") ? b["staleSources"].size() : 0},
                  {"body_bytes", p.body_bytes},
                  {"computed_at", b.value("computedAt", "")}};
  std::fprintf(stderr,
               "    computedAt %.2f s after the start, seen after %.2f s: %d risks in the picture, %d signals in "
               "effect, %zu bytes; vikd VmRSS %.1f MiB, VmHWM %.1f MiB\n",
               p.computed_s, p.observed_s, picture["risks_in_picture"].get<int>(),
               picture["signals_in_effect"].get<int>(), p.body_bytes, warm.rss_bytes / 1048576,
               warm.hwm_bytes / 1048576);

  Json latency = Json::object();
  bool failed = false;
  HttpGetLoad(target, token, o.path, 1, std::chrono::seconds(1));  // connections and caches; not reported
  for (int clients : o.clients) {
    Json j = Measure(o, "GET " + o.path + ", " + std::to_string(clients) + " keep-alive client(s)",
                     [&] { return HttpGetLoad(target, token, o.path, clients, Duration(o.seconds)); });
    failed = failed || j["not_accepted"].get<std::uint64_t>() > 0;
    latency[std::to_string(clients)] = j;
  }
  const ProcessMemory after = o.vikd_pid > 0 ? ReadProcessMemory(o.vikd_pid) : ProcessMemory{};
  std::fprintf(stderr, "    vikd after the latency runs: VmRSS %.1f MiB, VmHWM %.1f MiB\n", after.rss_bytes / 1048576,
               after.hwm_bytes / 1048576);
  if (!o.json_out.empty()) {
    Json out = {{"kind", "status"},
                {"size", o.size},
                {"warmup", {{"computed_s", p.computed_s}, {"observed_s", p.observed_s}}},
                {"picture", picture},
                {"memory", {{"warm", MemoryJson(warm)}, {"after", MemoryJson(after)}}},
                {"latency", latency}};
    std::ofstream(o.json_out) << out.dump(2) << "\n";
  }
  return failed ? 1 : 0;
}

// The region's leaf themes and current municipalities, for spreading the ingested signals.
Spread ReadSpread(const std::string& dsn) {
  pqxx::connection conn(dsn);
  pqxx::nontransaction tx(conn);
  Spread s;
  for (const auto& row : tx.exec("SELECT code FROM themes t WHERE NOT EXISTS "
                                 "(SELECT 1 FROM themes c WHERE c.parent = t.code) ORDER BY code")) {
    s.themes.push_back(row[0].as<std::string>());
  }
  for (const auto& row : tx.exec("SELECT gm_code FROM municipalities WHERE valid_to IS NULL AND region_code = "
                                 "'VR21' ORDER BY gm_code")) {
    s.municipalities.push_back(row[0].as<std::string>());
  }
  if (s.themes.empty() || s.municipalities.empty()) {
    throw std::runtime_error("no themes or VR21 municipalities in the database");
  }
  return s;
}

// Change-log rows the picture keeper has not read yet: after the cursor it last wrote for the actual
// picture (picture_state).
std::int64_t KeeperBacklog(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  return tx
      .exec1(
          "SELECT count(*) FROM changes c JOIN picture_state p ON p.picture = 'actual' "
          "WHERE (c.xid, c.seq) > (p.cursor_xid, p.cursor_seq)")[0]
      .as<std::int64_t>();
}

// vikd's count of change-log rows its picture keeper has read (vik_picture_changes_read_total); NaN
// when the metric is missing. The keeper writes its cursor only at the end of a round, so this shows
// its progress inside long rounds too.
double ChangesRead(const HttpTarget& target) {
  const auto metrics = ScrapeMetrics(target);
  const auto it = metrics.find("vik_picture_changes_read_total");
  return it == metrics.end() ? std::numeric_limits<double>::quiet_NaN() : it->second;
}

// Polls GET /readyz until 200 (30 s at most).
void WaitReady(const HttpTarget& target) {
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline) {
    try {
      if (HttpGet(target, "", "/readyz").status == 200) {
        return;
      }
    } catch (const std::exception&) {
      // not listening yet
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("vikd at " + target.host + ":" + target.port + " not ready within 30 s");
}

int RunIngest(const Options& o) {
  const HttpTarget target = ParseHttpTarget(o.http);
  const std::string token = ReadToken(o.token_file);
  const std::string prefix =
      "picture-" + o.engine + "-" + std::to_string(std::time(nullptr)) + "-" + std::to_string(getpid());
  SignalFactory factory(o.source, prefix, ReadSpread(o.dsn));
  WaitReady(target);
  // Tokens are loaded after readiness: the warm-up waits them out (its errors are not reported).
  HttpLoad(target, token, factory, o.connections, o.batch, Duration(o.warmup_seconds));
  const double read0 = ChangesRead(target);
  Json j = Measure(o,
                   "POST /v1/signals, " + std::to_string(o.connections) + " x " + std::to_string(o.batch) +
                       " signals, engine " + o.engine,
                   [&] { return HttpLoad(target, token, factory, o.connections, o.batch, Duration(o.seconds)); });
  const double read1 = ChangesRead(target);
  if (o.engine == "on") {
    // How far the keeper is behind when the load stops, and how long it takes to catch up.
    pqxx::connection conn(o.dsn);
    const auto stopped = Clock::now();
    const std::int64_t backlog = KeeperBacklog(conn);
    std::int64_t left = backlog;
    while (left > 0 && Clock::now() - stopped < std::chrono::seconds(120)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      left = KeeperBacklog(conn);
    }
    const double catch_up = Seconds(Clock::now() - stopped).count();
    const double read2 = ChangesRead(target);
    auto per_s = [](double from, double to, double seconds) {
      return std::isnan(from) || std::isnan(to) ? Json() : Json((to - from) / seconds);
    };
    j["keeper"] = {{"backlog_rows", backlog},
                   {"left_rows", left},
                   {"catch_up_s", left == 0 ? Json(catch_up) : Json()},
                   {"read_during_load_per_s", per_s(read0, read1, j["seconds"].get<double>())},
                   {"read_after_load_per_s", per_s(read1, read2, catch_up)}};
    std::fprintf(
        stderr, "    picture keeper: %lld change rows behind when the load stopped; %s\n",
        static_cast<long long>(backlog),
        left == 0 ? ("caught up after " + std::to_string(catch_up) + " s").c_str() : "not caught up within 120 s");
  }
  if (o.vikd_pid > 0) {
    j["memory_after"] = MemoryJson(ReadProcessMemory(o.vikd_pid));
  }
  j["kind"] = "ingest";
  j["engine"] = o.engine;
  j["size"] = o.size;
  j["connections"] = o.connections;
  j["batch"] = o.batch;
  if (!o.json_out.empty()) {
    std::ofstream(o.json_out) << j.dump(2) << "\n";
  }
  return j["not_accepted"].get<std::uint64_t>() > 0 ? 1 : 0;
}

}  // namespace
}  // namespace vik::bench

int main(int argc, char** argv) {
  std::vector<std::string> rest;
  auto options = vik::bench::ParseOptions(argc, argv, rest);
  if (!options) {
    return 2;
  }
  try {
    if (options->mode == "report") {
      return vik::bench::PrintPictureReport(rest);
    }
    return options->mode == "status" ? vik::bench::RunStatus(*options) : vik::bench::RunIngest(*options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vik_picture_bench %s: %s\n", options->mode.c_str(), e.what());
    return 1;
  }
}
