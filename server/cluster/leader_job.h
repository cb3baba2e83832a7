#pragma once

// A leader-only periodic job, as userver's dist-lock component runs DoWork() only under the lock: a
// core::PeriodicJob whose step runs only while this instance holds the leader lease, and is handed
// the fence of that term. Before each run (on the timer thread) the lease is looked at: without it
// the run is skipped (`on_idle` runs, e.g. to drop a warm cache) and the step is not started, so a
// lost lease stops the duty from the next period on. A step started under the lease gets the fence
// it must pass to every singleton write, and `keep_going`, false as soon as the job is stopping or
// the lease is no longer held in that term: a step whose lease was lost mid-round stops early, and
// what it still writes is refused by the fence (never written unfenced). A step answering a fenced
// status (store::IsFenced) makes the instance step down (LeaseAccess::on_fenced, naming the write)
// and is not counted as a failure; any other error is (the job's backoff).
// Thread-safety: as core::PeriodicJob.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cluster/leader_lease.h"
#include "core/periodic_job.h"
#include "store/cluster_records.h"

namespace vik::cluster {

// What a leader-only job needs of the lease (LeaseAccessOf(LeaderLease&) in production).
struct LeaseAccess {
  std::function<std::optional<store::Fence>()> fence;  // nullopt while not leader
  std::function<void(const std::string& what)> on_fenced;
};
LeaseAccess LeaseAccessOf(LeaderLease& lease);

struct LeaderJobOptions {
  core::PeriodicJobOptions job;
  std::string fenced_write;  // what on_fenced names ("picture keeper"); empty: the job's name
};

class LeaderJob {
 public:
  using KeepGoing = std::function<bool()>;
  using Step = std::function<core::Status(const store::Fence& fence, const KeepGoing& keep_going)>;
  using Idle = std::function<void()>;  // on the timer thread, for each run skipped without the lease

  LeaderJob(LeaderJobOptions options, core::JobExecutor& executor, LeaseAccess lease, Step step, Idle on_idle = {},
            std::shared_ptr<spdlog::logger> log = {});

  void Start() { job_.Start(); }
  void Stop() { job_.Stop(); }
  void RequestStop() { job_.RequestStop(); }
  core::PeriodicJob& job() { return job_; }

 private:
  core::Status Run();

  const std::string fenced_write_;
  const LeaseAccess lease_;
  const Step step_;
  const Idle on_idle_;
  core::PeriodicJob job_;  // last: its threads use the members above
};

}  // namespace vik::cluster
