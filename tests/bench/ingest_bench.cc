// vik_ingest_bench: the ingest benchmark of docs/performance.md. Against a running vikd and its
// PostgreSQL it measures durable signals per second and acknowledgement latency for unary Submit (1,
// 16 and 64 callers), Submit in batches, SubmitStream, HTTP POST /v1/signals in batches, a paced
// steady load, and the references: COPY straight into `signals` (the physical limit), a single-row
// INSERT + COMMIT and a no-op gRPC call. tests/bench/run.sh sets everything up and runs it.
//
// Usage: vik_ingest_bench --db DSN --grpc HOST:PORT --http HOST:PORT --token-file FILE
//                         --source ID --partner NAME [options; see --help]
// Exit codes: 0 the run completed (whether or not targets are met), 1 it failed, 2 usage.

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/flags.h"
#include "bench/grpc_load.h"
#include "bench/http_load.h"
#include "bench/postgres_baseline.h"
#include "bench/signals.h"
#include "bench/stats.h"

namespace vik::bench {
namespace {

using Seconds = std::chrono::duration<double>;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Above this many cores used by other processes during a phase, its figures are reported as disturbed.
constexpr double kDisturbedCores = 0.1;

struct Options {
  std::string dsn;
  std::string grpc;
  std::string http;
  std::string token_file;
  std::string source;
  std::string partner;
  std::string json_out;
  int vikd_pid = 0;
  int pg_pid = 0;
  double seconds = 8;       // each load phase
  double copy_seconds = 6;  // each COPY phase (one at the start, one at the end)
  double steady_seconds = 5;
  double steady_rate = 1000;
  int channels = 4;
  int batch = 100;
  int batch_callers = 8;
  int http_connections = 8;
  int streams = 4;          // the second SubmitStream phase (the first uses one stream)
  int stream_window = 256;  // vikd's default ingest.stream_window
  int copy_batch = 1000;
  int commits = 500;
  int health_checks = 2000;
};

constexpr const char* kHelp =
    "Usage: vik_ingest_bench --db DSN --grpc HOST:PORT --http HOST:PORT --token-file FILE\n"
    "                        --source ID --partner NAME [options]\n"
    "  --vikd-pid N --pg-pid N   attribute CPU time to vikd and to PostgreSQL (postmaster pid)\n"
    "  --seconds S               length of each load phase (default 8)\n"
    "  --copy-seconds S          length of each COPY phase (default 6)\n"
    "  --steady-rate R --steady-seconds S   paced unary Submit (default 1000/s for 5 s)\n"
    "  --channels N              gRPC connections (default 4)\n"
    "  --batch N                 signals per batch for Submit and HTTP (default 100)\n"
    "  --batch-callers N         concurrent batch Submit callers (default 8)\n"
    "  --http-connections N      concurrent HTTP clients (default 8)\n"
    "  --streams N               streams in the second SubmitStream phase (default 4)\n"
    "  --stream-window N         signals awaiting receipts per stream (default 256)\n"
    "  --copy-batch N            COPY rows per transaction (default 1000)\n"
    "  --json FILE               also write the results as JSON\n";

std::optional<Options> ParseOptions(int argc, char** argv) {
  Options o;
  bench::Flags flags = {
      {"--db", [&](const std::string& v) { o.dsn = v; }},
      {"--grpc", [&](const std::string& v) { o.grpc = v; }},
      {"--http", [&](const std::string& v) { o.http = v; }},
      {"--token-file", [&](const std::string& v) { o.token_file = v; }},
      {"--source", [&](const std::string& v) { o.source = v; }},
      {"--partner", [&](const std::string& v) { o.partner = v; }},
      {"--json", [&](const std::string& v) { o.json_out = v; }},
      {"--vikd-pid", [&](const std::string& v) { o.vikd_pid = std::stoi(v); }},
      {"--pg-pid", [&](const std::string& v) { o.pg_pid = std::stoi(v); }},
      {"--seconds", [&](const std::string& v) { o.seconds = std::stod(v); }},
      {"--copy-seconds", [&](const std::string& v) { o.copy_seconds = std::stod(v); }},
      {"--steady-seconds", [&](const std::string& v) { o.steady_seconds = std::stod(v); }},
      {"--steady-rate", [&](const std::string& v) { o.steady_rate = std::stod(v); }},
      {"--channels", [&](const std::string& v) { o.channels = std::stoi(v); }},
      {"--batch", [&](const std::string& v) { o.batch = std::stoi(v); }},
      {"--batch-callers", [&](const std::string& v) { o.batch_callers = std::stoi(v); }},
      {"--http-connections", [&](const std::string& v) { o.http_connections = std::stoi(v); }},
      {"--streams", [&](const std::string& v) { o.streams = std::stoi(v); }},
      {"--stream-window", [&](const std::string& v) { o.stream_window = std::stoi(v); }},
      {"--copy-batch", [&](const std::string& v) { o.copy_batch = std::stoi(v); }},
      {"--commits", [&](const std::string& v) { o.commits = std::stoi(v); }},
      {"--health-checks", [&](const std::string& v) { o.health_checks = std::stoi(v); }},
  };
  if (!bench::ParseFlags(argc, argv, 1, flags, "vik_ingest_bench", kHelp)) {
    return std::nullopt;
  }
  if (o.dsn.empty() || o.grpc.empty() || o.http.empty() || o.token_file.empty() || o.source.empty() ||
      o.partner.empty()) {
    std::fprintf(
        stderr, "vik_ingest_bench: --db, --grpc, --http, --token-file, --source and --partner are required\n%s", kHelp);
    return std::nullopt;
  }
  return o;
}

Clock::duration Duration(double seconds) { return std::chrono::duration_cast<Clock::duration>(Seconds(seconds)); }

// One measured phase.
struct Phase {
  std::string key;
  std::string name;
  bool throughput = true;  // signals/s is meaningful (not a latency-only baseline)
  double seconds = 0;
  Recorder rec;
  double rate = 0;                   // accepted signals per second
  double p50 = 0, p99 = 0, max = 0;  // ms
  double rows_per_txn = kNaN;        // from vikd's /metrics (vikd phases only)
  double commit_ms = kNaN;           // mean group-commit transaction time
  double txn_per_s = kNaN;
  double audit_per_call = kNaN;  // audit_log rows added per call
  double wal_per_signal = kNaN;  // WAL bytes per accepted signal
  int checkpoints = 0;           // checkpoints completed during the phase
  CpuUse cpu;
};

class Bench {
 public:
  Bench(Options options, std::string token)
      : o_(std::move(options)),
        http_(ParseHttpTarget(o_.http)),
        grpc_(o_.grpc, token, o_.channels),
        token_(std::move(token)),
        prefix_("bench-" + std::to_string(std::time(nullptr)) + "-" + std::to_string(getpid())),
        factory_(o_.source, prefix_),
        pg_(o_.dsn, o_.partner) {}

  int Run();

 private:
  // Runs `load`; `vikd` phases also record rows per transaction and audit rows from vikd's metrics.
  Phase Measure(const std::string& key, const std::string& name, bool vikd, const std::function<Recorder()>& load);
  void Print(const std::vector<Phase>& phases, double copy_rate) const;
  nlohmann::json Targets(const std::vector<Phase>& phases, double copy_rate, bool print) const;
  const Phase& Find(const std::vector<Phase>& phases, const std::string& key) const;
  std::uint64_t AuditRows();

  const Options o_;
  const HttpTarget http_;
  GrpcLoad grpc_;
  const std::string token_;
  const std::string prefix_;
  SignalFactory factory_;
  Postgres pg_;
  std::uint64_t stored_ = 0;  // rows this run has written (acknowledged or loaded)
};

std::uint64_t Bench::AuditRows() {
  const std::string v = pg_.QueryValue("SELECT coalesce(max(id), 0) FROM audit_log");
  return v.empty() ? 0 : std::stoull(v);
}

Phase Bench::Measure(const std::string& key, const std::string& name, bool vikd,
                     const std::function<Recorder()>& load) {
  std::fprintf(stderr, "==> %s\n", name.c_str());
  Phase p;
  p.key = key;
  p.name = name;
  std::map<std::string, double> m0;
  std::uint64_t audit0 = 0;
  if (vikd) {
    m0 = ScrapeMetrics(http_);
    audit0 = AuditRows();
  }
  const std::string checkpoints_sql = "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter";
  const int checkpoints0 = std::stoi(pg_.QueryValue(checkpoints_sql));
  const std::string lsn0 = pg_.QueryValue("SELECT pg_current_wal_lsn()");
  const CpuSample c0 = SampleCpu(o_.vikd_pid, o_.pg_pid);
  p.rec = load();
  const CpuSample c1 = SampleCpu(o_.vikd_pid, o_.pg_pid);
  const double wal = std::stod(pg_.QueryValue("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '" + lsn0 + "')"));
  if (p.rec.accepted > 0) {
    p.wal_per_signal = wal / static_cast<double>(p.rec.accepted);
  }
  p.seconds = Seconds(c1.at - c0.at).count();
  p.cpu = CoresUsed(c0, c1);
  p.rate = static_cast<double>(p.rec.accepted) / p.seconds;
  auto latencies = p.rec.latency_ns;
  p.p50 = PercentileMs(latencies, 50);
  p.p99 = PercentileMs(latencies, 99);
  p.max = PercentileMs(latencies, 100);
  if (vikd) {
    const auto m1 = ScrapeMetrics(http_);
    auto delta = [&](const std::string& name_) { return m1.at(name_) - m0.at(name_); };
    const double txns = delta("vik_ingest_batch_signals_count");
    if (txns > 0) {
      p.rows_per_txn = delta("vik_ingest_batch_signals_sum") / txns;
      p.txn_per_s = txns / p.seconds;
    }
    if (delta("vik_ingest_commit_seconds_count") > 0) {
      p.commit_ms = 1000 * delta("vik_ingest_commit_seconds_sum") / delta("vik_ingest_commit_seconds_count");
    }
    if (p.rec.calls > 0) {
      p.audit_per_call = static_cast<double>(AuditRows() - audit0) / static_cast<double>(p.rec.calls);
    }
  }
  p.checkpoints = std::stoi(pg_.QueryValue(checkpoints_sql)) - checkpoints0;
  std::fprintf(stderr, "    %.0f signals/s, p50 %.2f ms, p99 %.2f ms, %llu accepted, %llu not accepted\n", p.rate,
               p.p50, p.p99, static_cast<unsigned long long>(p.rec.accepted),
               static_cast<unsigned long long>(p.rec.not_accepted));
  for (const auto& [what, n] : p.rec.errors) {
    std::fprintf(stderr, "    %llu x %s\n", static_cast<unsigned long long>(n), what.c_str());
  }
  return p;
}

const Phase& Bench::Find(const std::vector<Phase>& phases, const std::string& key) const {
  for (const auto& p : phases) {
    if (p.key == key) {
      return p;
    }
  }
  throw std::logic_error("no phase " + key);
}

std::string Fixed(double v, int decimals) {
  if (std::isnan(v)) {
    return "-";
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

void Bench::Print(const std::vector<Phase>& phases, double copy_rate) const {
  std::printf("\n%-44s %9s %7s %7s %7s %7s %8s %6s %7s\n", "phase", "signals/s", "vs COPY", "p50 ms", "p99 ms",
              "max ms", "rows/txn", "txn/s", "txn ms");
  for (const auto& p : phases) {
    std::printf("%-44s %9s %7s %7s %7s %7s %8s %6s %7s\n", p.name.c_str(),
                p.throughput ? Fixed(p.rate, 0).c_str() : "-",
                p.throughput ? (Fixed(100 * p.rate / copy_rate, 1) + "%").c_str() : "-", Fixed(p.p50, 2).c_str(),
                Fixed(p.p99, 2).c_str(), Fixed(p.max, 2).c_str(), Fixed(p.rows_per_txn, 1).c_str(),
                Fixed(p.txn_per_s, 0).c_str(), Fixed(p.commit_ms, 2).c_str());
  }
  std::printf("COPY reference (mean of the two COPY phases): %.0f rows/s\n", copy_rate);
  std::printf("\n%-44s %6s %6s %6s %6s %6s %9s %10s %5s\n", "where the time went (cores)", "vikd", "pg", "bench",
              "other", "idle", "WAL B/sig", "audit/call", "ckpts");
  for (const auto& p : phases) {
    std::printf("%-44s %6.2f %6.2f %6.2f %6.2f %6.2f %9s %10s %5d\n", p.name.c_str(), p.cpu.vikd, p.cpu.postgres,
                p.cpu.bench, p.cpu.other, p.cpu.idle, Fixed(p.wal_per_signal, 0).c_str(),
                Fixed(p.audit_per_call, 2).c_str(), p.checkpoints);
  }
  for (const auto& p : phases) {
    if (p.cpu.other > kDisturbedCores) {
      std::printf("WARNING: other processes used %.2f cores during \"%s\": its figures are disturbed\n", p.cpu.other,
                  p.name.c_str());
    }
  }
}

nlohmann::json Bench::Targets(const std::vector<Phase>& phases, double copy_rate, bool print) const {
  nlohmann::json out = nlohmann::json::array();
  auto check = [&](const std::string& what, double value, const std::string& unit, double target, double goal,
                   bool at_most) {
    const bool met = at_most ? value <= target : value >= target;
    const bool goal_met = std::isnan(goal) ? met : (at_most ? value <= goal : value >= goal);
    if (print) {
      std::printf("%-62s %9s %-3s target %s%s%s -> %s\n", what.c_str(), Fixed(value, 2).c_str(), unit.c_str(),
                  at_most ? "<= " : ">= ", Fixed(target, 2).c_str(),
                  std::isnan(goal) ? "" : (" (goal " + Fixed(goal, 2) + ")").c_str(),
                  met ? (goal_met ? "MET (goal met)" : (std::isnan(goal) ? "MET" : "MET (goal not met)")) : "NOT MET");
    }
    out.push_back({{"what", what},
                   {"value", value},
                   {"unit", unit},
                   {"target", target},
                   {"goal", std::isnan(goal) ? nlohmann::json(nullptr) : nlohmann::json(goal)},
                   {"met", met},
                   {"goal_met", goal_met}});
  };
  auto pct = [&](const std::string& key) { return 100 * Find(phases, key).rate / copy_rate; };
  if (print) {
    std::printf("\nTargets\n");
  }
  check("unary Submit, 1 signal, 64 callers: % of COPY", pct("unary_64"), "%", 20, 30, false);
  check("SubmitStream, 1 stream: % of COPY", pct("stream_1"), "%", 30, 40, false);
  check("SubmitStream, " + std::to_string(o_.streams) + " streams: % of COPY", pct("stream_n"), "%", 30, 40, false);
  check("HTTP POST, batches of " + std::to_string(o_.batch) + ": % of COPY", pct("http_batch"), "%", 10, 15, false);
  check("rows per transaction, unary Submit at 64 callers", Find(phases, "unary_64").rows_per_txn, "", 50, kNaN, false);
  const double bound = 2 * (Find(phases, "insert_commit").p50 + Find(phases, "health").p50);
  check("median ack, 1 caller (ms; bound: 2 x (commit + no-op call))", Find(phases, "unary_1").p50, "ms", bound, kNaN,
        true);
  check("p99 ack at a steady " + Fixed(o_.steady_rate, 0) + " signals/s", Find(phases, "steady").p99, "ms", 5, kNaN,
        true);
  return out;
}

int Bench::Run() {
  if (!grpc_.WaitServing(std::chrono::seconds(30))) {
    std::fprintf(stderr, "vik_ingest_bench: vikd at %s is not SERVING\n", o_.grpc.c_str());
    return 1;
  }
  const Clock::duration phase = Duration(o_.seconds);
  std::vector<Phase> phases;
  // `writes`: the phase's accepted signals are rows in `signals`.
  auto add = [&](Phase p, bool writes = true) {
    if (writes) {
      stored_ += p.rec.accepted;
    }
    phases.push_back(std::move(p));
  };

  // Connections, caches and the first pages of every index warm up; not reported.
  stored_ += Measure("warmup", "warm-up: unary Submit x16, 2 s", true, [&] {
               return grpc_.Unary(factory_, 16, 1, std::chrono::seconds(2));
             }).rec.accepted;

  Phase copy_start =
      Measure("copy_start", "COPY " + std::to_string(o_.copy_batch) + " rows/txn, 1 conn (start)", false,
              [&] { return pg_.Copy(factory_, static_cast<std::size_t>(o_.copy_batch), Duration(o_.copy_seconds)); });
  add(copy_start);
  Phase commit = Measure("insert_commit", "single-row INSERT+COMMIT, 1 conn", false,
                         [&] { return pg_.SingleRowCommits(factory_, o_.commits); });
  commit.throughput = false;
  add(commit);
  Phase health = Measure("health", "no-op gRPC call (Health/Check), 1 caller", false,
                         [&] { return grpc_.HealthChecks(o_.health_checks); });
  health.throughput = false;
  add(health, false);

  for (int callers : {1, 16, 64}) {
    add(Measure("unary_" + std::to_string(callers), "unary Submit, 1 signal, " + std::to_string(callers) + " callers",
                true, [&] { return grpc_.Unary(factory_, callers, 1, phase); }));
  }
  add(Measure("unary_batch",
              "Submit, batches of " + std::to_string(o_.batch) + ", " + std::to_string(o_.batch_callers) + " callers",
              true, [&] { return grpc_.Unary(factory_, o_.batch_callers, o_.batch, phase); }));
  add(Measure("stream_1", "SubmitStream, 1 stream, window " + std::to_string(o_.stream_window), true,
              [&] { return grpc_.Stream(factory_, 1, o_.stream_window, phase); }));
  add(Measure("stream_n",
              "SubmitStream, " + std::to_string(o_.streams) + " streams, window " + std::to_string(o_.stream_window),
              true, [&] { return grpc_.Stream(factory_, o_.streams, o_.stream_window, phase); }));
  add(Measure(
      "http_batch",
      "HTTP POST, batches of " + std::to_string(o_.batch) + ", " + std::to_string(o_.http_connections) + " conns", true,
      [&] { return HttpLoad(http_, token_, factory_, o_.http_connections, o_.batch, phase); }));
  add(Measure("steady", "unary Submit paced at " + Fixed(o_.steady_rate, 0) + "/s (open loop)", true,
              [&] { return grpc_.Paced(factory_, o_.steady_rate, Duration(o_.steady_seconds)); }));

  Phase copy_end = Measure("copy_end", "COPY " + std::to_string(o_.copy_batch) + " rows/txn, 1 conn (end)", false, [&] {
    return pg_.Copy(factory_, static_cast<std::size_t>(o_.copy_batch), Duration(o_.copy_seconds));
  });
  add(copy_end);
  const double copy_rate = (copy_start.rate + copy_end.rate) / 2;

  // Every acknowledged or loaded row must be in the table.
  const std::uint64_t in_table =
      std::stoull(pg_.QueryValue("SELECT count(*) FROM signals WHERE external_id LIKE '" + prefix_ + "-%'"));

  std::printf("vik ingest benchmark, run %s\n", prefix_.c_str());
  std::printf("PostgreSQL: %s; fsync=%s synchronous_commit=%s wal_sync_method=%s shared_buffers=%s\n",
              pg_.QueryValue("SHOW server_version").c_str(), pg_.QueryValue("SHOW fsync").c_str(),
              pg_.QueryValue("SHOW synchronous_commit").c_str(), pg_.QueryValue("SHOW wal_sync_method").c_str(),
              pg_.QueryValue("SHOW shared_buffers").c_str());
  std::printf("load generator: %d gRPC connections; %u CPUs online\n", o_.channels,
              std::thread::hardware_concurrency());
  Print(phases, copy_rate);
  const auto metrics = ScrapeMetrics(http_);
  const double overall_rows_per_txn =
      metrics.at("vik_ingest_batch_signals_sum") / std::max(1.0, metrics.at("vik_ingest_batch_signals_count"));
  std::printf("vikd since start: %.1f rows per transaction (vik_ingest_batch_signals_sum / _count)\n",
              overall_rows_per_txn);
  std::printf("rows of this run in signals: %llu; acknowledged or loaded: %llu -> %s\n",
              static_cast<unsigned long long>(in_table), static_cast<unsigned long long>(stored_),
              in_table == stored_ ? "consistent" : "MISMATCH");
  const nlohmann::json targets = Targets(phases, copy_rate, true);

  if (!o_.json_out.empty()) {
    nlohmann::json j;
    j["run"] = prefix_;
    j["copy_rate"] = copy_rate;
    j["vikd_rows_per_txn_since_start"] = overall_rows_per_txn;
    j["rows_in_table"] = in_table;
    j["rows_stored"] = stored_;
    j["targets"] = targets;
    for (const auto& p : phases) {
      auto num = [](double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); };
      nlohmann::json errors = nlohmann::json::object();
      for (const auto& [what, n] : p.rec.errors) {
        errors[what] = n;
      }
      j["phases"].push_back({{"key", p.key},
                             {"name", p.name},
                             {"seconds", p.seconds},
                             {"calls", p.rec.calls},
                             {"accepted", p.rec.accepted},
                             {"not_accepted", p.rec.not_accepted},
                             {"rate", p.throughput ? num(p.rate) : nullptr},
                             {"ratio_to_copy", p.throughput ? num(p.rate / copy_rate) : nullptr},
                             {"p50_ms", p.p50},
                             {"p99_ms", p.p99},
                             {"max_ms", p.max},
                             {"rows_per_txn", num(p.rows_per_txn)},
                             {"txn_per_s", num(p.txn_per_s)},
                             {"commit_ms", num(p.commit_ms)},
                             {"audit_rows_per_call", num(p.audit_per_call)},
                             {"wal_bytes_per_signal", num(p.wal_per_signal)},
                             {"checkpoints", p.checkpoints},
                             {"cores",
                              {{"vikd", p.cpu.vikd},
                               {"postgres", p.cpu.postgres},
                               {"bench", p.cpu.bench},
                               {"other", p.cpu.other},
                               {"idle", p.cpu.idle}}},
                             {"errors", errors}});
    }
    std::ofstream(o_.json_out) << j.dump(2) << "\n";
  }
  return in_table == stored_ ? 0 : 1;
}

}  // namespace
}  // namespace vik::bench

int main(int argc, char** argv) {
  auto options = vik::bench::ParseOptions(argc, argv);
  if (!options) {
    return 2;
  }
  try {
    vik::bench::Bench bench(*options, vik::bench::ReadToken(options->token_file));
    return bench.Run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vik_ingest_bench: %s\n", e.what());
    return 1;
  }
}
