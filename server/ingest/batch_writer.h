#pragma once

// The group-commit writer. Callers enqueue validated signals; writer loops (threads owned by
// app::Runtime) drain the queue in batches of up to `max_batch` into one transaction each, and
// complete every item only after its transaction committed (or failed). Under load the signals
// that arrive while one batch commits form the next batch, so throughput does not collapse to one
// commit per signal; with W writers, W transactions are in flight at once.
//
// Bounded: Enqueue refuses (returns false) when the queue cannot take the whole request, and the
// caller answers RESOURCE_EXHAUSTED. Audit records ride along in the same transactions; they too are
// bounded (dropped records are counted and logged, never silently lost).
// Thread-safety: safe for concurrent use. Completion callbacks run on a writer thread and must not
// block.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "domain/signal.h"
#include "ingest/ingest_metrics.h"
#include "store/ingest_records.h"
#include "store/signal_writer.h"

namespace vik::ingest {

struct WriterOptions {
  std::size_t max_queue = 20000;          // signals
  std::size_t max_batch = 500;            // signals per transaction
  std::chrono::microseconds max_wait{0};  // extra time a non-full batch may wait to grow
  std::size_t max_audit_queue = 10000;
};

struct WriteItem {
  domain::Signal signal;
  std::string payload;  // canonical serialized vik.v1.Signal
  std::string partner;
  // `batch_status` is not OK when the whole transaction failed (UNAVAILABLE, UNKNOWN for an
  // in-doubt commit, ...); then `result` is meaningless and nothing was acknowledged.
  std::function<void(const store::WriteResult& result, const core::Status& batch_status)> done;
};

class BatchWriter {
 public:
  BatchWriter(store::SignalWriter& store, WriterOptions options, std::string node_id, IngestMetrics& metrics);

  // All or nothing: false when the queue cannot take every item (nothing is enqueued then).
  [[nodiscard]] bool Enqueue(std::vector<WriteItem>&& items);
  void EnqueueAudit(store::AuditRecord record);

  // One writer loop; returns after Stop() once the queue is drained.
  void Run();
  void Stop();

  std::size_t depth() const;

 private:
  store::SignalWriter& store_;
  const WriterOptions options_;
  const std::string node_id_;
  IngestMetrics& metrics_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  struct Queued {
    WriteItem item;
    std::chrono::steady_clock::time_point enqueued;
  };
  std::deque<Queued> queue_;
  std::vector<store::AuditRecord> audit_;
  bool stopping_ = false;
  bool failing_ = false;  // the last batch failed (log once per outage)
  std::chrono::steady_clock::time_point last_failure_log_{};
};

}  // namespace vik::ingest
