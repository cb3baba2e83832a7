#pragma once

// What a periodic job needs of the threads it runs on: a timer and a worker. core has no Asio, so
// the job depends on this narrow interface; app::AsioJobExecutor implements it over the io_context
// (timers) and a BlockingPool (steps) or the io thread itself (quick steps such as the systemd
// watchdog), and the unit tests over core::FakeClock (tests/support/fakes/job_executor.h).
// Thread-safety: implementations are safe for concurrent use.

#include <chrono>
#include <functional>

namespace vik::core {

class JobExecutor {
 public:
  using Task = std::function<void()>;
  virtual ~JobExecutor() = default;

  // Runs `fn` once, `delay` from now, on a timer thread; never inline on the caller. `fn` must be
  // quick and must not throw. A timer cancelled at shutdown never runs its `fn`.
  virtual void RunAfter(std::chrono::milliseconds delay, Task fn) = 0;
  // Queues `step` on a worker; false when it was refused (queue full, stopping): the caller tries
  // again later. A step that throws is a catch boundary of the worker.
  [[nodiscard]] virtual bool Submit(Task step) = 0;
};

}  // namespace vik::core
