#include "core/blocking_pool.h"

#include <pthread.h>

#include "core/internal_errors.h"

namespace vik::core {

BlockingPool::BlockingPool(std::string name, std::size_t threads, std::size_t max_queued)
    : name_(std::move(name)), thread_count_(threads), max_queued_(max_queued) {}

BlockingPool::~BlockingPool() { Stop(); }

void BlockingPool::Start() {
  for (std::size_t i = 0; i < thread_count_; ++i) {
    workers_.emplace_back([this] { WorkerLoop(); });
    pthread_setname_np(workers_.back().native_handle(), name_.substr(0, 15).c_str());
  }
}

void BlockingPool::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && workers_.empty()) {
      return;
    }
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) {
    if (t.joinable()) {
      t.join();
    }
  }
  workers_.clear();
}

bool BlockingPool::TrySubmit(Task task) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= max_queued_) {
      return false;
    }
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
  return true;
}

std::size_t BlockingPool::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

std::size_t BlockingPool::busy() const {
  std::lock_guard lock(mu_);
  return busy_;
}

void BlockingPool::WorkerLoop() {
  for (;;) {
    Task task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        return;  // stopping and drained
      }
      task = std::move(queue_.front());
      queue_.pop_front();
      ++busy_;
    }
    try {
      task();
    } catch (...) {
      ReportCurrentException(ErrorBoundary::kPoolTask, name_);
    }
    std::lock_guard lock(mu_);
    --busy_;
  }
}

}  // namespace vik::core
