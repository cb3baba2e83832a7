#include "bench/report_table.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace vik::bench {

using Json = nlohmann::json;

int ReadReportFiles(const std::vector<std::string>& files, const char* program, const std::string& key_field,
                    const std::function<std::string(const Json&)>& kind_of, ReportColumns& out) {
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
      std::fprintf(stderr, "%s report: %s: %s\n", program, path.c_str(), e.what());
      status = 1;
      continue;
    }
    out[j.value(key_field, 0LL)][kind_of(j)] = j;
  }
  return status;
}

Json JsonAt(const Json& j, const std::string& path) {
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

std::string FormatNumber(const Json& v, int decimals, double scale) {
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

ReportRow ReportField(std::string label, std::string file, std::string path, int decimals, double scale) {
  return ReportFields(std::move(label), std::move(file), {std::move(path)}, decimals, scale);
}

ReportRow ReportFields(std::string label, std::string file, std::vector<std::string> paths, int decimals,
                       double scale) {
  return {std::move(label), [=](const ReportFiles& f) {
            auto it = f.find(file);
            if (it == f.end()) {
              return std::string("-");
            }
            std::string out;
            for (const auto& path : paths) {
              out += (out.empty() ? "" : " / ") + FormatNumber(JsonAt(it->second, path), decimals, scale);
            }
            return out;
          }};
}

ReportRow ReportHeading(std::string label) {
  return {std::move(label), [](const ReportFiles&) { return std::string(); }};
}

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

void PrintReportTable(const std::string& title, const std::string& key_label, const ReportColumns& columns,
                      const std::vector<ReportRow>& rows) {
  std::printf("%s: %u CPUs (%s)\n", title.c_str(), std::thread::hardware_concurrency(), CpuModel().c_str());
  std::printf("%-44s", key_label.c_str());
  for (const auto& [key, f] : columns) {
    std::printf(" %22s", FormatNumber(Json(key), 0).c_str());
  }
  std::printf("\n");
  for (const auto& row : rows) {
    std::printf("%-44s", row.label.c_str());
    for (const auto& [key, f] : columns) {
      std::printf(" %22s", row.cell(f).c_str());
    }
    std::printf("\n");
  }
}

}  // namespace vik::bench
