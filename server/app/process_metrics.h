#pragma once

// Standard process metrics (process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds, process_start_time_seconds,
// process_threads) read from /proc/self at scrape time, plus vik_build_info.

#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/registry.h>

namespace vik::app {

class ProcessCollector : public prometheus::Collectable {
 public:
  ProcessCollector();
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  double start_time_seconds_;
};

// Registers vik_build_info{version,commit} = 1.
void RegisterBuildInfo(prometheus::Registry& registry);

}  // namespace vik::app
