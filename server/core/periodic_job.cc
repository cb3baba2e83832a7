#include "core/periodic_job.h"

#include <algorithm>
#include <exception>

#include "core/internal_errors.h"
#include "core/logging.h"

namespace vik::core {

PeriodicJob::PeriodicJob(PeriodicJobOptions options, JobExecutor& executor, Step step, Gate gate,
                         std::shared_ptr<spdlog::logger> log)
    : options_(std::move(options)),
      executor_(executor),
      step_(std::move(step)),
      gate_(std::move(gate)),
      log_(std::move(log)),
      random_(std::random_device{}()) {}

PeriodicJob::~PeriodicJob() { Stop(); }

void PeriodicJob::Start() { Schedule(options_.initial_delay); }

void PeriodicJob::Stop() {
  std::unique_lock lock(mu_);
  stopped_ = true;
  idle_.wait(lock, [this] { return !running_; });
}

void PeriodicJob::RequestStop() {
  std::lock_guard lock(mu_);
  stopped_ = true;
}

bool PeriodicJob::stopped() const {
  std::lock_guard lock(mu_);
  return stopped_;
}

std::uint64_t PeriodicJob::failures() const {
  std::lock_guard lock(mu_);
  return failures_;
}

std::chrono::milliseconds PeriodicJob::DelayAfter(std::uint64_t failures) const {
  if (failures == 0 || options_.failure_period.count() <= 0) {
    return options_.period;
  }
  const auto max = options_.max_failure_period.count() > 0 ? options_.max_failure_period : options_.failure_period * 32;
  const auto doubled = options_.failure_period * (std::int64_t{1} << (std::min<std::uint64_t>(failures, 6) - 1));
  return std::min(doubled, max);
}

std::chrono::milliseconds PeriodicJob::Jittered(std::chrono::milliseconds delay) {
  if (options_.jitter.count() <= 0) {
    return delay;
  }
  std::int64_t offset = 0;
  {
    std::lock_guard lock(mu_);
    offset = std::uniform_int_distribution<std::int64_t>(-options_.jitter.count(), options_.jitter.count())(random_);
  }
  return std::max(std::chrono::milliseconds(0), delay + std::chrono::milliseconds(offset));
}

void PeriodicJob::Schedule(std::chrono::milliseconds delay) {
  executor_.RunAfter(delay, [this] { Fire(); });
}

// On the timer thread: the gate, then the step goes to a worker.
void PeriodicJob::Fire() {
  if (stopped()) {
    return;
  }
  bool open = true;
  if (gate_) {
    try {
      open = gate_();
    } catch (...) {
      ReportCurrentException(ErrorBoundary::kBackground, options_.name);
      open = false;
    }
  }
  if (!open || !executor_.Submit([this] { RunStep(); })) {
    Schedule(Jittered(options_.period));
  }
}

void PeriodicJob::RunStep() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) {
      return;
    }
    running_ = true;
  }
  Status s = Status::Ok();
  try {
    s = step_();
  } catch (const std::exception& e) {
    ReportCurrentException(ErrorBoundary::kBackground, options_.name);
    s = Internal(options_.name + ": the step threw: " + e.what());
  } catch (...) {
    ReportCurrentException(ErrorBoundary::kBackground, options_.name);
    s = Internal(options_.name + ": the step threw");
  }
  std::uint64_t failures = 0;
  bool stopped = false;
  {
    std::lock_guard lock(mu_);
    failures_ = s.ok() ? 0 : failures_ + 1;
    failures = failures_;
    stopped = stopped_;
  }
  if (!s.ok() && !options_.failure_log.empty() && log_ && (failures - 1) % 100 == 0) {
    LogWarn(*log_, options_.failure_log, {{"error", s.message()}, {"failures", failures}});
  }
  // Scheduled while still running, so that Stop() returning means nothing more is scheduled.
  if (!stopped) {
    Schedule(Jittered(DelayAfter(failures)));
  }
  {
    std::lock_guard lock(mu_);
    running_ = false;
  }
  idle_.notify_all();
}

}  // namespace vik::core
