#pragma once

// Measurements of one benchmark phase: acknowledgement latencies, outcome counts, and where the CPU
// time went (vikd, PostgreSQL, the load generator, everything else on the machine).

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace vik::bench {

using Clock = std::chrono::steady_clock;

// What one load-generating caller saw. Not thread-safe: one per caller, merged at the end.
struct Recorder {
  std::vector<std::int64_t> latency_ns;  // one per request (a batch counts once; a stream signal once)
  std::uint64_t calls = 0;
  std::uint64_t accepted = 0;                   // signals with an ACCEPTED receipt: durably committed
  std::uint64_t not_accepted = 0;               // signals sent but not accepted (failed call or other receipt)
  std::map<std::string, std::uint64_t> errors;  // "CODE: message" -> occurrences

  void Latency(Clock::duration d) { latency_ns.push_back(std::chrono::nanoseconds(d).count()); }
  void Error(const std::string& what, std::uint64_t signals);
  void Merge(Recorder&& other);
};

// Percentile `p` (0..100) of `values` in milliseconds; 0 when empty. Reorders `values`.
double PercentileMs(std::vector<std::int64_t>& values, double p);

// CPU seconds consumed so far, by party.
struct CpuSample {
  Clock::time_point at;
  double machine_busy = 0;         // all cores, /proc/stat (everything but idle and iowait)
  double vikd = 0;                 // /proc/PID/stat of vikd (0 when its pid is unknown)
  std::map<int, double> postgres;  // the postmaster and its children, by pid
  double self = 0;                 // this load generator
};

// REQUIRES: pids are 0 (unknown) or live processes.
CpuSample SampleCpu(int vikd_pid, int postmaster_pid);

// Cores used between two samples by each party; `other` is the rest of the machine (other processes
// and kernel threads such as the file system's journal). PostgreSQL processes that exited between the
// samples are not counted.
struct CpuUse {
  double vikd = 0, postgres = 0, bench = 0, other = 0, machine = 0;
  double idle = 0;  // online CPUs minus `machine`
};
CpuUse CoresUsed(const CpuSample& begin, const CpuSample& end);

// A process's resident memory from /proc/PID/status: VmRSS (now) and VmHWM (the peak so far).
struct ProcessMemory {
  double rss_bytes = 0;
  double hwm_bytes = 0;
};

// Throws std::runtime_error when /proc/PID/status cannot be read (the process is gone).
ProcessMemory ReadProcessMemory(int pid);

}  // namespace vik::bench
