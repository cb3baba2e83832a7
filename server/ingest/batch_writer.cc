#include "ingest/batch_writer.h"

#include "core/logging.h"

namespace vik::ingest {

BatchWriter::BatchWriter(store::SignalWriter& store, WriterOptions options, std::string node_id, IngestMetrics& metrics)
    : store_(store), options_(options), node_id_(std::move(node_id)), metrics_(metrics) {
  metrics_.queue_capacity.Set(static_cast<double>(options_.max_queue));
}

bool BatchWriter::Enqueue(std::vector<WriteItem>&& items) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() + items.size() > options_.max_queue) {
      return false;
    }
    for (auto& item : items) {
      queue_.push_back({std::move(item), now});
    }
    metrics_.queue_depth.Set(static_cast<double>(queue_.size()));
  }
  cv_.notify_one();
  return true;
}

void BatchWriter::EnqueueAudit(store::AuditRecord record) {
  {
    std::lock_guard lock(mu_);
    if (audit_.size() >= options_.max_audit_queue) {
      metrics_.audit_dropped.Increment();
      static auto log = core::ModuleLogger("ingest");
      core::LogError(*log, "audit queue full; audit record dropped",
                     {{"action", record.action}, {"actor", record.actor}});
      return;
    }
    audit_.push_back(std::move(record));
  }
  cv_.notify_one();
}

std::size_t BatchWriter::depth() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void BatchWriter::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
}

void BatchWriter::Run() {
  auto log = core::ModuleLogger("ingest");
  std::vector<Queued> batch;
  std::vector<store::AuditRecord> audit;
  for (;;) {
    batch.clear();
    audit.clear();
    bool more = false;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty() || !audit_.empty(); });
      if (queue_.empty() && audit_.empty()) {
        return;  // stopping and drained
      }
      if (options_.max_wait.count() > 0 && !stopping_ && queue_.size() < options_.max_batch) {
        const auto until =
            queue_.empty() ? std::chrono::steady_clock::now() : queue_.front().enqueued + options_.max_wait;
        cv_.wait_until(lock, until, [this] { return stopping_ || queue_.size() >= options_.max_batch; });
      }
      const std::size_t n = std::min(queue_.size(), options_.max_batch);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      audit.swap(audit_);
      metrics_.queue_depth.Set(static_cast<double>(queue_.size()));
      more = !queue_.empty();
    }
    if (more) {
      cv_.notify_one();  // more work for another writer
    }

    std::vector<store::SignalWrite> rows;
    rows.reserve(batch.size());
    for (const auto& q : batch) {
      rows.push_back({&q.item.signal, q.item.payload, q.item.partner});
    }
    const auto start = std::chrono::steady_clock::now();
    auto results = store_.WriteSignals(rows, audit, node_id_);
    const auto end = std::chrono::steady_clock::now();
    metrics_.commit_seconds.Observe(std::chrono::duration<double>(end - start).count());
    if (!batch.empty()) {
      metrics_.batch_signals.Observe(static_cast<double>(batch.size()));
    }
    if (!results.ok()) {
      metrics_.batches_failed.Increment();
      if (!audit.empty()) {
        metrics_.audit_dropped.Increment(static_cast<double>(audit.size()));
      }
      // One line per outage (and one every 10 s while it lasts), not one per batch.
      std::lock_guard lock(mu_);
      if (!failing_ || end - last_failure_log_ > std::chrono::seconds(10)) {
        core::LogWarn(*log, "group commit failed; nothing in the batch is acknowledged",
                      {{"signals", static_cast<std::uint64_t>(batch.size())},
                       {"audit_records", static_cast<std::uint64_t>(audit.size())},
                       {"error", results.status().ToString()}});
        last_failure_log_ = end;
      }
      failing_ = true;
    } else if (!batch.empty()) {
      std::lock_guard lock(mu_);
      if (failing_) {
        core::LogInfo(*log, "group commits succeed again");
        failing_ = false;
      }
    }
    static const store::WriteResult kNone;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      metrics_.ack_seconds.Observe(std::chrono::duration<double>(end - batch[i].enqueued).count());
      if (results.ok()) {
        batch[i].item.done((*results)[i], core::Status::Ok());
      } else {
        batch[i].item.done(kNone, results.status());
      }
    }
  }
}

}  // namespace vik::ingest
