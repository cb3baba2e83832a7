#include "ingest/ingest_metrics.h"

#include <chrono>
#include <string_view>

namespace vik::ingest {

IngestMetrics::IngestMetrics(prometheus::Registry& r)
    : signals(prometheus::BuildCounter()
                  .Name("vik_ingest_signals_total")
                  .Help("Signals answered, by outcome (accepted, duplicate, rejected) and source")
                  .Register(r)),
      rejections(prometheus::BuildCounter()
                     .Name("vik_ingest_rejections_total")
                     .Help("Signals or calls refused, by reason (validation, conflict, foreign_source, "
                           "unauthenticated, permission, rate_limited, queue_full, unavailable, in_doubt, "
                           "store_error)")
                     .Register(r)),
      rate_limited(prometheus::BuildCounter()
                       .Name("vik_ingest_rate_limited_total")
                       .Help("Calls refused by the per-partner rate limit, by partner")
                       .Register(r)),
      batch_signals(prometheus::BuildHistogram()
                        .Name("vik_ingest_batch_signals")
                        .Help("Signals per group-commit transaction")
                        .Register(r)
                        .Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000})),
      commit_seconds(prometheus::BuildHistogram()
                         .Name("vik_ingest_commit_seconds")
                         .Help("Duration of one group-commit transaction")
                         .Register(r)
                         .Add({}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.002, 0.005, 0.01, 0.02,
                                                                          0.05, 0.1, 0.25, 0.5, 1, 5})),
      ack_seconds(prometheus::BuildHistogram()
                      .Name("vik_ingest_ack_seconds")
                      .Help("Time from a signal entering the write queue to its durable acknowledgement")
                      .Register(r)
                      .Add({}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05,
                                                                       0.1, 0.25, 0.5, 1, 5})),
      queue_depth(prometheus::BuildGauge()
                      .Name("vik_ingest_queue_depth")
                      .Help("Signals waiting in the group-commit queue")
                      .Register(r)
                      .Add({})),
      queue_capacity(prometheus::BuildGauge()
                         .Name("vik_ingest_queue_capacity")
                         .Help("Capacity of the group-commit queue (ingest.max_queue)")
                         .Register(r)
                         .Add({})),
      batches_failed(prometheus::BuildCounter()
                         .Name("vik_ingest_batches_failed_total")
                         .Help("Group-commit transactions that failed as a whole (nothing acknowledged)")
                         .Register(r)
                         .Add({})),
      audit_dropped(prometheus::BuildCounter()
                        .Name("vik_ingest_audit_dropped_total")
                        .Help("Audit records that could not be written (queue full or database error)")
                        .Register(r)
                        .Add({})),
      last_signal(prometheus::BuildGauge()
                      .Name("vik_ingest_last_signal_timestamp_seconds")
                      .Help("Unix time of the last signal of the source accepted by this instance")
                      .Register(r)),
      source_expected_interval(prometheus::BuildGauge()
                                   .Name("vik_ingest_source_expected_interval_seconds")
                                   .Help("How often the source is expected to report (sources registered with "
                                         "--interval)")
                                   .Register(r)) {}

void IngestMetrics::CountSignal(const char* outcome, const std::string& source) {
  signals.Add({{"outcome", outcome}, {"source", source}}).Increment();
  if (std::string_view(outcome) == "accepted") {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    last_signal.Add({{"source", source}}).Set(std::chrono::duration<double>(now).count());
  }
}

}  // namespace vik::ingest
