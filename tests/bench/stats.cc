#include "bench/stats.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace vik::bench {

void Recorder::Error(const std::string& what, std::uint64_t signals) {
  not_accepted += signals;
  ++errors[what.substr(0, 160)];
}

void Recorder::Merge(Recorder&& other) {
  latency_ns.insert(latency_ns.end(), other.latency_ns.begin(), other.latency_ns.end());
  calls += other.calls;
  accepted += other.accepted;
  not_accepted += other.not_accepted;
  for (const auto& [what, n] : other.errors) {
    errors[what] += n;
  }
}

double PercentileMs(std::vector<std::int64_t>& values, double p) {
  if (values.empty()) {
    return 0;
  }
  // Nearest rank.
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  const std::size_t k = std::clamp<std::size_t>(rank, 1, values.size()) - 1;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return static_cast<double>(values[k]) / 1e6;
}

namespace {

const double kTick = static_cast<double>(sysconf(_SC_CLK_TCK));

// utime + stime of a process in seconds, and its parent pid; false when it is gone.
bool ProcessCpu(int pid, double& seconds, int& ppid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) {
    return false;
  }
  // The command name may contain spaces; the fields after it are fixed: state ppid ... utime stime.
  const auto close = line.rfind(')');
  if (close == std::string::npos) {
    return false;
  }
  std::istringstream fields(line.substr(close + 2));
  std::string state;
  fields >> state >> ppid;
  std::string skip;
  for (int i = 0; i < 9; ++i) {
    fields >> skip;
  }
  double utime = 0, stime = 0;
  fields >> utime >> stime;
  seconds = (utime + stime) / kTick;
  return static_cast<bool>(fields);
}

double MachineBusy() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  return (user + nice + system + irq + softirq + steal) / kTick;
}

std::map<int, double> PostgresCpu(int postmaster_pid) {
  std::map<int, double> out;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) {
    return out;
  }
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') {
      continue;
    }
    const int pid = std::atoi(e->d_name);
    double seconds = 0;
    int ppid = 0;
    if (ProcessCpu(pid, seconds, ppid) && (pid == postmaster_pid || ppid == postmaster_pid)) {
      out[pid] = seconds;
    }
  }
  closedir(dir);
  return out;
}

}  // namespace

CpuSample SampleCpu(int vikd_pid, int postmaster_pid) {
  CpuSample s;
  s.at = Clock::now();
  s.machine_busy = MachineBusy();
  int ppid = 0;
  if (vikd_pid > 0) {
    ProcessCpu(vikd_pid, s.vikd, ppid);
  }
  if (postmaster_pid > 0) {
    s.postgres = PostgresCpu(postmaster_pid);
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  s.self = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  return s;
}

CpuUse CoresUsed(const CpuSample& begin, const CpuSample& end) {
  const double wall = std::chrono::duration<double>(end.at - begin.at).count();
  if (wall <= 0) {
    return {};
  }
  CpuUse u;
  u.vikd = (end.vikd - begin.vikd) / wall;
  double postgres = 0;
  for (const auto& [pid, seconds] : end.postgres) {
    auto it = begin.postgres.find(pid);
    postgres += seconds - (it == begin.postgres.end() ? 0 : it->second);
  }
  u.postgres = postgres / wall;
  u.bench = (end.self - begin.self) / wall;
  u.machine = (end.machine_busy - begin.machine_busy) / wall;
  u.other = std::max(0.0, u.machine - u.vikd - u.postgres - u.bench);
  u.idle = std::max(0.0, static_cast<double>(sysconf(_SC_NPROCESSORS_ONLN)) - u.machine);
  return u;
}

ProcessMemory ReadProcessMemory(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  if (!in) {
    throw std::runtime_error("cannot read /proc/" + std::to_string(pid) + "/status (process gone?)");
  }
  ProcessMemory m;
  for (std::string line; std::getline(in, line);) {
    // "VmRSS:\t  123456 kB"
    double* field = line.rfind("VmRSS:", 0) == 0 ? &m.rss_bytes : line.rfind("VmHWM:", 0) == 0 ? &m.hwm_bytes : nullptr;
    if (field != nullptr) {
      *field = 1024.0 * std::strtod(line.c_str() + 6, nullptr);
    }
  }
  return m;
}

}  // namespace vik::bench
