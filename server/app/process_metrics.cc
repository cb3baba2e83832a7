#include "app/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <prometheus/gauge.h>

#include "app/build_info.h"
#include "metrics/declare.h"

namespace vik::app {
namespace {

prometheus::MetricFamily Family(const char* name, const char* help, prometheus::MetricType type, double value) {
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  return prometheus::MetricFamily{name, help, type, {m}};
}

// Boot time from /proc/stat ("btime N").
double BootTimeSeconds() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime") {
      in >> value;
      return value;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

}  // namespace

ProcessCollector::ProcessCollector() {
  // Field 22 of /proc/self/stat: start time in clock ticks after boot.
  std::ifstream in("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto rparen = stat.rfind(')');
  std::istringstream fields(rparen == std::string::npos ? "" : stat.substr(rparen + 2));
  std::string f;
  double start_ticks = 0;
  for (int i = 3; fields >> f; ++i) {
    if (i == 22) {
      start_ticks = std::stod(f);
      break;
    }
  }
  const double boot = BootTimeSeconds();
  if (boot > 0 && start_ticks > 0) {
    start_time_seconds_ = boot + start_ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
  } else {
    start_time_seconds_ = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  }
}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));

  std::ifstream stat_in("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_in)), std::istreambuf_iterator<char>());
  const auto rparen = stat.rfind(')');
  if (rparen != std::string::npos) {
    std::istringstream fields(stat.substr(rparen + 2));
    std::string f;
    double utime = 0, stime = 0, threads = 0, vsize = 0, rss = 0;
    for (int i = 3; fields >> f; ++i) {
      switch (i) {
        case 14:
          utime = std::stod(f);
          break;
        case 15:
          stime = std::stod(f);
          break;
        case 20:
          threads = std::stod(f);
          break;
        case 23:
          vsize = std::stod(f);
          break;
        case 24:
          rss = std::stod(f);
          break;
        default:
          break;
      }
      if (i >= 24) {
        break;
      }
    }
    out.push_back(Family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                         MetricType::Counter, (utime + stime) / ticks));
    out.push_back(Family("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::Gauge, vsize));
    out.push_back(
        Family("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::Gauge, rss * page));
    out.push_back(Family("process_threads", "Number of OS threads in the process.", MetricType::Gauge, threads));
  }
  std::error_code ec;
  double fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++fds;
  }
  out.push_back(Family("process_open_fds", "Number of open file descriptors.", MetricType::Gauge, fds));
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    out.push_back(Family("process_max_fds", "Maximum number of open file descriptors.", MetricType::Gauge,
                         static_cast<double>(lim.rlim_cur)));
  }
  out.push_back(Family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                       MetricType::Gauge, start_time_seconds_));
  return out;
}

void RegisterBuildInfo(prometheus::Registry& registry) {
  metrics::Gauge(registry, "vik_build_info", "Build of the running vikd (always 1)",
                 {{"version", Version()}, {"commit", Commit()}})
      .Set(1);
}

}  // namespace vik::app
