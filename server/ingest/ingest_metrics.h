#pragma once

// Metrics of the ingest path, declared once at start-up. Label sets are bounded: outcome and reason
// are fixed lists; source and partner come from the admin-managed registry.

#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace vik::ingest {

struct IngestMetrics {
  explicit IngestMetrics(prometheus::Registry& registry);

  prometheus::Family<prometheus::Counter>& signals;       // outcome: accepted|duplicate|rejected, source
  prometheus::Family<prometheus::Counter>& rejections;    // reason
  prometheus::Family<prometheus::Counter>& rate_limited;  // partner
  prometheus::Histogram& batch_signals;
  prometheus::Histogram& commit_seconds;
  prometheus::Histogram& ack_seconds;
  prometheus::Gauge& queue_depth;
  prometheus::Gauge& queue_capacity;
  prometheus::Counter& batches_failed;
  prometheus::Counter& audit_dropped;
  // Source freshness: when this instance last accepted a signal of the source (any path: JSON,
  // CAP, feeds), and how often the source is expected to report (registered sources with an
  // --interval). The VikSourceSilent alert compares the two.
  prometheus::Family<prometheus::Gauge>& last_signal;               // source
  prometheus::Family<prometheus::Gauge>& source_expected_interval;  // source

  // Counts a signal; an accepted one also marks its source fresh.
  void CountSignal(const char* outcome, const std::string& source);
  void CountRejection(const char* reason, double n = 1) { rejections.Add({{"reason", reason}}).Increment(n); }
};

}  // namespace vik::ingest
