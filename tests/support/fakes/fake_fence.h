#pragma once

// Which fence an in-memory fake accepts: the lease term the test says holds (Grant) or none
// (Revoke: another instance took over). A fenced write of a fake calls Check first and returns
// its status, as the store's fence check does (store/fence_status.h).
// Header-only, no I/O. Thread-safety: safe for concurrent use.

#include <mutex>
#include <optional>

#include "core/status.h"
#include "store/cluster_records.h"
#include "store/fence_status.h"

namespace vik::testing {

class FakeFence {
 public:
  void Grant(const store::Fence& fence) {
    std::lock_guard lock(mu_);
    holder_ = fence;
  }
  void Revoke() {
    std::lock_guard lock(mu_);
    holder_.reset();
  }
  // OK when `fence` is the term granted; store::FencedStatus otherwise.
  core::Status Check(const store::Fence& fence) const {
    std::lock_guard lock(mu_);
    if (holder_ && holder_->lease == fence.lease && holder_->holder == fence.holder && holder_->epoch == fence.epoch) {
      return core::Status::Ok();
    }
    return store::FencedStatus(fence);
  }
  // An unfenced write (std::nullopt) always passes.
  core::Status Check(const std::optional<store::Fence>& fence) const {
    return fence ? Check(*fence) : core::Status::Ok();
  }

 private:
  mutable std::mutex mu_;
  std::optional<store::Fence> holder_;
};

}  // namespace vik::testing
