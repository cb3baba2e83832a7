#pragma once

// Runs LeaderLease::Tick once per renew interval on a thread of its own (app::Runtime starts the
// thread, Run() is its body), apart from the io threads (whose timers a busy event loop delays)
// and the blocking pool (whose queue a read flood fills). The lease's store is a lane of one
// connection used by nothing else (store::Store::OpenLane), so a renewal never waits for a
// connection either. The cadence is kept: each round starts one interval after the previous one
// started (at once when a round took longer than the interval). The leader's duties are not run
// here: they are periodic jobs of their own (cluster::LeaderJob) that look at the lease.
// Thread-safety: Run on one thread; Stop from any thread, once Run may have started.

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "cluster/leader_lease.h"

namespace vik::cluster {

class LeaseLoop {
 public:
  LeaseLoop(LeaderLease& lease, std::chrono::milliseconds interval);

  // Ticks until Stop(). A Tick that throws is reported (core/internal_errors.h) and the loop goes on.
  void Run();
  // Wakes Run and makes it return after the round in flight, if any.
  void Stop();

 private:
  LeaderLease& lease_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

}  // namespace vik::cluster
