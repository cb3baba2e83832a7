#pragma once

// What the webhook delivery job (subscriptions/delivery_job.h) needs of the database: the
// subscriptions' filters and the job's cursor, the change feed, the fenced queue writes, and the
// counts it exports. No libpqxx here; store::Store implements it (pg_subscriptions.cc,
// pg_changes.cc), tests use an in-memory fake (tests/support/fakes/fake_delivery_store.h).
// Thread-safety: implementations are safe for concurrent use; every call may block on the database.

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/change_records.h"
#include "store/cluster_records.h"
#include "store/subscription_records.h"

namespace vik::store {

class DeliveryStore {
 public:
  virtual ~DeliveryStore() = default;

  // Every subscription with its filter, and the job's cursor.
  virtual core::Result<std::vector<SubscriptionMatchRecord>> ListSubscriptionFilters() = 0;
  virtual core::Result<ChangeCursor> ReadSubscriptionCursor() = 0;
  // At most `limit` final changes after `after` (none: from the oldest kept), with the bodies they
  // name. OUT_OF_RANGE when `after` is outside the change log (pruned, or another database's).
  virtual core::Result<ChangePage> ReadChanges(const std::optional<ChangeCursor>& after, int limit,
                                               const std::string& region) = 0;
  // Enqueues `deliveries` and moves the cursor to `next`, in one transaction under the fence
  // (FencedStatus and nothing written when it no longer holds). Deliveries beyond `max_pending`
  // pending per subscription are stored dead ("queue full").
  virtual core::Status EnqueueDeliveries(const Fence& fence, const ChangeCursor& next,
                                         const std::vector<DeliveryEnqueue>& deliveries, int max_pending) = 0;
  // The head of each subscription's queue when due, at most `limit`.
  virtual core::Result<std::vector<DueDelivery>> ReadDueDeliveries(int limit) = 0;
  // Records attempts (delivered; or failed: retried after the outcome's backoff, dead after
  // `max_attempts`), in one transaction under the fence.
  virtual core::Status RecordDeliveries(const Fence& fence, const std::vector<DeliveryOutcome>& outcomes,
                                        int max_attempts) = 0;
  // Deletes at most `limit` delivered and dead deliveries finished before `before`, fenced.
  virtual core::Result<int> PruneDeliveries(const Fence& fence, core::WallTime before, int limit) = 0;
  virtual core::Result<DeliveryCounts> CountDeliveries() = 0;
};

}  // namespace vik::store
