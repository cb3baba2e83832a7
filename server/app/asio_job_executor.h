#pragma once

// core::JobExecutor over the io_context: timers are Asio steady_timers run by the io threads; steps
// go to a BlockingPool (the jobs pool) or, without one, run on the io thread that fired the timer
// (only for quick steps that must prove the event loop alive, such as the systemd watchdog).
// Close() (shutdown) cancels every pending timer and drops later ones, so the io threads can end
// without waiting for the next period of any job.
// Thread-safety: safe for concurrent use; the timers are touched only under the executor's mutex.

#include <memory>
#include <mutex>
#include <set>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/blocking_pool.h"
#include "core/job_executor.h"

namespace vik::app {

class AsioJobExecutor final : public core::JobExecutor {
 public:
  // `pool` null: steps run inline on the io thread. Both must outlive the executor's timers.
  AsioJobExecutor(boost::asio::io_context& ioc, core::BlockingPool* pool) : ioc_(ioc), pool_(pool) {}

  void RunAfter(std::chrono::milliseconds delay, Task fn) override;
  [[nodiscard]] bool Submit(Task step) override;
  // Cancels the pending timers (their functions never run) and ignores later RunAfter calls.
  void Close();

 private:
  boost::asio::io_context& ioc_;
  core::BlockingPool* const pool_;
  std::mutex mu_;
  bool closed_ = false;
  std::set<std::shared_ptr<boost::asio::steady_timer>> timers_;
};

}  // namespace vik::app
