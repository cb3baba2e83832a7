#include "cluster/lease_loop.h"

#include "core/internal_errors.h"

namespace vik::cluster {

LeaseLoop::LeaseLoop(LeaderLease& lease, std::chrono::milliseconds interval) : lease_(lease), interval_(interval) {}

void LeaseLoop::Run() {
  auto next = std::chrono::steady_clock::now();
  for (;;) {
    {
      std::unique_lock lock(mu_);
      if (wake_.wait_until(lock, next, [this] { return stopping_; })) {
        return;
      }
    }
    const auto started = std::chrono::steady_clock::now();
    try {
      lease_.Tick();
    } catch (...) {
      core::ReportCurrentException(core::ErrorBoundary::kBackground, "leader lease loop");
    }
    next = started + interval_;
  }
}

void LeaseLoop::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
}

}  // namespace vik::cluster
