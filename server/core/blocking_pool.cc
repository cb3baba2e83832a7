#include "core/blocking_pool.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <optional>

#include "core/internal_errors.h"

namespace vik::core {

namespace {

BlockingPoolOptions SizedOptions(std::size_t threads, std::size_t max_queued) {
  BlockingPoolOptions options;
  options.threads = threads;
  options.max_queued = max_queued;
  return options;
}

}  // namespace

const char* PoolRefusalName(PoolRefusal reason) {
  switch (reason) {
    case PoolRefusal::kQueueFull:
      return "queue_full";
    case PoolRefusal::kQueueWait:
      return "queue_wait";
    case PoolRefusal::kStopping:
      return "stopping";
    case PoolRefusal::kShed:
      return "shed";
    case PoolRefusal::kOwnerQuota:
      return "owner_quota";
  }
  return "queue_full";
}

const Clock& BlockingPool::DefaultClock() {
  static const SystemClock clock;
  return clock;
}

BlockingPool::BlockingPool(std::string name, std::size_t threads, std::size_t max_queued)
    : BlockingPool(std::move(name), SizedOptions(threads, max_queued)) {}

BlockingPool::BlockingPool(std::string name, BlockingPoolOptions options, const Clock& clock)
    : name_(std::move(name)), options_(options), clock_(clock) {}

BlockingPool::~BlockingPool() { Stop(); }

void BlockingPool::Start() {
  for (std::size_t i = 0; i < options_.threads; ++i) {
    workers_.emplace_back([this] {
      if (options_.nice > 0) {
        // Per thread on Linux (the tid names the thread); lowering one's own priority needs no
        // privilege, and a failure only leaves the default priority.
        (void)setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), options_.nice);
      }
      WorkerLoop();
    });
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

std::optional<PoolRefusal> BlockingPool::Offer(Task task, Task shed, std::string owner) {
  std::optional<PoolRefusal> refused;
  {
    std::lock_guard lock(mu_);
    const MonoTime now = clock_.Monotonic();
    if (options_.max_per_owner == 0) {
      owner.clear();  // no quota: nothing to count
    }
    const auto held = owner.empty() ? held_.end() : held_.find(owner);
    if (stopping_) {
      refused = PoolRefusal::kStopping;
    } else if (held != held_.end() && held->second >= options_.max_per_owner) {
      refused = PoolRefusal::kOwnerQuota;
    } else if (queue_.size() >= options_.max_queued) {
      refused = PoolRefusal::kQueueFull;
    } else if (options_.max_queue_wait.count() > 0 && !queue_.empty() &&
               now - queue_.front().enqueued > options_.max_queue_wait) {
      refused = PoolRefusal::kQueueWait;
    } else {
      if (!owner.empty()) {
        ++held_[owner];
      }
      queue_.push_back({std::move(task), std::move(shed), now, std::move(owner)});
    }
  }
  if (refused) {
    if (on_refused_) {
      on_refused_(*refused);
    }
    return refused;
  }
  cv_.notify_one();
  return std::nullopt;
}

Status BlockingPool::RefusalStatus(PoolRefusal reason, const std::string& owner) const {
  if (reason == PoolRefusal::kOwnerQuota) {
    return ResourceExhausted(
        options_.owner_kind + " " + owner + " already has " + std::to_string(options_.max_per_owner) +
        " requests in progress on this instance, its quota (" + options_.owner_quota_setting + "); retry shortly");
  }
  return ResourceExhausted("the server is busy; retry shortly");
}

std::size_t BlockingPool::held_by(const std::string& owner) const {
  std::lock_guard lock(mu_);
  const auto it = held_.find(owner);
  return it == held_.end() ? 0 : it->second;
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
    std::string owner;
    bool shed = false;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        return;  // stopping and drained
      }
      Queued& front = queue_.front();
      shed = front.shed && options_.max_queue_wait.count() > 0 &&
             clock_.Monotonic() - front.enqueued > options_.max_queue_wait;
      task = std::move(shed ? front.shed : front.task);
      owner = std::move(front.owner);
      queue_.pop_front();
      ++busy_;
    }
    if (shed && on_refused_) {
      on_refused_(PoolRefusal::kShed);
    }
    try {
      task();
    } catch (...) {
      ReportCurrentException(ErrorBoundary::kPoolTask, name_);
    }
    task = nullptr;  // what the task captured is released before its owner's count is
    std::lock_guard lock(mu_);
    --busy_;
    if (!owner.empty()) {
      if (const auto it = held_.find(owner); it != held_.end() && --it->second == 0) {
        held_.erase(it);
      }
    }
  }
}

}  // namespace vik::core
