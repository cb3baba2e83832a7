#include "bench/picture_report.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "bench/report_table.h"

namespace vik::bench {
namespace {

using Json = nlohmann::json;

constexpr double kMB = 1.0 / (1024 * 1024);

using SizeFiles = ReportFiles;
using Row = ReportRow;

std::string Ratio(const SizeFiles& f) {
  auto on = f.find("ingest-on");
  auto off = f.find("ingest-off");
  if (on == f.end() || off == f.end()) {
    return "-";
  }
  const Json a = JsonAt(on->second, "rate");
  const Json b = JsonAt(off->second, "rate");
  if (!a.is_number() || !b.is_number() || b.get<double>() <= 0) {
    return "-";
  }
  const double r = 100 * a.get<double>() / b.get<double>();
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f%% %s", r, r >= 80 ? "MET" : "NOT MET");
  return buf;
}

// The largest "other" cores of any measured phase: above 0.1 the figures are disturbed.
std::string MostOther(const SizeFiles& f) {
  double most = -1;
  auto consider = [&](const Json& v) {
    if (v.is_number()) {
      most = std::max(most, v.get<double>());
    }
  };
  for (const auto& [kind, j] : f) {
    consider(JsonAt(j, "cores.other"));
    if (j.contains("latency") && j["latency"].is_object()) {
      for (const auto& [clients, phase] : j["latency"].items()) {
        consider(JsonAt(phase, "cores.other"));
      }
    }
  }
  if (most < 0) {
    return "-";
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f%s", most, most > 0.1 ? " (disturbed)" : "");
  return buf;
}

}  // namespace

int PrintPictureReport(const std::vector<std::string>& files) {
  ReportColumns sizes;
  const int status = ReadReportFiles(
      files, "vik_picture_bench", "size",
      [](const Json& j) {
        std::string kind = j.value("kind", "");
        if (kind == "ingest") {
          kind.append("-").append(j.value("engine", ""));
        }
        return kind;
      },
      sizes);
  const std::vector<Row> rows = {
      ReportHeading("load (vik_picture_loader, COPY, triggers off)"),
      ReportField("  rows/s", "load", "rows_per_s", 0),
      ReportField("  seconds", "load", "seconds", 1),
      ReportField("  VACUUM ANALYZE + CHECKPOINT, s", "load", "vacuum_checkpoint_s", 1),
      ReportField("  signals table with indexes, GB", "load", "table_bytes", 2, 1e-9),
      ReportField("  actual, in effect now (SQL)", "load", "in_effect_sql", 0),
      ReportField("  actual, upcoming (SQL)", "load", "upcoming_sql", 0),
      ReportHeading("warm-up (vikd start -> picture)"),
      ReportField("  computedAt - start, s", "status", "warmup.computed_s", 2),
      ReportField("  first GET showing it - start, s", "status", "warmup.observed_s", 2),
      ReportField("  risks in picture", "status", "picture.risks_in_picture", 0),
      ReportField("  signals in effect (engine)", "status", "picture.signals_in_effect", 0),
      ReportField("  active incidents", "status", "picture.active_incidents", 0),
      ReportField("  active warnings", "status", "picture.active_warnings", 0),
      ReportField("  risks listed (limit 50)", "status", "picture.risks_listed", 0),
      ReportField("  response body bytes", "status", "picture.body_bytes", 0),
      ReportHeading("vikd memory, MiB"),
      ReportField("  VmRSS after warm-up", "status", "memory.warm.rss_bytes", 1, kMB),
      ReportField("  VmHWM after warm-up", "status", "memory.warm.hwm_bytes", 1, kMB),
      ReportField("  VmRSS after the latency runs", "status", "memory.after.rss_bytes", 1, kMB),
      ReportField("  VmHWM after the latency runs", "status", "memory.after.hwm_bytes", 1, kMB),
  };
  std::vector<Row> all = rows;
  for (const char* clients : {"1", "4"}) {
    const std::string base = std::string("latency.") + clients + ".";
    all.push_back(ReportHeading(std::string("GET /v1/status, ") + clients + " keep-alive client(s)"));
    all.push_back(ReportField("  requests/s", "status", base + "rate", 0));
    all.push_back(ReportField("  p50 ms", "status", base + "p50_ms", 2));
    all.push_back(ReportField("  p99 ms", "status", base + "p99_ms", 2));
    all.push_back(ReportField("  max ms", "status", base + "max_ms", 2));
    all.push_back(ReportField("  errors", "status", base + "not_accepted", 0));
    all.push_back(ReportFields("  cores vikd / pg / other", "status",
                               {base + "cores.vikd", base + "cores.postgres", base + "cores.other"}, 2));
  }
  for (const char* engine : {"on", "off"}) {
    const std::string file = std::string("ingest-") + engine;
    all.push_back(ReportHeading(std::string("ingest, POST /v1/signals, engine ") + engine));
    all.push_back(ReportField("  signals/s", file, "rate", 0));
    all.push_back(ReportField("  p50 ms", file, "p50_ms", 2));
    all.push_back(ReportField("  p99 ms", file, "p99_ms", 2));
    all.push_back(ReportField("  not accepted", file, "not_accepted", 0));
    if (std::string(engine) == "on") {
      all.push_back(ReportField("  keeper backlog at the end, change rows", file, "keeper.backlog_rows", 0));
      all.push_back(ReportField("  keeper caught up after, s", file, "keeper.catch_up_s", 1));
      all.push_back(ReportField("  keeper backlog left after 120 s", file, "keeper.left_rows", 0));
      all.push_back(ReportField("  keeper read during the load, changes/s", file, "keeper.read_during_load_per_s", 0));
      all.push_back(ReportField("  keeper read after the load, changes/s", file, "keeper.read_after_load_per_s", 0));
    }
    all.push_back(ReportFields("  vikd VmRSS / VmHWM after, MiB", file,
                               {"memory_after.rss_bytes", "memory_after.hwm_bytes"}, 1, kMB));
    all.push_back(ReportFields("  cores vikd / pg / other", file, {"cores.vikd", "cores.postgres", "cores.other"}, 2));
  }
  all.push_back({"ingest on / off (goal >= 80%)", Ratio});
  all.push_back({"most cores of other processes in a phase", MostOther});

  PrintReportTable("risk-picture benchmark", "signals stored", sizes, all);
  return status;
}

}  // namespace vik::bench
