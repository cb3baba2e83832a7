#pragma once

// An in-memory store::LeaseStore: one lease row per name, expiring by `db_clock` (the database's
// clock; a core::FakeClock in tests). Calls fail as `faults` says (fault_plan.h; operations
// "AcquireLease", "RenewLease", "ReleaseLease"). Header-only, no I/O.
// Thread-safety: safe for concurrent use.

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/clock.h"
#include "fakes/fault_plan.h"
#include "store/lease_store.h"

namespace vik::testing {

class FakeLeaseStore final : public store::LeaseStore {
 public:
  struct Row {
    std::optional<std::string> holder;
    std::int64_t epoch = 0;
    core::WallTime expires_at{};
  };

  explicit FakeLeaseStore(const core::Clock& db_clock) : clock_(db_clock) {}

  core::Result<std::optional<std::int64_t>> AcquireLease(const std::string& lease, const std::string& holder,
                                                         std::chrono::milliseconds ttl) override {
    if (core::Status s = faults.Before("AcquireLease"); !s.ok()) {
      return s;
    }
    std::optional<std::int64_t> epoch;
    {
      std::lock_guard lock(mu_);
      Row& row = rows_[lease];
      if (!row.holder || clock_.Now() >= row.expires_at) {
        row.holder = holder;
        row.epoch += 1;
        row.expires_at = clock_.Now() + ttl;
        epoch = row.epoch;
      }
    }
    if (core::Status s = faults.After("AcquireLease"); !s.ok()) {
      return s;
    }
    return epoch;
  }

  core::Result<bool> RenewLease(const store::Fence& fence, std::chrono::milliseconds ttl) override {
    if (core::Status s = faults.Before("RenewLease"); !s.ok()) {
      return s;
    }
    bool renewed = false;
    {
      std::lock_guard lock(mu_);
      Row& row = rows_[fence.lease];
      if (Holds(row, fence)) {
        row.expires_at = clock_.Now() + ttl;
        renewed = true;
      }
    }
    if (core::Status s = faults.After("RenewLease"); !s.ok()) {
      return s;
    }
    return renewed;
  }

  core::Status ReleaseLease(const store::Fence& fence) override {
    if (core::Status s = faults.Before("ReleaseLease"); !s.ok()) {
      return s;
    }
    {
      std::lock_guard lock(mu_);
      Row& row = rows_[fence.lease];
      if (Holds(row, fence)) {
        row.holder.reset();
      }
    }
    return faults.After("ReleaseLease");
  }

  // Another instance takes the lease now (as after this one's term expired in the database).
  void TakeOver(const std::string& lease, const std::string& holder, std::chrono::milliseconds ttl) {
    std::lock_guard lock(mu_);
    Row& row = rows_[lease];
    row.holder = holder;
    row.epoch += 1;
    row.expires_at = clock_.Now() + ttl;
  }
  Row Read(const std::string& lease) const {
    std::lock_guard lock(mu_);
    auto it = rows_.find(lease);
    return it == rows_.end() ? Row{} : it->second;
  }

  FaultPlan faults;

 private:
  bool Holds(const Row& row, const store::Fence& fence) const {
    return row.holder == fence.holder && row.epoch == fence.epoch && clock_.Now() < row.expires_at;
  }

  const core::Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, Row> rows_;
};

}  // namespace vik::testing
