#include "store/store_metrics.h"

#include <string>

namespace vik::store {

StoreMetrics::StoreMetrics(prometheus::Registry& r, const std::string& pool_name)
    : pool_size(prometheus::BuildGauge()
                    .Name("vik_store_pool_connections")
                    .Help("Configured size of the database connection pool")
                    .Register(r)
                    .Add({{"pool", pool_name}})),
      pool_in_use(prometheus::BuildGauge()
                      .Name("vik_store_pool_connections_in_use")
                      .Help("Pooled database connections currently lent out")
                      .Register(r)
                      .Add({{"pool", pool_name}})),
      pool_waiting(prometheus::BuildGauge()
                       .Name("vik_store_pool_waiting")
                       .Help("Callers currently waiting for a pooled database connection")
                       .Register(r)
                       .Add({{"pool", pool_name}})),
      connects(prometheus::BuildCounter()
                   .Name("vik_store_connects_total")
                   .Help("Database connections opened")
                   .Register(r)
                   .Add({{"pool", pool_name}})),
      connect_failures(prometheus::BuildCounter()
                           .Name("vik_store_connect_failures_total")
                           .Help("Failed attempts to open a database connection")
                           .Register(r)
                           .Add({{"pool", pool_name}})),
      errors(prometheus::BuildCounter()
                 .Name("vik_store_errors_total")
                 .Help("Database operations that failed, by status code")
                 .Register(r)),
      acquire_seconds(prometheus::BuildHistogram()
                          .Name("vik_store_pool_acquire_seconds")
                          .Help("Time spent waiting for a pooled database connection")
                          .Register(r)
                          .Add({{"pool", pool_name}}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.005, 0.01, 0.05,
                                                                           0.1, 0.5, 1, 5})),
      pool(pool_name) {}

void StoreMetrics::CountError(core::StatusCode code) {
  errors.Add({{"pool", pool}, {"code", std::string(core::StatusCodeName(code))}}).Increment();
}

}  // namespace vik::store
