// vik_federation_bench: the measurements of the federation benchmark (docs/performance.md,
// "Federation (issue 7)"; tests/bench/federation_run.sh starts the regional nodes and the national
// node). Modes:
//
//   push     POST /v1/signals at a fixed total rate (batches spread round-robin over the regions, a
//            paced schedule on keep-alive connections) for --seconds; records each receipt's signalId
//            with the wall-clock time its answer arrived (the acknowledgement); then polls the
//            national node's mirror_signals until every acknowledged signal is there (or --timeout)
//            and reports the propagation latency: applied_at (the apply transaction's now()) and,
//            with track_commit_timestamp on, the apply's commit time, minus the acknowledgement.
//   fill     with the national node stopped: POST /v1/signals into one region as fast as ingest
//            allows until its change log grew by --changes; waits for the region's picture keeper to
//            settle; reads the national node's stored cursor and counter of that peer and counts the
//            region's changes after the cursor (what the national node has to catch up on).
//   catchup  after the national node was started again: polls its peers.changes_applied until it
//            reached the target of `fill` -> changes/s applied to the mirror.
//   feed     one client reads the region's ListChanges (gRPC, pages of --page) from the oldest cursor
//            to the end, twice -> changes/s of the raw feed.
//   memory   VmRSS/VmHWM of the national vikd and of the regional vikds.
//   report   prints every figure of the JSON files given, one column per region count.
//
// The regions file (written by federation_run.sh) has a line per region:
//   CODE HTTP_PORT GRPC_PORT PID DBNAME MUNICIPALITY SOURCE INGEST_TOKEN_FILE READ_TOKEN_FILE
// and DBNAME is appended to --pg (a libpq connection string without dbname).
// Exit codes: 0 done (goals are reported, not enforced), 1 failed, 2 usage.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "bench/flags.h"
#include "bench/grpc_load.h"
#include "bench/http_load.h"
#include "bench/report_table.h"
#include "bench/signals.h"
#include "bench/stats.h"
#include "vik/v1/exchange.grpc.pb.h"

namespace vik::bench {
namespace {

using Json = nlohmann::json;
using Seconds = std::chrono::duration<double>;
using WallClock = std::chrono::system_clock;

struct Region {
  std::string code;
  std::string http_port;
  std::string grpc_port;
  int pid = 0;
  std::string dbname;
  std::string municipality;
  std::string source;
  std::string ingest_token_file;
  std::string read_token_file;
};

struct Options {
  std::string mode;
  std::string regions_file;
  std::string pg;           // libpq connection string without dbname
  std::string national_db;  // dbname of the national node
  std::string region;       // fill, catchup, feed: the region's code (default: the first of the file)
  std::string json_out;
  std::string fill_json;
  int national_pid = 0;
  int pg_pid = 0;
  long long started_ns = 0;
  double rate = 500;
  int batch = 10;
  int clients = 2;
  double seconds = 30;
  double timeout = 120;
  long long changes = 100000;
  int page = 1000;
};

constexpr const char* kHelp =
    "Usage: vik_federation_bench push    --regions FILE --pg CONNINFO --national-db NAME [options]\n"
    "       vik_federation_bench fill    --regions FILE --pg CONNINFO --national-db NAME [--region CODE]\n"
    "                                    [--changes N]\n"
    "       vik_federation_bench catchup --pg CONNINFO --national-db NAME --fill-json FILE --started-ns NS\n"
    "       vik_federation_bench feed    --regions FILE [--region CODE] [--page N]\n"
    "       vik_federation_bench memory  --regions FILE --national-pid PID\n"
    "       vik_federation_bench report FILE...\n"
    "  --regions FILE        one line per region: CODE HTTP_PORT GRPC_PORT PID DBNAME MUNICIPALITY SOURCE\n"
    "                        INGEST_TOKEN_FILE READ_TOKEN_FILE\n"
    "  --pg CONNINFO         libpq connection string without dbname (\"host=127.0.0.1 port=5432 user=postgres\")\n"
    "  --national-db NAME    the national node's database\n"
    "  --national-pid PID --pg-pid PID   the national vikd and the postmaster (CPU by party, memory)\n"
    "  --json FILE           also write the results as JSON (the report reads these)\n"
    " push:\n"
    "  --rate R              signals per second in total (default 500)\n"
    "  --batch N             signals per request (default 10)\n"
    "  --clients N           keep-alive connections per region (default 2)\n"
    "  --seconds S           how long to push (default 30)\n"
    "  --timeout S           how long to wait for the mirror afterwards (default 120)\n"
    " fill:\n"
    "  --region CODE         the region to fill (default: the first of the regions file)\n"
    "  --changes N           grow the region's change log by N (default 100000)\n"
    " catchup:\n"
    "  --fill-json FILE      what `fill` wrote (the peer and the target)\n"
    "  --started-ns NS       when the national vikd was started (`date +%s%N`)\n"
    "  --timeout S           how long to wait (default 120)\n"
    " feed:\n"
    "  --page N              changes per ListChanges (default 1000)\n";

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
      {"--regions", [&](const std::string& v) { o.regions_file = v; }},
      {"--pg", [&](const std::string& v) { o.pg = v; }},
      {"--national-db", [&](const std::string& v) { o.national_db = v; }},
      {"--region", [&](const std::string& v) { o.region = v; }},
      {"--json", [&](const std::string& v) { o.json_out = v; }},
      {"--fill-json", [&](const std::string& v) { o.fill_json = v; }},
      {"--national-pid", [&](const std::string& v) { o.national_pid = std::stoi(v); }},
      {"--pg-pid", [&](const std::string& v) { o.pg_pid = std::stoi(v); }},
      {"--started-ns", [&](const std::string& v) { o.started_ns = std::stoll(v); }},
      {"--rate", [&](const std::string& v) { o.rate = std::stod(v); }},
      {"--batch", [&](const std::string& v) { o.batch = std::stoi(v); }},
      {"--clients", [&](const std::string& v) { o.clients = std::stoi(v); }},
      {"--seconds", [&](const std::string& v) { o.seconds = std::stod(v); }},
      {"--timeout", [&](const std::string& v) { o.timeout = std::stod(v); }},
      {"--changes", [&](const std::string& v) { o.changes = std::stoll(v); }},
      {"--page", [&](const std::string& v) { o.page = std::stoi(v); }},
  };
  if (!bench::ParseFlags(argc, argv, 2, flags, "vik_federation_bench", kHelp)) {
    return std::nullopt;
  }
  const std::string& m = o.mode;
  const bool needs_regions = m == "push" || m == "fill" || m == "feed" || m == "memory";
  const bool needs_national = m == "push" || m == "fill" || m == "catchup";
  const bool known = needs_regions || m == "catchup";
  if (!known || (needs_regions && o.regions_file.empty()) ||
      (needs_national && (o.pg.empty() || o.national_db.empty())) ||
      (m == "catchup" && (o.fill_json.empty() || o.started_ns <= 0)) || (m == "memory" && o.national_pid <= 0) ||
      o.rate <= 0 || o.batch < 1 || o.clients < 1 || o.page < 1) {
    std::fprintf(stderr, "vik_federation_bench: missing or bad mode or required flag\n%s", kHelp);
    return std::nullopt;
  }
  return o;
}

std::vector<Region> ReadRegions(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot read " + path);
  }
  std::vector<Region> out;
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    Region r;
    if (f >> r.code >> r.http_port >> r.grpc_port >> r.pid >> r.dbname >> r.municipality >> r.source >>
        r.ingest_token_file >> r.read_token_file) {
      out.push_back(std::move(r));
    }
  }
  if (out.empty()) {
    throw std::runtime_error("no regions in " + path);
  }
  return out;
}

const Region& FindRegion(const std::vector<Region>& regions, const std::string& code) {
  if (code.empty()) {
    return regions.front();
  }
  for (const auto& r : regions) {
    if (r.code == code) {
      return r;
    }
  }
  throw std::runtime_error("region " + code + " is not in the regions file");
}

std::string Dsn(const Options& o, const std::string& dbname) { return o.pg + " dbname=" + dbname; }

HttpTarget HttpOf(const Region& r) { return {"127.0.0.1", r.http_port}; }

Clock::duration Duration(double seconds) { return std::chrono::duration_cast<Clock::duration>(Seconds(seconds)); }

long long WallNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(WallClock::now().time_since_epoch()).count();
}

void WriteJson(const Options& o, const Json& j) {
  if (!o.json_out.empty()) {
    std::ofstream(o.json_out) << j.dump(2) << "\n";
  }
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

Json PercentilesJson(std::vector<std::int64_t> ns) {
  return {{"count", ns.size()},
          {"p50_ms", PercentileMs(ns, 50)},
          {"p90_ms", PercentileMs(ns, 90)},
          {"p99_ms", PercentileMs(ns, 99)},
          {"max_ms", PercentileMs(ns, 100)}};
}

Json MemoryJson(const ProcessMemory& m) { return {{"rss_bytes", m.rss_bytes}, {"hwm_bytes", m.hwm_bytes}}; }

// ---- push ------------------------------------------------------------------------------------------

// The acknowledged signals of one region: signalId -> wall-clock ns when the answer arrived.
struct Acks {
  std::mutex mu;
  std::vector<std::pair<std::string, long long>> acks;
  std::vector<long long> lateness_ns;  // how late each request left against its schedule
};

// Counts a POST /v1/signals answer and records the acknowledged signal ids.
PostVerdict JudgeReceipts(unsigned status, const std::string& body, std::uint64_t batch, Acks& acks) {
  const long long at = WallNs();
  if (status != 200) {
    return {0, batch, "HTTP " + std::to_string(status) + ": " + body.substr(0, 200)};
  }
  PostVerdict v;
  std::vector<std::pair<std::string, long long>> got;
  const Json answer = Json::parse(body);
  for (const auto& r : answer.at("receipts")) {
    if (r.value("outcome", "") == "RECEIPT_OUTCOME_ACCEPTED") {
      got.emplace_back(r.at("signalId").get<std::string>(), at);
    } else if (v.error.empty()) {
      v.error = "receipt not accepted: " + r.dump().substr(0, 200);
    }
  }
  v.accepted = got.size();
  v.not_accepted = batch - got.size();
  std::lock_guard lock(acks.mu);
  acks.acks.insert(acks.acks.end(), got.begin(), got.end());
  return v;
}

struct Mirrored {
  long long applied_ns = 0;
  long long committed_ns = 0;  // 0: unknown (track_commit_timestamp off)
};

// Polls the national node's mirror until every id of `want` is there or `timeout` has passed.
std::unordered_map<std::string, Mirrored> WaitForMirror(const std::string& dsn,
                                                        const std::unordered_map<std::string, long long>& want,
                                                        long long since_ns, double timeout) {
  pqxx::connection conn(dsn);
  pqxx::nontransaction tx(conn);  // no transaction id: holds back no region's feed
  const bool commit_ts = tx.exec1("SHOW track_commit_timestamp")[0].as<std::string>() == "on";
  const std::string query =
      std::string("SELECT id, (extract(epoch FROM applied_at) * 1000000)::bigint, ") +
      (commit_ts ? "(extract(epoch FROM pg_xact_commit_timestamp(xmin)) * 1000000)::bigint" : "0::bigint") +
      " FROM mirror_signals WHERE applied_at >= to_timestamp(" + std::to_string(since_ns / 1000000) + " / 1000.0)";
  std::unordered_map<std::string, Mirrored> found;
  const auto deadline = Clock::now() + Duration(timeout);
  std::size_t matched = 0;
  do {
    for (const auto& row : tx.exec(query)) {
      const auto id = row[0].as<std::string>();
      if (want.count(id) != 0 && found.count(id) == 0) {
        found[id] = {row[1].as<long long>() * 1000, row[2].as<long long>() * 1000};
        ++matched;
      }
    }
    if (matched == want.size()) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  } while (Clock::now() < deadline);
  return found;
}

int RunPush(const Options& o) {
  const auto regions = ReadRegions(o.regions_file);
  const std::size_t n = regions.size();
  const std::string load_average = LoadAverage();
  // Requests leave every `batch / rate` seconds in total; region r takes every n-th slot, and its
  // clients take turns within those.
  const double slot_s = o.batch / o.rate;
  const auto prefix = "fed-" + std::to_string(std::time(nullptr)) + "-" + std::to_string(getpid());
  std::vector<std::unique_ptr<SignalFactory>> factories;
  std::vector<std::unique_ptr<Acks>> acks;
  for (const auto& r : regions) {
    factories.push_back(std::make_unique<SignalFactory>(r.source, prefix + "-" + r.code, Spread{{}, {r.municipality}}));
    acks.push_back(std::make_unique<Acks>());
  }
  std::fprintf(stderr,
               "==> POST /v1/signals: %.0f signals/s in batches of %d over %zu region(s), %d client(s) each, "
               "for %.0f s (load average %s)\n",
               o.rate, o.batch, n, o.clients, o.seconds, load_average.c_str());
  const auto start = Clock::now() + std::chrono::milliseconds(200);
  const long long start_wall_ns = WallNs();
  std::vector<CpuSample> region_cpu0;
  for (const auto& r : regions) {
    region_cpu0.push_back(SampleCpu(r.pid, 0));
  }
  const CpuSample c0 = SampleCpu(o.national_pid, o.pg_pid);
  std::vector<Recorder> recorders(n);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      PostLoadSpec spec;
      spec.path = "/v1/signals";
      spec.content_type = "application/json";
      spec.messages_per_request = static_cast<std::uint64_t>(o.batch);
      spec.body = [&, i](int client, std::uint64_t k) {
        const double slot = static_cast<double>(
            (k * static_cast<std::uint64_t>(o.clients) + static_cast<std::uint64_t>(client)) * n + i);
        const auto due = start + Duration(slot * slot_s);
        std::this_thread::sleep_until(due);
        {
          std::lock_guard lock(acks[i]->mu);
          acks[i]->lateness_ns.push_back(std::chrono::nanoseconds(Clock::now() - due).count());
        }
        std::string body = R"({"signals":[)";
        for (int s = 0; s < o.batch; ++s) {
          if (s > 0) {
            body += ',';
          }
          factories[i]->AppendJson(body);
        }
        return body + "]}";
      };
      spec.judge = [&, i](unsigned status, const std::string& body) {
        return JudgeReceipts(status, body, static_cast<std::uint64_t>(o.batch), *acks[i]);
      };
      recorders[i] = HttpPostLoad(HttpOf(regions[i]), ReadToken(regions[i].ingest_token_file), spec, o.clients,
                                  Duration(o.seconds) + (start - Clock::now()));
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  const CpuSample c1 = SampleCpu(o.national_pid, o.pg_pid);
  double region_cores = 0;
  for (std::size_t i = 0; i < n; ++i) {
    region_cores += CoresUsed(region_cpu0[i], SampleCpu(regions[i].pid, 0)).vikd;
  }
  const double seconds = Seconds(c1.at - start).count();
  CpuUse cpu = CoresUsed(c0, c1);
  cpu.other = std::max(0.0, cpu.other - region_cores);

  Recorder rec;
  std::unordered_map<std::string, long long> want;
  std::vector<std::int64_t> lateness;
  for (std::size_t i = 0; i < n; ++i) {
    rec.Merge(std::move(recorders[i]));
    for (const auto& [id, at] : acks[i]->acks) {
      want[id] = at;
    }
    lateness.insert(lateness.end(), acks[i]->lateness_ns.begin(), acks[i]->lateness_ns.end());
  }
  Json errors = Json::object();
  for (const auto& [what, count] : rec.errors) {
    errors[what] = count;
    std::fprintf(stderr, "    %llu x %s\n", static_cast<unsigned long long>(count), what.c_str());
  }
  auto ack_latency = rec.latency_ns;
  std::fprintf(stderr,
               "    %llu signals acknowledged (%.0f/s), ack p50 %.1f ms p99 %.1f ms; cores national %.2f "
               "regions %.2f pg %.2f other %.2f; waiting for the national mirror\n",
               static_cast<unsigned long long>(rec.accepted), static_cast<double>(rec.accepted) / seconds,
               PercentileMs(ack_latency, 50), PercentileMs(ack_latency, 99), cpu.vikd, region_cores, cpu.postgres,
               cpu.other);
  if (cpu.other > 0.1) {
    std::fprintf(stderr, "    WARNING: other processes used %.2f cores: the figures are disturbed\n", cpu.other);
  }

  const auto found = WaitForMirror(Dsn(o, o.national_db), want, start_wall_ns - 1'000'000'000LL, o.timeout);
  std::vector<std::int64_t> applied, committed;
  for (const auto& [id, m] : found) {
    const long long ack = want.at(id);
    applied.push_back(m.applied_ns - ack);
    if (m.committed_ns > 0) {
      committed.push_back(m.committed_ns - ack);
    }
  }
  const Json applied_j = PercentilesJson(applied);
  const Json committed_j = PercentilesJson(committed);
  const std::size_t missing = want.size() - found.size();
  std::fprintf(stderr,
               "    propagation ack -> applied_at: p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms; "
               "ack -> commit: p50 %.0f ms, p99 %.0f ms, max %.0f ms; %zu missing\n",
               applied_j["p50_ms"].get<double>(), applied_j["p90_ms"].get<double>(), applied_j["p99_ms"].get<double>(),
               applied_j["max_ms"].get<double>(), committed_j["p50_ms"].get<double>(),
               committed_j["p99_ms"].get<double>(), committed_j["max_ms"].get<double>(), missing);
  Json j = {{"kind", "push"},
            {"regions", n},
            {"load_average", load_average},
            {"load_average_1m", std::stod(load_average)},
            {"target_rate", o.rate},
            {"batch", o.batch},
            {"clients_per_region", o.clients},
            {"seconds", seconds},
            {"calls", rec.calls},
            {"accepted", rec.accepted},
            {"not_accepted", rec.not_accepted},
            {"rate", static_cast<double>(rec.accepted) / seconds},
            {"ack", PercentilesJson(rec.latency_ns)},
            {"send_lateness", PercentilesJson(lateness)},
            {"cores",
             {{"national", cpu.vikd},
              {"regions", region_cores},
              {"postgres", cpu.postgres},
              {"bench", cpu.bench},
              {"other", cpu.other},
              {"idle", cpu.idle}}},
            {"errors", errors},
            {"propagation_applied", applied_j},
            {"propagation_commit", committed_j},
            {"mirrored", found.size()},
            {"missing", missing}};
  WriteJson(o, j);
  return rec.not_accepted > 0 || missing > 0 ? 1 : 0;
}

// ---- fill, catchup ---------------------------------------------------------------------------------

std::int64_t CountChanges(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  return tx.exec1("SELECT count(*) FROM changes")[0].as<std::int64_t>();
}

int RunFill(const Options& o) {
  const auto regions = ReadRegions(o.regions_file);
  const Region& r = FindRegion(regions, o.region);
  pqxx::connection region_db(Dsn(o, r.dbname));
  const std::int64_t before = CountChanges(region_db);
  SignalFactory factory(r.source, "fill-" + std::to_string(std::time(nullptr)) + "-" + std::to_string(getpid()),
                        Spread{{}, {r.municipality}});
  const std::string token = ReadToken(r.ingest_token_file);
  std::fprintf(stderr, "==> filling %s's change log with %lld changes (national node stopped)\n", r.code.c_str(),
               o.changes);
  Recorder rec;
  const auto t0 = Clock::now();
  while (CountChanges(region_db) - before < o.changes) {
    rec.Merge(HttpLoad(HttpOf(r), token, factory, 8, 100, std::chrono::seconds(1)));
  }
  const double push_s = Seconds(Clock::now() - t0).count();
  // The picture keeper adds risk changes after the signals; wait until the log stops growing.
  std::int64_t last = CountChanges(region_db);
  for (int quiet = 0; quiet < 4;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const std::int64_t now = CountChanges(region_db);
    quiet = now == last ? quiet + 1 : 0;
    last = now;
  }
  pqxx::connection national(Dsn(o, o.national_db));
  pqxx::nontransaction ntx(national);
  const auto peer = ntx.exec_params1("SELECT name, cursor, changes_applied FROM peers WHERE region = $1", r.code);
  const std::string cursor = peer[1].as<std::string>();
  const auto dot = cursor.find('.');
  pqxx::nontransaction rtx(region_db);
  const auto backlog = rtx.exec_params1("SELECT count(*) FROM changes WHERE (xid, seq) > ($1::text::xid8, $2::bigint)",
                                        cursor.substr(0, dot), cursor.substr(dot + 1))[0]
                           .as<std::int64_t>();
  std::fprintf(stderr, "    %llu signals in %.1f s (%.0f/s); the national node is %lld changes behind on peer %s\n",
               static_cast<unsigned long long>(rec.accepted), push_s, static_cast<double>(rec.accepted) / push_s,
               static_cast<long long>(backlog), peer[0].c_str());
  Json j = {{"kind", "fill"},          {"regions", regions.size()},
            {"region", r.code},        {"peer", peer[0].as<std::string>()},
            {"signals", rec.accepted}, {"not_accepted", rec.not_accepted},
            {"push_s", push_s},        {"signals_per_s", static_cast<double>(rec.accepted) / push_s},
            {"changes_in_log", last},  {"applied_before", peer[2].as<std::int64_t>()},
            {"backlog", backlog}};
  WriteJson(o, j);
  return rec.not_accepted > 0 ? 1 : 0;
}

int RunCatchup(const Options& o) {
  Json fill;
  std::ifstream(o.fill_json) >> fill;
  const std::string peer = fill.at("peer");
  const auto from = fill.at("applied_before").get<std::int64_t>();
  const auto backlog = fill.at("backlog").get<std::int64_t>();
  pqxx::connection conn(Dsn(o, o.national_db));
  pqxx::nontransaction tx(conn);
  auto applied = [&] {
    return tx.exec_params1("SELECT changes_applied FROM peers WHERE name = $1", peer)[0].as<std::int64_t>() - from;
  };
  std::fprintf(stderr, "==> national node catching up %lld changes of peer %s\n", static_cast<long long>(backlog),
               peer.c_str());
  const auto deadline = Clock::now() + Duration(o.timeout);
  std::optional<long long> first_ns;
  std::int64_t first = 0, now = 0;
  while ((now = applied()) < backlog && Clock::now() < deadline) {
    if (!first_ns && now > 0) {
      first_ns = WallNs();
      first = now;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const long long done_ns = WallNs();
  const bool caught_up = now >= backlog;
  Json j = {{"kind", "catchup"}, {"regions", fill.at("regions")},
            {"peer", peer},      {"backlog", backlog},
            {"applied", now},    {"caught_up", caught_up},
            {"fill", fill},      {"from_start_s", static_cast<double>(done_ns - o.started_ns) / 1e9}};
  if (caught_up && first_ns && done_ns > *first_ns) {
    // From the first apply seen to the last: the steady apply rate (the start-up and the lease excluded).
    j["changes_per_s"] = static_cast<double>(now - first) / (static_cast<double>(done_ns - *first_ns) / 1e9);
    j["first_apply_after_start_s"] = static_cast<double>(*first_ns - o.started_ns) / 1e9;
  }
  if (o.national_pid > 0) {
    j["national_memory"] = MemoryJson(ReadProcessMemory(o.national_pid));
  }
  std::fprintf(stderr, "    %s: %lld of %lld changes applied %.2f s after the national node's start; %s changes/s\n",
               caught_up ? "caught up" : "NOT caught up", static_cast<long long>(now), static_cast<long long>(backlog),
               j["from_start_s"].get<double>(),
               j.contains("changes_per_s") ? FormatNumber(j["changes_per_s"], 0).c_str() : "-");
  WriteJson(o, j);
  return caught_up ? 0 : 1;
}

// ---- feed ------------------------------------------------------------------------------------------

// One read of the whole feed from the oldest cursor.
Json ReadFeed(vik::v1::ExchangeService::Stub& stub, const std::string& token, int page) {
  std::string after;
  std::int64_t changes = 0, bytes = 0;
  std::vector<std::int64_t> page_ns;
  const auto t0 = Clock::now();
  for (;;) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    ctx.set_deadline(WallClock::now() + std::chrono::seconds(60));
    vik::v1::ListChangesRequest request;
    request.set_after(after);
    request.set_limit(page);
    vik::v1::ListChangesResponse response;
    const auto sent = Clock::now();
    const grpc::Status s = stub.ListChanges(&ctx, request, &response);
    if (!s.ok()) {
      throw std::runtime_error("ListChanges: " + CodeName(s.error_code()) + ": " + s.error_message());
    }
    page_ns.push_back(std::chrono::nanoseconds(Clock::now() - sent).count());
    changes += response.changes_size();
    bytes += static_cast<std::int64_t>(response.ByteSizeLong());
    after = response.next_cursor();
    if (!response.more()) {
      break;
    }
  }
  const double seconds = Seconds(Clock::now() - t0).count();
  Json pages = PercentilesJson(page_ns);
  return {{"changes", changes},
          {"bytes", bytes},
          {"seconds", seconds},
          {"changes_per_s", static_cast<double>(changes) / seconds},
          {"pages", pages}};
}

int RunFeed(const Options& o) {
  const auto regions = ReadRegions(o.regions_file);
  const Region& r = FindRegion(regions, o.region);
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  auto stub = vik::v1::ExchangeService::NewStub(
      grpc::CreateCustomChannel("127.0.0.1:" + r.grpc_port, grpc::InsecureChannelCredentials(), args));
  const std::string token = ReadToken(r.read_token_file);
  Json passes = Json::object();
  double best = 0;
  for (int pass = 1; pass <= 2; ++pass) {
    Json p = ReadFeed(*stub, token, o.page);
    std::fprintf(stderr,
                 "==> raw feed read of %s, pass %d: %lld changes in %.2f s = %.0f changes/s, page p50 %.1f ms\n",
                 r.code.c_str(), pass, p["changes"].get<long long>(), p["seconds"].get<double>(),
                 p["changes_per_s"].get<double>(), p["pages"]["p50_ms"].get<double>());
    best = std::max(best, p["changes_per_s"].get<double>());
    passes[std::to_string(pass)] = std::move(p);
  }
  WriteJson(o, {{"kind", "feed"},
                {"regions", regions.size()},
                {"region", r.code},
                {"page", o.page},
                {"passes", passes},
                {"best_changes_per_s", best}});
  return 0;
}

// ---- memory ----------------------------------------------------------------------------------------

int RunMemory(const Options& o) {
  const auto regions = ReadRegions(o.regions_file);
  const ProcessMemory national = ReadProcessMemory(o.national_pid);
  double rss = 0, hwm = 0, most = 0;
  for (const auto& r : regions) {
    const ProcessMemory m = ReadProcessMemory(r.pid);
    rss += m.rss_bytes;
    hwm += m.hwm_bytes;
    most = std::max(most, m.rss_bytes);
  }
  const double count = static_cast<double>(regions.size());
  std::fprintf(stderr,
               "==> memory: national VmRSS %.1f MiB (VmHWM %.1f MiB); regional VmRSS mean %.1f MiB, max %.1f "
               "MiB\n",
               national.rss_bytes / 1048576, national.hwm_bytes / 1048576, rss / count / 1048576, most / 1048576);
  WriteJson(o, {{"kind", "memory"},
                {"regions", regions.size()},
                {"national", MemoryJson(national)},
                {"regional_mean", {{"rss_bytes", rss / count}, {"hwm_bytes", hwm / count}}},
                {"regional_max_rss_bytes", most}});
  return 0;
}

// ---- report ----------------------------------------------------------------------------------------

std::string Goal(const ReportFiles& f) {
  auto it = f.find("push");
  if (it == f.end()) {
    return "-";
  }
  const Json p99 = JsonAt(it->second, "propagation_commit.p99_ms");
  const Json fallback = JsonAt(it->second, "propagation_applied.p99_ms");
  const Json& v = p99.is_number() && p99.get<double>() > 0 ? p99 : fallback;
  if (!v.is_number() || JsonAt(it->second, "missing").get<double>() > 0) {
    return "NOT MET";
  }
  return v.get<double>() < 1000 ? "MET" : "NOT MET";
}

int RunReport(const std::vector<std::string>& files) {
  ReportColumns columns;
  const int status = ReadReportFiles(
      files, "vik_federation_bench", "regions", [](const Json& j) { return j.value("kind", ""); }, columns);
  constexpr double kMB = 1.0 / (1024 * 1024);
  const std::vector<ReportRow> rows = {
      ReportField("load average at the start (1 min)", "push", "load_average_1m", 2),
      ReportHeading("push: POST /v1/signals, paced, round-robin"),
      ReportField("  target signals/s", "push", "target_rate", 0),
      ReportField("  achieved signals/s", "push", "rate", 0),
      ReportFields("  acknowledged / not accepted", "push", {"accepted", "not_accepted"}, 0),
      ReportFields("  ack latency p50 / p99 ms", "push", {"ack.p50_ms", "ack.p99_ms"}, 1),
      ReportFields("  send lateness p99 / max ms", "push", {"send_lateness.p99_ms", "send_lateness.max_ms"}, 1),
      ReportFields("  cores national / regions / pg", "push", {"cores.national", "cores.regions", "cores.postgres"}, 2),
      ReportFields("  cores bench / other", "push", {"cores.bench", "cores.other"}, 2),
      ReportHeading("propagation, ack -> national mirror"),
      ReportFields("  applied_at p50 / p90 ms", "push", {"propagation_applied.p50_ms", "propagation_applied.p90_ms"},
                   0),
      ReportFields("  applied_at p99 / max ms", "push", {"propagation_applied.p99_ms", "propagation_applied.max_ms"},
                   0),
      ReportFields("  commit p50 / p90 ms", "push", {"propagation_commit.p50_ms", "propagation_commit.p90_ms"}, 0),
      ReportFields("  commit p99 / max ms", "push", {"propagation_commit.p99_ms", "propagation_commit.max_ms"}, 0),
      ReportFields("  mirrored / missing", "push", {"mirrored", "missing"}, 0),
      {"  goal p99 < 1 s at 500 signals/s", Goal},
      ReportHeading("memory after the push, MiB"),
      ReportFields("  national VmRSS / VmHWM", "memory", {"national.rss_bytes", "national.hwm_bytes"}, 1, kMB),
      ReportFields("  regional VmRSS mean / max", "memory", {"regional_mean.rss_bytes", "regional_max_rss_bytes"}, 1,
                   kMB),
      ReportHeading("catch-up of one region (national node stopped)"),
      ReportField("  fill: signals/s into the region", "catchup", "fill.signals_per_s", 0),
      ReportField("  changes behind", "catchup", "backlog", 0),
      ReportField("  mirror apply, changes/s", "catchup", "changes_per_s", 0),
      ReportField("  first apply after the start, s", "catchup", "first_apply_after_start_s", 2),
      ReportField("  caught up after the start, s", "catchup", "from_start_s", 2),
      ReportFields("  national VmRSS / VmHWM after, MiB", "catchup",
                   {"national_memory.rss_bytes", "national_memory.hwm_bytes"}, 1, kMB),
      ReportHeading("raw feed read, ListChanges from the oldest cursor"),
      ReportField("  changes read", "feed", "passes.1.changes", 0),
      ReportField("  changes/s (best of 2 passes)", "feed", "best_changes_per_s", 0),
      ReportFields("  page p50 / p99 ms (pass 2)", "feed", {"passes.2.pages.p50_ms", "passes.2.pages.p99_ms"}, 1),
  };
  PrintReportTable("federation benchmark", "regions", columns, rows);
  return status;
}

}  // namespace
}  // namespace vik::bench

int main(int argc, char** argv) {
  std::vector<std::string> rest;
  auto options = vik::bench::ParseOptions(argc, argv, rest);
  if (!options) {
    return 2;
  }
  const std::string& m = options->mode;
  try {
    if (m == "report") {
      return vik::bench::RunReport(rest);
    }
    if (m == "push") {
      return vik::bench::RunPush(*options);
    }
    if (m == "fill") {
      return vik::bench::RunFill(*options);
    }
    if (m == "catchup") {
      return vik::bench::RunCatchup(*options);
    }
    if (m == "feed") {
      return vik::bench::RunFeed(*options);
    }
    return vik::bench::RunMemory(*options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vik_federation_bench %s: %s\n", m.c_str(), e.what());
    return 1;
  }
}
