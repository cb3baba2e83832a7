#include "app/asio_job_executor.h"

#include "core/internal_errors.h"

namespace vik::app {

void AsioJobExecutor::RunAfter(std::chrono::milliseconds delay, Task fn) {
  std::lock_guard lock(mu_);
  if (closed_) {
    return;
  }
  auto timer = std::make_shared<boost::asio::steady_timer>(ioc_, delay);
  timers_.insert(timer);
  timer->async_wait([this, timer, fn = std::move(fn)](const boost::system::error_code& ec) {
    {
      std::lock_guard done(mu_);
      timers_.erase(timer);
      if (ec || closed_) {
        return;
      }
    }
    try {
      fn();
    } catch (...) {
      core::ReportCurrentException(core::ErrorBoundary::kIoHandler, "periodic job timer");
    }
  });
}

bool AsioJobExecutor::Submit(Task step) {
  if (pool_ == nullptr) {
    step();
    return true;
  }
  return pool_->TrySubmit(std::move(step));
}

void AsioJobExecutor::Close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  for (const auto& timer : timers_) {
    timer->cancel();
  }
}

}  // namespace vik::app
