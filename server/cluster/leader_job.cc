#include "cluster/leader_job.h"

#include "store/fence_status.h"

namespace vik::cluster {

LeaseAccess LeaseAccessOf(LeaderLease& lease) {
  return {[&lease] { return lease.fence(); }, [&lease](const std::string& what) { lease.OnFenced(what); }};
}

LeaderJob::LeaderJob(LeaderJobOptions options, core::JobExecutor& executor, LeaseAccess lease, Step step, Idle on_idle,
                     std::shared_ptr<spdlog::logger> log)
    : fenced_write_(options.fenced_write.empty() ? options.job.name : options.fenced_write),
      lease_(std::move(lease)),
      step_(std::move(step)),
      on_idle_(std::move(on_idle)),
      job_(
          std::move(options.job), executor, [this] { return Run(); },
          [this] {
            if (lease_.fence()) {
              return true;
            }
            if (on_idle_) {
              on_idle_();
            }
            return false;
          },
          std::move(log)) {}

core::Status LeaderJob::Run() {
  const std::optional<store::Fence> fence = lease_.fence();
  if (!fence) {
    return core::Status::Ok();  // lost between the timer and the worker: nothing to do this period
  }
  const std::int64_t epoch = fence->epoch;
  const KeepGoing keep_going = [this, epoch] {
    if (job_.stopped()) {
      return false;
    }
    const auto now = lease_.fence();
    return now && now->epoch == epoch;
  };
  core::Status s = step_(*fence, keep_going);
  if (store::IsFenced(s)) {
    lease_.on_fenced(fenced_write_);
    return core::Status::Ok();
  }
  return s;
}

}  // namespace vik::cluster
