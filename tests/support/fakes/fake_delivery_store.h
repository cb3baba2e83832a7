#pragma once

// An in-memory store::DeliveryStore: subscriptions (filter, url, secret), a change feed, the
// delivery queues with their attempts and due times (by `clock`, the database's clock: a
// core::FakeClock in tests), and the job's cursor. Fenced writes pass `fence` (fake_fence.h).
// Calls fail as `faults` says (fault_plan.h; one operation per method, named after it).
// The feed's changes carry no bodies. Header-only, no I/O. Thread-safety: safe for concurrent use.

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "fakes/fake_fence.h"
#include "fakes/fault_plan.h"
#include "store/delivery_store.h"

namespace vik::testing {

class FakeDeliveryStore final : public store::DeliveryStore {
 public:
  struct Delivery {
    std::string id;
    std::string subscription;
    store::ChangeCursor cursor;
    std::string state = "pending";  // pending, delivered, dead
    int attempts = 0;
    core::WallTime due{};
    std::string last_error;
    std::vector<std::int64_t> backoffs_ms;  // retry_after_ms of each failed attempt, in order
    std::string body;
  };

  explicit FakeDeliveryStore(const core::Clock& clock) : clock_(clock) {}

  void AddSubscription(const std::string& id, const std::string& filter_json, const std::string& url,
                       const std::string& secret = "s3cret") {
    std::lock_guard lock(mu_);
    subscriptions_.push_back({{id, filter_json, 0}, url, secret});
  }
  // Appends a change of `kind` on `object` to the feed (picture "actual").
  void AddChange(const std::string& kind, const std::string& object) {
    std::lock_guard lock(mu_);
    store::ChangeRecord c;
    c.cursor = {++xid_, 0};
    c.at_us = std::chrono::duration_cast<std::chrono::microseconds>(clock_.Now().time_since_epoch()).count();
    c.picture = "actual";
    c.kind = kind;
    c.object = object;
    feed_.push_back(std::move(c));
  }

  core::Result<std::vector<store::SubscriptionMatchRecord>> ListSubscriptionFilters() override {
    if (core::Status s = faults.Before("ListSubscriptionFilters"); !s.ok()) {
      return s;
    }
    std::lock_guard lock(mu_);
    std::vector<store::SubscriptionMatchRecord> out;
    for (const auto& s : subscriptions_) {
      out.push_back(s.match);
    }
    return out;
  }
  core::Result<store::ChangeCursor> ReadSubscriptionCursor() override {
    if (core::Status s = faults.Before("ReadSubscriptionCursor"); !s.ok()) {
      return s;
    }
    std::lock_guard lock(mu_);
    return cursor_;
  }
  core::Result<store::ChangePage> ReadChanges(const std::optional<store::ChangeCursor>& after, int limit,
                                              const std::string&) override {
    if (core::Status s = faults.Before("ReadChanges"); !s.ok()) {
      return s;
    }
    std::lock_guard lock(mu_);
    store::ChangePage page;
    page.next = after.value_or(store::ChangeCursor{});
    for (const auto& c : feed_) {
      if (after && c.cursor <= *after) {
        continue;
      }
      if (static_cast<int>(page.changes.size()) == limit) {
        page.more = true;
        break;
      }
      page.changes.push_back(c);
      page.next = c.cursor;
    }
    return page;
  }
  core::Status EnqueueDeliveries(const store::Fence& writer, const store::ChangeCursor& next,
                                 const std::vector<store::DeliveryEnqueue>& deliveries, int) override {
    if (core::Status s = faults.Before("EnqueueDeliveries"); !s.ok()) {
      return s;
    }
    if (core::Status s = fence.Check(writer); !s.ok()) {
      return s;
    }
    {
      std::lock_guard lock(mu_);
      for (const auto& d : deliveries) {
        Delivery row;
        row.id = "d" + std::to_string(++ids_);
        row.subscription = d.subscription;
        row.cursor = d.cursor;
        row.due = clock_.Now();
        row.body = d.body;
        deliveries_.push_back(std::move(row));
      }
      cursor_ = next;
    }
    return faults.After("EnqueueDeliveries");
  }
  core::Result<std::vector<store::DueDelivery>> ReadDueDeliveries(int limit) override {
    if (core::Status s = faults.Before("ReadDueDeliveries"); !s.ok()) {
      return s;
    }
    std::lock_guard lock(mu_);
    std::vector<store::DueDelivery> out;
    for (const auto& sub : subscriptions_) {
      for (const auto& d : deliveries_) {  // in cursor order: the first pending is the head
        if (d.subscription != sub.match.id || d.state != "pending") {
          continue;
        }
        if (d.due <= clock_.Now() && static_cast<int>(out.size()) < limit) {
          out.push_back({d.id, d.subscription, sub.url, sub.secret, d.body, d.attempts});
        }
        break;
      }
    }
    return out;
  }
  core::Status RecordDeliveries(const store::Fence& writer, const std::vector<store::DeliveryOutcome>& outcomes,
                                int max_attempts) override {
    if (core::Status s = faults.Before("RecordDeliveries"); !s.ok()) {
      return s;
    }
    if (core::Status s = fence.Check(writer); !s.ok()) {
      return s;
    }
    {
      std::lock_guard lock(mu_);
      for (const auto& o : outcomes) {
        auto it = std::find_if(deliveries_.begin(), deliveries_.end(), [&](const Delivery& d) { return d.id == o.id; });
        if (it == deliveries_.end()) {
          continue;
        }
        ++it->attempts;
        if (o.delivered) {
          it->state = "delivered";
          continue;
        }
        it->last_error = o.error;
        it->backoffs_ms.push_back(o.retry_after_ms);
        if (it->attempts >= max_attempts || o.retry_after_ms < 0) {
          it->state = "dead";
        } else {
          it->due = clock_.Now() + std::chrono::milliseconds(o.retry_after_ms);
        }
      }
    }
    return faults.After("RecordDeliveries");
  }
  core::Result<int> PruneDeliveries(const store::Fence& writer, core::WallTime, int) override {
    if (core::Status s = faults.Before("PruneDeliveries"); !s.ok()) {
      return s;
    }
    if (core::Status s = fence.Check(writer); !s.ok()) {
      return s;
    }
    return 0;
  }
  core::Result<store::DeliveryCounts> CountDeliveries() override {
    if (core::Status s = faults.Before("CountDeliveries"); !s.ok()) {
      return s;
    }
    std::lock_guard lock(mu_);
    store::DeliveryCounts counts;
    for (const auto& d : deliveries_) {
      counts.pending += d.state == "pending" ? 1 : 0;
      counts.dead += d.state == "dead" ? 1 : 0;
    }
    return counts;
  }

  std::vector<Delivery> Deliveries() const {
    std::lock_guard lock(mu_);
    return deliveries_;
  }
  store::ChangeCursor Cursor() const {
    std::lock_guard lock(mu_);
    return cursor_;
  }

  FaultPlan faults;
  FakeFence fence;

 private:
  struct Subscription {
    store::SubscriptionMatchRecord match;
    std::string url;
    std::string secret;
  };

  const core::Clock& clock_;
  mutable std::mutex mu_;
  std::vector<Subscription> subscriptions_;
  std::vector<store::ChangeRecord> feed_;
  std::vector<Delivery> deliveries_;
  store::ChangeCursor cursor_;
  std::uint64_t xid_ = 500;
  int ids_ = 0;
};

}  // namespace vik::testing
