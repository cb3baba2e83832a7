#pragma once

// Metrics of the store module, declared once at start-up: one set per connection pool, labelled
// pool="api" (the read API's pool), "lease", "jobs", "ingest", "cap" (see Store::OpenLane).

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

#include "core/status.h"

namespace vik::store {

struct StoreMetrics {
  explicit StoreMetrics(prometheus::Registry& registry, const std::string& pool = "api");

  prometheus::Gauge& pool_size;
  prometheus::Gauge& pool_in_use;
  prometheus::Gauge& pool_waiting;
  prometheus::Counter& connects;
  prometheus::Counter& connect_failures;
  prometheus::Family<prometheus::Counter>& errors;  // labels pool, code
  prometheus::Histogram& acquire_seconds;
  const std::string pool;

  void CountError(core::StatusCode code);
};

}  // namespace vik::store
