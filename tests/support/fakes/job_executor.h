#pragma once

// core::JobExecutor for unit tests: timers are due on a core::FakeClock and fire only when the test
// says so (FireNext), submitted steps wait in a queue until RunQueued. Nothing runs on its own and
// nothing sleeps. Every delay asked for is recorded, in order, for the test to check.
// Thread-safety: RunAfter and Submit may be called from a step running on a test's own thread;
// FireNext and RunQueued belong to the test's main thread.

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

#include "core/clock.h"
#include "core/job_executor.h"

namespace vik::testing {

class FakeJobExecutor final : public core::JobExecutor {
 public:
  explicit FakeJobExecutor(core::FakeClock& clock) : clock_(clock) {}

  void RunAfter(std::chrono::milliseconds delay, Task fn) override {
    std::lock_guard lock(mu_);
    delays_.push_back(delay);
    timers_.push_back({clock_.Monotonic() + delay, std::move(fn)});
  }
  bool Submit(Task step) override {
    std::lock_guard lock(mu_);
    if (refuse_) {
      return false;
    }
    queued_.push_back(std::move(step));
    return true;
  }

  // Advances the clock to the earliest pending timer and runs its function; false when none.
  bool FireNext() {
    Task fn;
    {
      std::lock_guard lock(mu_);
      if (timers_.empty()) {
        return false;
      }
      auto next = timers_.begin();
      for (auto it = timers_.begin(); it != timers_.end(); ++it) {
        if (it->due < next->due) {
          next = it;
        }
      }
      if (next->due > clock_.Monotonic()) {
        clock_.Advance(next->due - clock_.Monotonic());
      }
      fn = std::move(next->fn);
      timers_.erase(next);
    }
    fn();
    return true;
  }
  // Runs the queued steps in order (also those queued meanwhile); how many ran.
  std::size_t RunQueued() {
    std::size_t ran = 0;
    for (;;) {
      Task step;
      {
        std::lock_guard lock(mu_);
        if (queued_.empty()) {
          return ran;
        }
        step = std::move(queued_.front());
        queued_.pop_front();
      }
      step();
      ++ran;
    }
  }
  // Takes the oldest queued step without running it (a test runs it on a thread of its own).
  Task TakeQueued() {
    std::lock_guard lock(mu_);
    Task step = std::move(queued_.front());
    queued_.pop_front();
    return step;
  }
  // One period of a job: fire the next timer, run what it queued.
  void Cycle() {
    FireNext();
    RunQueued();
  }

  void set_refuse(bool refuse) {
    std::lock_guard lock(mu_);
    refuse_ = refuse;
  }
  std::vector<std::chrono::milliseconds> delays() const {
    std::lock_guard lock(mu_);
    return delays_;
  }
  std::chrono::milliseconds last_delay() const {
    std::lock_guard lock(mu_);
    return delays_.back();
  }
  std::size_t pending_timers() const {
    std::lock_guard lock(mu_);
    return timers_.size();
  }
  std::size_t queued() const {
    std::lock_guard lock(mu_);
    return queued_.size();
  }

 private:
  struct Timer {
    core::MonoTime due;
    Task fn;
  };
  core::FakeClock& clock_;
  mutable std::mutex mu_;
  std::vector<Timer> timers_;
  std::deque<Task> queued_;
  std::vector<std::chrono::milliseconds> delays_;
  bool refuse_ = false;
};

}  // namespace vik::testing
