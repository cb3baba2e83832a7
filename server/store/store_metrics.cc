#include "store/store_metrics.h"

#include <string>

#include "metrics/declare.h"

namespace vik::store {

StoreMetrics::StoreMetrics(prometheus::Registry& r, const std::string& pool_name)
    : pool_size(metrics::Gauge(r, "vik_store_pool_connections", "Configured size of the database connection pool",
                               {{"pool", pool_name}})),
      pool_in_use(metrics::Gauge(r, "vik_store_pool_connections_in_use",
                                 "Pooled database connections currently lent out", {{"pool", pool_name}})),
      pool_waiting(metrics::Gauge(r, "vik_store_pool_waiting",
                                  "Callers currently waiting for a pooled database connection", {{"pool", pool_name}})),
      connects(metrics::Counter(r, "vik_store_connects_total", "Database connections opened", {{"pool", pool_name}})),
      connect_failures(metrics::Counter(r, "vik_store_connect_failures_total",
                                        "Failed attempts to open a database connection", {{"pool", pool_name}})),
      errors(metrics::CounterFamily(r, "vik_store_errors_total", "Database operations that failed, by status code")),
      acquire_seconds(metrics::Histogram(
          r, "vik_store_pool_acquire_seconds", "Time spent waiting for a pooled database connection",
          metrics::Buckets{0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5}, {{"pool", pool_name}})),
      pool(pool_name) {}

void StoreMetrics::CountError(core::StatusCode code) {
  errors.Add({{"pool", pool}, {"code", std::string(core::StatusCodeName(code))}}).Increment();
}

}  // namespace vik::store
