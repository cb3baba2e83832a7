#include "bench/picture_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

namespace vik::bench {
namespace {

using Json = nlohmann::json;

// The files of one size: "load", "status", "ingest-on", "ingest-off".
using SizeFiles = std::map<std::string, Json>;

constexpr double kMB = 1.0 / (1024 * 1024);

// "AMD EPYC" from /proc/cpuinfo; "" when unknown.
std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      return colon == std::string::npos ? "" : line.substr(colon + 2);
    }
  }
  return "";
}

// `j` at the path of keys ("a.b.c"); null when any part is missing.
Json At(const Json& j, const std::string& path) {
  const Json* cur = &j;
  std::size_t from = 0;
  while (from <= path.size()) {
    const auto dot = path.find('.', from);
    const std::string key = path.substr(from, dot == std::string::npos ? std::string::npos : dot - from);
    if (!cur->is_object() || !cur->contains(key)) {
      return nullptr;
    }
    cur = &(*cur)[key];
    if (dot == std::string::npos) {
      break;
    }
    from = dot + 1;
  }
  return *cur;
}

std::string Number(const Json& v, int decimals, double scale = 1) {
  if (!v.is_number()) {
    return "-";
  }
  const double x = v.get<double>() * scale;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  if (decimals > 0 || std::fabs(x) < 10000) {
    return buf;
  }
  // Thousands separators for large whole numbers.
  const std::string digits = buf;
  std::string out;
  const std::size_t first = digits[0] == '-' ? 1 : 0;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > first && (digits.size() - i) % 3 == 0) {
      out.push_back(',');
    }
    out.push_back(digits[i]);
  }
  return out;
}

struct Row {
  std::string label;
  std::function<std::string(const SizeFiles&)> cell;
};

Row Field(std::string label, std::string file, std::string path, int decimals, double scale = 1) {
  return {std::move(label), [=](const SizeFiles& f) {
            auto it = f.find(file);
            return it == f.end() ? std::string("-") : Number(At(it->second, path), decimals, scale);
          }};
}

Row Heading(std::string label) {
  return {std::move(label), [](const SizeFiles&) { return std::string(); }};
}

std::string Ratio(const SizeFiles& f) {
  auto on = f.find("ingest-on");
  auto off = f.find("ingest-off");
  if (on == f.end() || off == f.end()) {
    return "-";
  }
  const Json a = At(on->second, "rate");
  const Json b = At(off->second, "rate");
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
    consider(At(j, "cores.other"));
    if (j.contains("latency") && j["latency"].is_object()) {
      for (const auto& [clients, phase] : j["latency"].items()) {
        consider(At(phase, "cores.other"));
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
  std::map<long long, SizeFiles> sizes;
  int status = 0;
  for (const auto& path : files) {
    std::ifstream in(path);
    Json j;
    try {
      if (!in) {
        throw std::runtime_error("cannot open");
      }
      in >> j;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "vik_picture_bench report: %s: %s\n", path.c_str(), e.what());
      status = 1;
      continue;
    }
    std::string kind = j.value("kind", "");
    if (kind == "ingest") {
      kind.append("-").append(j.value("engine", ""));
    }
    sizes[j.value("size", 0LL)][kind] = j;
  }
  const std::vector<Row> rows = {
      Heading("load (vik_picture_loader, COPY, triggers off)"),
      Field("  rows/s", "load", "rows_per_s", 0),
      Field("  seconds", "load", "seconds", 1),
      Field("  VACUUM ANALYZE + CHECKPOINT, s", "load", "vacuum_checkpoint_s", 1),
      Field("  signals table with indexes, GB", "load", "table_bytes", 2, 1e-9),
      Field("  actual, in effect now (SQL)", "load", "in_effect_sql", 0),
      Field("  actual, upcoming (SQL)", "load", "upcoming_sql", 0),
      Heading("warm-up (vikd start -> picture)"),
      Field("  computedAt - start, s", "status", "warmup.computed_s", 2),
      Field("  first GET showing it - start, s", "status", "warmup.observed_s", 2),
      Field("  risks in picture", "status", "picture.risks_in_picture", 0),
      Field("  signals in effect (engine)", "status", "picture.signals_in_effect", 0),
      Field("  active incidents", "status", "picture.active_incidents", 0),
      Field("  active warnings", "status", "picture.active_warnings", 0),
      Field("  risks listed (limit 50)", "status", "picture.risks_listed", 0),
      Field("  response body bytes", "status", "picture.body_bytes", 0),
      Heading("vikd memory, MiB"),
      Field("  VmRSS after warm-up", "status", "memory.warm.rss_bytes", 1, kMB),
      Field("  VmHWM after warm-up", "status", "memory.warm.hwm_bytes", 1, kMB),
      Field("  VmRSS after the latency runs", "status", "memory.after.rss_bytes", 1, kMB),
      Field("  VmHWM after the latency runs", "status", "memory.after.hwm_bytes", 1, kMB),
  };
  std::vector<Row> all = rows;
  for (const char* clients : {"1", "4"}) {
    const std::string base = std::string("latency.") + clients + ".";
    all.push_back(Heading(std::string("GET /v1/status, ") + clients + " keep-alive client(s)"));
    all.push_back(Field("  requests/s", "status", base + "rate", 0));
    all.push_back(Field("  p50 ms", "status", base + "p50_ms", 2));
    all.push_back(Field("  p99 ms", "status", base + "p99_ms", 2));
    all.push_back(Field("  max ms", "status", base + "max_ms", 2));
    all.push_back(Field("  errors", "status", base + "not_accepted", 0));
    all.push_back(Field("  cores vikd / pg / other", "status", base + "cores.vikd", 2));
    all.back().cell = [base](const SizeFiles& f) {
      auto it = f.find("status");
      if (it == f.end()) {
        return std::string("-");
      }
      return Number(At(it->second, base + "cores.vikd"), 2) + " / " +
             Number(At(it->second, base + "cores.postgres"), 2) + " / " +
             Number(At(it->second, base + "cores.other"), 2);
    };
  }
  for (const char* engine : {"on", "off"}) {
    const std::string file = std::string("ingest-") + engine;
    all.push_back(Heading(std::string("ingest, POST /v1/signals, engine ") + engine));
    all.push_back(Field("  signals/s", file, "rate", 0));
    all.push_back(Field("  p50 ms", file, "p50_ms", 2));
    all.push_back(Field("  p99 ms", file, "p99_ms", 2));
    all.push_back(Field("  not accepted", file, "not_accepted", 0));
    if (std::string(engine) == "on") {
      all.push_back(Field("  keeper backlog at the end, change rows", file, "keeper.backlog_rows", 0));
      all.push_back(Field("  keeper caught up after, s", file, "keeper.catch_up_s", 1));
      all.push_back(Field("  keeper backlog left after 120 s", file, "keeper.left_rows", 0));
      all.push_back(Field("  keeper read during the load, changes/s", file, "keeper.read_during_load_per_s", 0));
      all.push_back(Field("  keeper read after the load, changes/s", file, "keeper.read_after_load_per_s", 0));
    }
    all.push_back(Field("  vikd VmRSS / VmHWM after, MiB", file, "memory_after.rss_bytes", 1, kMB));
    all.back().cell = [file](const SizeFiles& f) {
      auto it = f.find(file);
      if (it == f.end()) {
        return std::string("-");
      }
      return Number(At(it->second, "memory_after.rss_bytes"), 1, kMB) + " / " +
             Number(At(it->second, "memory_after.hwm_bytes"), 1, kMB);
    };
    all.push_back({"  cores vikd / pg / other", [file](const SizeFiles& f) {
                     auto it = f.find(file);
                     if (it == f.end()) {
                       return std::string("-");
                     }
                     return Number(At(it->second, "cores.vikd"), 2) + " / " +
                            Number(At(it->second, "cores.postgres"), 2) + " / " +
                            Number(At(it->second, "cores.other"), 2);
                   }});
  }
  all.push_back({"ingest on / off (goal >= 80%)", Ratio});
  all.push_back({"most cores of other processes in a phase", MostOther});

  std::printf("risk-picture benchmark: %u CPUs (%s)\n", std::thread::hardware_concurrency(), CpuModel().c_str());
  std::printf("%-44s", "signals stored");
  for (const auto& [size, f] : sizes) {
    std::printf(" %22s", Number(Json(size), 0).c_str());
  }
  std::printf("\n");
  for (const auto& row : all) {
    std::printf("%-44s", row.label.c_str());
    for (const auto& [size, f] : sizes) {
      std::printf(" %22s", row.cell(f).c_str());
    }
    std::printf("\n");
  }
  return status;
}

}  // namespace vik::bench
