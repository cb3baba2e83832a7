#include "ingest/ingest_metrics.h"

#include <chrono>
#include <string_view>

#include "metrics/declare.h"

namespace vik::ingest {

IngestMetrics::IngestMetrics(prometheus::Registry& r)
    : signals(metrics::CounterFamily(r, "vik_ingest_signals_total",
                                     "Signals answered, by outcome (accepted, duplicate, rejected) and source")),
      rejections(metrics::CounterFamily(r, "vik_ingest_rejections_total",
                                        "Signals or calls refused, by reason (validation, conflict, foreign_source, "
                                        "unauthenticated, permission, rate_limited, queue_full, unavailable, in_doubt, "
                                        "store_error)")),
      rate_limited(metrics::CounterFamily(r, "vik_ingest_rate_limited_total",
                                          "Calls refused by the per-partner rate limit, by partner")),
      batch_signals(metrics::Histogram(r, "vik_ingest_batch_signals", "Signals per group-commit transaction",
                                       metrics::Buckets{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000})),
      commit_seconds(
          metrics::Histogram(r, "vik_ingest_commit_seconds", "Duration of one group-commit transaction",
                             metrics::Buckets{0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 5})),
      ack_seconds(metrics::Histogram(
          r, "vik_ingest_ack_seconds", "Time from a signal entering the write queue to its durable acknowledgement",
          metrics::Buckets{0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 5})),
      queue_depth(metrics::Gauge(r, "vik_ingest_queue_depth", "Signals waiting in the group-commit queue")),
      queue_capacity(
          metrics::Gauge(r, "vik_ingest_queue_capacity", "Capacity of the group-commit queue (ingest.max_queue)")),
      batches_failed(metrics::Counter(r, "vik_ingest_batches_failed_total",
                                      "Group-commit transactions that failed as a whole (nothing acknowledged)")),
      audit_dropped(metrics::Counter(r, "vik_ingest_audit_dropped_total",
                                     "Audit records that could not be written (queue full or database error)")),
      last_signal(metrics::GaugeFamily(r, "vik_ingest_last_signal_timestamp_seconds",
                                       "Unix time of the last signal of the source accepted by this instance")),
      source_expected_interval(
          metrics::GaugeFamily(r, "vik_ingest_source_expected_interval_seconds",
                               "How often the source is expected to report (sources registered with "
                               "--interval)")) {}

void IngestMetrics::CountSignal(const char* outcome, const std::string& source) {
  signals.Add({{"outcome", outcome}, {"source", source}}).Increment();
  if (std::string_view(outcome) == "accepted") {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    last_signal.Add({{"source", source}}).Set(std::chrono::duration<double>(now).count());
  }
}

}  // namespace vik::ingest
