// vik_picture_loader: loads a synthetic year of signal history (bench/history.h) straight into the
// `signals` table of a migrated vik database with COPY, for the risk-picture benchmark
// (docs/performance.md, "Risk picture"; tests/bench/picture_run.sh). The sources must be registered
// already (`vikd source add`); the rows use every source in `sources`, the leaf themes of `themes` and
// the current municipalities of the region.
//
// The load runs with session_replication_role = replica, so no trigger fires: neither the change-log
// triggers of migration 0010 (history is not a change the picture keeper has to replay; a new leader
// warms up from `signals` itself) nor the foreign-key checks. Because the triggers did not fire, the
// loader then sets `source_health` (each source's newest received_at) itself, as the keeper would
// have. Finally VACUUM ANALYZE and CHECKPOINT, so that the measurements that follow start from a
// table as a long-running database would have it (statistics, visibility map) and no pending
// checkpoint.
//
// Usage: vik_picture_loader --db DSN --count N [--current N] [--batch N] [--seed N] [--prefix P]
//                           [--region VRnn] [--json FILE]
// Exit codes: 0 loaded, 1 failed, 2 usage.

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/flags.h"
#include "bench/history.h"

namespace vik::bench {
namespace {

using Seconds = std::chrono::duration<double>;
using SteadyClock = std::chrono::steady_clock;

struct Options {
  std::string dsn;
  std::uint64_t count = 0;
  std::uint64_t current = 3000;
  std::uint64_t batch = 50000;  // rows per COPY transaction
  std::uint64_t seed = 1;
  std::string prefix = "hist";
  std::string region = "VR21";
  std::string json_out;
};

constexpr const char* kHelp =
    "Usage: vik_picture_loader --db DSN --count N [options]\n"
    "  --count N      signals to load (history over the year before now, plus --current)\n"
    "  --current N    of which received in the last 5 hours, in effect or upcoming (default 3000)\n"
    "  --batch N      rows per COPY transaction (default 50000)\n"
    "  --seed N       the same seed, count and prefix give the same rows (default 1)\n"
    "  --prefix P     external ids are P-<n> (default hist); must not be in the table yet\n"
    "  --region VRnn  municipalities of this region (default VR21)\n"
    "  --json FILE    also write the results as JSON\n";

std::optional<Options> ParseOptions(int argc, char** argv) {
  Options o;
  bench::Flags flags = {
      {"--db", [&](const std::string& v) { o.dsn = v; }},
      {"--count", [&](const std::string& v) { o.count = std::stoull(v); }},
      {"--current", [&](const std::string& v) { o.current = std::stoull(v); }},
      {"--batch", [&](const std::string& v) { o.batch = std::stoull(v); }},
      {"--seed", [&](const std::string& v) { o.seed = std::stoull(v); }},
      {"--prefix", [&](const std::string& v) { o.prefix = v; }},
      {"--region", [&](const std::string& v) { o.region = v; }},
      {"--json", [&](const std::string& v) { o.json_out = v; }},
  };
  if (!bench::ParseFlags(argc, argv, 1, flags, "vik_picture_loader", kHelp)) {
    return std::nullopt;
  }
  if (o.dsn.empty() || o.count == 0 || o.batch == 0) {
    std::fprintf(stderr, "vik_picture_loader: --db and --count (> 0) are required\n%s", kHelp);
    return std::nullopt;
  }
  if (o.region.size() != 4 || o.region.rfind("VR", 0) != 0 || !std::isdigit(static_cast<unsigned char>(o.region[2])) ||
      !std::isdigit(static_cast<unsigned char>(o.region[3]))) {
    std::fprintf(stderr, "vik_picture_loader: --region: expected VRnn, got \"%s\"\n", o.region.c_str());
    return std::nullopt;
  }
  o.current = std::min(o.current, o.count);
  return o;
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// One libpq connection; every failure throws with the statement and PostgreSQL's message.
class Db {
 public:
  explicit Db(const std::string& dsn) : conn_(PQconnectdb(dsn.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      const std::string error = PQerrorMessage(conn_);
      PQfinish(conn_);
      throw std::runtime_error("could not connect to the database: " + error);
    }
  }
  ~Db() { PQfinish(conn_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs `sql` (no parameters); returns its rows as text (null as "").
  std::vector<std::vector<std::string>> Query(const std::string& sql) {
    Result r(PQexec(conn_, sql.c_str()));
    const auto status = PQresultStatus(r.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      throw std::runtime_error("\"" + sql.substr(0, 120) + "\" failed: " + PQerrorMessage(conn_));
    }
    std::vector<std::vector<std::string>> rows;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      std::vector<std::string> row;
      for (int j = 0; j < PQnfields(r.get()); ++j) {
        row.emplace_back(PQgetvalue(r.get(), i, j));
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  void Exec(const std::string& sql) { Query(sql); }

  std::string Value(const std::string& sql) {
    const auto rows = Query(sql);
    return rows.empty() || rows[0].empty() ? "" : rows[0][0];
  }

  // COPY `table_and_columns` FROM STDIN with the text produced by `fill`, which is called until it
  // returns false; each call appends some lines to its argument.
  void Copy(const std::string& table_and_columns, const std::function<bool(std::string&)>& fill) {
    const std::string sql = "COPY " + table_and_columns + " FROM STDIN";
    Result start(PQexec(conn_, sql.c_str()));
    if (PQresultStatus(start.get()) != PGRES_COPY_IN) {
      throw std::runtime_error("\"COPY signals\" failed to start: " + std::string(PQerrorMessage(conn_)));
    }
    std::string chunk;
    bool more = true;
    while (more) {
      chunk.clear();
      more = fill(chunk);
      if (!chunk.empty() && PQputCopyData(conn_, chunk.data(), static_cast<int>(chunk.size())) != 1) {
        throw std::runtime_error("sending COPY data failed: " + std::string(PQerrorMessage(conn_)));
      }
    }
    if (PQputCopyEnd(conn_, nullptr) != 1) {
      throw std::runtime_error("ending COPY failed: " + std::string(PQerrorMessage(conn_)));
    }
    for (Result r(PQgetResult(conn_)); r != nullptr; r.reset(PQgetResult(conn_))) {
      if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
        throw std::runtime_error("COPY into signals failed: " + std::string(PQerrorMessage(conn_)));
      }
    }
  }

 private:
  PGconn* conn_;
};

std::string Quote(const std::string& s) { return "'" + s + "'"; }  // REQUIRES: no quote in s (VRnn)

HistoryReference ReadReference(Db& db, const std::string& region) {
  HistoryReference ref;
  for (const auto& row : db.Query("SELECT id, partner FROM sources ORDER BY id")) {
    ref.sources.push_back({row[0], row[1]});
  }
  // Leaf themes (no sub-themes), with the CAP category as stored in `categories`.
  for (const auto& row : db.Query("SELECT code, label, lower(coalesce(cap_category, 'Other')) FROM themes t "
                                  "WHERE NOT EXISTS (SELECT 1 FROM themes c WHERE c.parent = t.code) ORDER BY code")) {
    ref.themes.push_back({row[0], row[1], row[2]});
  }
  for (const auto& row : db.Query("SELECT gm_code FROM municipalities WHERE region_code = " + Quote(region) +
                                  " AND valid_to IS NULL ORDER BY gm_code")) {
    ref.municipalities.push_back(row[0]);
  }
  if (ref.sources.empty()) {
    throw std::runtime_error("no sources registered (vikd source add ...)");
  }
  if (ref.themes.empty() || ref.municipalities.empty()) {
    throw std::runtime_error("no themes or no current municipalities of " + region + " (is the database migrated?)");
  }
  return ref;
}

// Signals of the actual picture that are in effect now by the window rule of docs/risk-model.md §3
// (start = onset, else sent; end = expires, else start + the kind's default validity; age decay
// ignored), and those that start later. For the report only; the engine's own count is in /v1/status.
constexpr const char* kInEffectSql =
    "WITH w AS (SELECT coalesce(onset_at, sent_at) AS s, coalesce(expires_at, coalesce(onset_at, sent_at) + "
    "CASE kind WHEN 'observation' THEN interval '3 hours' WHEN 'incident' THEN interval '6 hours' "
    "ELSE interval '24 hours' END) AS e FROM signals WHERE status = 'actual' AND state = 'active' "
    "AND msg_type <> 'cancel' AND coalesce(expires_at, now()) > now() - interval '7 days') "
    "SELECT count(*) FILTER (WHERE s <= now() AND e > now()), count(*) FILTER (WHERE s > now()) FROM w";

int Run(const Options& o) {
  Db db(o.dsn);
  HistorySpec spec;
  spec.total = o.count;
  spec.current = o.current;
  spec.now = std::chrono::system_clock::now();
  spec.seed = o.seed;
  spec.prefix = o.prefix;
  const HistoryReference ref = ReadReference(db, o.region);
  std::fprintf(stderr, "==> loading %llu signals (%llu recent) over %zu sources, %zu themes, %zu municipalities\n",
               static_cast<unsigned long long>(o.count), static_cast<unsigned long long>(o.current), ref.sources.size(),
               ref.themes.size(), ref.municipalities.size());
  const HistoryGenerator generator(ref, spec);
  const std::uint64_t rows_before = std::stoull(db.Value("SELECT count(*) FROM signals"));

  // History is not a change to replay: no triggers (change log, foreign keys) in this session.
  db.Exec("SET session_replication_role = replica");
  db.Exec("SET synchronous_commit = off");
  const std::string target = std::string("signals (") + kHistoryColumns + ")";
  constexpr std::size_t kChunkBytes = 1 << 20;
  double bytes = 0;
  const auto t0 = SteadyClock::now();
  auto last_report = t0;
  for (std::uint64_t begin = 0; begin < o.count; begin += o.batch) {
    const std::uint64_t end = std::min(o.count, begin + o.batch);
    std::uint64_t n = begin;
    db.Exec("BEGIN");
    db.Copy(target, [&](std::string& chunk) {
      while (n < end && chunk.size() < kChunkBytes) {
        generator.AppendCopyLine(n++, chunk);
      }
      bytes += static_cast<double>(chunk.size());
      return n < end;
    });
    db.Exec("COMMIT");
    const auto now = SteadyClock::now();
    if (now - last_report > std::chrono::seconds(30) || end == o.count) {
      const double s = Seconds(now - t0).count();
      std::fprintf(stderr, "    %llu rows in %.0f s: %.0f rows/s\n", static_cast<unsigned long long>(end), s,
                   static_cast<double>(end) / s);
      last_report = now;
    }
  }
  const double load_s = Seconds(SteadyClock::now() - t0).count();
  db.Exec("RESET session_replication_role");

  // What the change-log triggers would have led the keeper to record.
  const auto t1 = SteadyClock::now();
  db.Exec(
      "INSERT INTO source_health (source, last_signal_at) SELECT source, max(received_at) FROM signals "
      "GROUP BY source ON CONFLICT (source) DO UPDATE SET last_signal_at = "
      "greatest(source_health.last_signal_at, excluded.last_signal_at)");
  const double health_s = Seconds(SteadyClock::now() - t1).count();
  std::fprintf(stderr, "==> VACUUM ANALYZE signals, CHECKPOINT\n");
  const auto t2 = SteadyClock::now();
  db.Exec("VACUUM (ANALYZE) signals");
  db.Exec("CHECKPOINT");
  const double vacuum_s = Seconds(SteadyClock::now() - t2).count();

  const std::uint64_t rows = std::stoull(db.Value("SELECT count(*) FROM signals"));
  const double table_bytes = std::stod(db.Value("SELECT pg_total_relation_size('signals')"));
  const auto effect = db.Query(kInEffectSql);
  const double rate = static_cast<double>(o.count) / load_s;
  std::printf("loaded %llu signals in %.1f s: %.0f rows/s, %.1f MB/s of COPY text (%.0f bytes/row)\n",
              static_cast<unsigned long long>(o.count), load_s, rate, bytes / load_s / 1e6,
              bytes / static_cast<double>(o.count));
  std::printf("source_health %.1f s; VACUUM ANALYZE + CHECKPOINT %.1f s\n", health_s, vacuum_s);
  std::printf(
      "signals: %llu rows (%llu before), %.2f GB with indexes and TOAST; actual and in effect now: %s, "
      "upcoming: %s\n",
      static_cast<unsigned long long>(rows), static_cast<unsigned long long>(rows_before), table_bytes / 1e9,
      effect[0][0].c_str(), effect[0][1].c_str());
  if (rows != rows_before + o.count) {
    std::fprintf(stderr, "vik_picture_loader: expected %llu rows in signals, found %llu\n",
                 static_cast<unsigned long long>(rows_before + o.count), static_cast<unsigned long long>(rows));
    return 1;
  }
  if (!o.json_out.empty()) {
    nlohmann::json j = {{"kind", "load"},
                        {"size", o.count},
                        {"recent", o.current},
                        {"seconds", load_s},
                        {"rows_per_s", rate},
                        {"copy_bytes", bytes},
                        {"source_health_s", health_s},
                        {"vacuum_checkpoint_s", vacuum_s},
                        {"rows", rows},
                        {"table_bytes", table_bytes},
                        {"in_effect_sql", std::stoll(effect[0][0])},
                        {"upcoming_sql", std::stoll(effect[0][1])},
                        {"sources", ref.sources.size()}};
    std::ofstream(o.json_out) << j.dump(2) << "\n";
  }
  return 0;
}

}  // namespace
}  // namespace vik::bench

int main(int argc, char** argv) {
  auto options = vik::bench::ParseOptions(argc, argv);
  if (!options) {
    return 2;
  }
  try {
    return vik::bench::Run(*options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vik_picture_loader: %s\n", e.what());
    return 1;
  }
}
