#pragma once

// One periodic job: a named step run again and again on a JobExecutor, one run at a time, as
// userver's utils::PeriodicTask. The first step runs `initial_delay` after Start(); each next one a
// period (± up to `jitter`) after the previous one ended, so runs never overlap. After a failed
// step (a non-OK Status, or an exception) the next waits longer: failure_period × 2^(n-1) after n
// failures in a row (the doubling stops at 2^5), at most max_failure_period; a success resets it.
// A step that throws is a failure: the exception is reported (core/internal_errors.h, boundary
// kBackground, context = the job's name) and never escapes. With `failure_log`, the first failure
// of a run and then one in a hundred are logged as that message with the error and the count.
// A step the executor refuses (its pool is full) is tried again a period later.
// `gate` (optional) runs on the timer thread before each step is submitted: false skips this run
// (the next is a period later), as the leader-only wrapper does without the lease.
// Stop() waits for a step in flight to end (RequestStop() only asks); after it no step starts, and timers still pending
// do nothing. The job must outlive its executor's timers and queued steps (app::Runtime joins the io threads and stops
// the pools before it destroys the jobs). Thread-safety: Start and Stop from the owner; everything else runs on the
// executor's threads.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include <spdlog/logger.h>

#include "core/job_executor.h"
#include "core/status.h"

namespace vik::core {

struct PeriodicJobOptions {
  std::string name;  // names the job in reports and logs
  std::chrono::milliseconds period{1000};
  std::chrono::milliseconds initial_delay{0};
  // Each delay is drawn uniformly from period ± jitter (never below 0). 0: exactly the period.
  std::chrono::milliseconds jitter{0};
  // 0: a failed step is followed by an ordinary period.
  std::chrono::milliseconds failure_period{0};
  std::chrono::milliseconds max_failure_period{0};  // 0: failure_period × 32 at most
  std::string failure_log;                          // empty: failures are not logged here (the step logs what it wants)
};

class PeriodicJob {
 public:
  using Step = std::function<Status()>;
  using Gate = std::function<bool()>;

  // `log` is needed only with options.failure_log.
  PeriodicJob(PeriodicJobOptions options, JobExecutor& executor, Step step, Gate gate = {},
              std::shared_ptr<spdlog::logger> log = {});
  ~PeriodicJob();  // Stop()
  PeriodicJob(const PeriodicJob&) = delete;
  PeriodicJob& operator=(const PeriodicJob&) = delete;

  // Schedules the first step. REQUIRES: called once.
  void Start();
  // No step starts after it returns; waits for the one in flight, if any. Idempotent.
  void Stop();
  // Stop() without the wait: no step starts after it, one in flight runs on (shutdown asks every
  // job at once, then waits for them where the pools are stopped).
  void RequestStop();

  bool stopped() const;
  const std::string& name() const { return options_.name; }
  // Failed steps in a row (0 after a success).
  std::uint64_t failures() const;
  // The delay that follows a step ending with `failures` failures in a row (before jitter).
  std::chrono::milliseconds DelayAfter(std::uint64_t failures) const;

 private:
  void Schedule(std::chrono::milliseconds delay);
  void Fire();
  void RunStep();
  std::chrono::milliseconds Jittered(std::chrono::milliseconds delay);

  const PeriodicJobOptions options_;
  JobExecutor& executor_;
  const Step step_;
  const Gate gate_;
  const std::shared_ptr<spdlog::logger> log_;

  mutable std::mutex mu_;
  std::condition_variable idle_;
  bool stopped_ = false;
  bool running_ = false;
  std::uint64_t failures_ = 0;
  std::minstd_rand random_;
};

}  // namespace vik::core
