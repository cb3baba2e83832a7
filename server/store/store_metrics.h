#pragma once

// Metrics of the store module, declared once at start-up.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "core/status.h"

namespace vik::store {

struct StoreMetrics {
  explicit StoreMetrics(prometheus::Registry& registry);

  prometheus::Gauge& pool_size;
  prometheus::Gauge& pool_in_use;
  prometheus::Gauge& pool_waiting;
  prometheus::Counter& connects;
  prometheus::Counter& connect_failures;
  prometheus::Family<prometheus::Counter>& errors;  // label code
  prometheus::Histogram& acquire_seconds;

  void CountError(core::StatusCode code);
};

}  // namespace vik::store
