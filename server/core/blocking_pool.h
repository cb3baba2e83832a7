#pragma once

// A fixed set of worker threads draining a bounded FIFO of tasks. Used for every blocking call
// (libpqxx) so that Asio and gRPC reactions never block. Overload is refused, never queued without
// bound: TrySubmit returns false when the queue is full, or (with a queue-wait bound) when the oldest
// queued task has already waited longer than that bound, and the caller answers RESOURCE_EXHAUSTED
// (429/503 with Retry-After). A task submitted with a `shed` callback that has waited longer than the
// bound when a worker takes it is not run: `shed` runs instead (it answers the refusal). So no task
// with a shed callback starts later than the bound after it was queued, whatever the workers' speed:
// a flood of slow reads is refused instead of making every answer wait seconds.
// Tasks may name an owner (the partner they serve): with max_per_owner, an owner holds at most that
// many tasks at once, queued or running, so that one partner's flood leaves the other workers to
// the other partners; further tasks of that owner are refused (kOwnerQuota) at once.
// A task that throws is a catch boundary: the exception is reported (core/internal_errors.h) and the
// worker goes on with the next task.
// Owned by app::Runtime, which is the only place that constructs one.
// Thread-safety: TrySubmit is safe for concurrent use; Start/Stop are called by the owner only. The
// clock is read in TrySubmit and by a worker taking a task (a FakeClock is fine when tests advance it
// only while the workers are parked).

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace vik::core {

struct BlockingPoolOptions {
  std::size_t threads = 1;
  std::size_t max_queued = 64;
  // 0: no bound. Otherwise TrySubmit refuses while the oldest queued task has waited longer.
  std::chrono::milliseconds max_queue_wait{0};
  // Added to the workers' nice value (0..19) so that CPU-heavy tasks (rendering big pages) yield to
  // the io threads and the lease; Linux applies it per thread. 0: unchanged.
  int nice = 0;
  // Tasks one owner (Offer's `owner`) may hold at once, queued or running. 0: no quota (owners
  // are then not counted).
  std::size_t max_per_owner = 0;
  // How RefusalStatus names an owner and the setting behind max_per_owner, e.g. "partner" and
  // "runtime.blocking_per_partner".
  std::string owner_kind = "owner";
  std::string owner_quota_setting = "max_per_owner";
};

// Why TrySubmit refused a task (a closed set: a metric label).
// kShed: taken by a worker after waiting longer than max_queue_wait; its shed callback ran.
// kOwnerQuota: the task's owner already holds max_per_owner tasks.
enum class PoolRefusal { kQueueFull, kQueueWait, kStopping, kShed, kOwnerQuota };
inline constexpr PoolRefusal kAllPoolRefusals[] = {PoolRefusal::kQueueFull, PoolRefusal::kQueueWait,
                                                   PoolRefusal::kStopping, PoolRefusal::kShed,
                                                   PoolRefusal::kOwnerQuota};

class BlockingPool {
 public:
  using Task = std::function<void()>;
  // Called on the submitting thread for a refusal, on the worker for kShed. Must not throw.
  using RefusalObserver = std::function<void(PoolRefusal)>;

  BlockingPool(std::string name, std::size_t threads, std::size_t max_queued);
  BlockingPool(std::string name, BlockingPoolOptions options, const Clock& clock = DefaultClock());
  ~BlockingPool();  // Stops and joins.
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Called for every refused or shed task. REQUIRES: set before Start().
  void SetRefusalObserver(RefusalObserver observer) { on_refused_ = std::move(observer); }

  void Start();
  // Runs the tasks already queued, then joins the workers. Later TrySubmit calls return false.
  // REQUIRES: Start() was called (without workers, queued tasks are discarded).
  void Stop();

  // Queues `task`; false if the queue is full, its oldest task waited too long, or the pool is
  // stopping. With `shed` (and a max_queue_wait), a worker that takes the task after it waited
  // longer than max_queue_wait runs `shed` instead of `task`; without, `task` runs however late.
  [[nodiscard]] bool TrySubmit(Task task, Task shed = {}) { return !Offer(std::move(task), std::move(shed)); }

  // TrySubmit for a task of `owner` (empty: none, never counted against max_per_owner); the
  // refusal, or nullopt when the task was queued.
  [[nodiscard]] std::optional<PoolRefusal> Offer(Task task, Task shed = {}, std::string owner = {});

  std::size_t queued() const;
  std::size_t busy() const;
  std::size_t threads() const { return options_.threads; }
  std::size_t capacity() const { return options_.max_queued; }
  std::size_t max_per_owner() const { return options_.max_per_owner; }
  // A refusal of `owner`'s task as the caller's answer: RESOURCE_EXHAUSTED, for kOwnerQuota naming
  // the owner and the quota ("partner P already has 4 requests in progress on this instance, its
  // quota (runtime.blocking_per_partner); retry shortly"), else "the server is busy; retry shortly".
  Status RefusalStatus(PoolRefusal reason, const std::string& owner) const;
  // Tasks of `owner` queued or running.
  std::size_t held_by(const std::string& owner) const;
  std::chrono::milliseconds max_queue_wait() const { return options_.max_queue_wait; }

 private:
  struct Queued {
    Task task;
    Task shed;
    MonoTime enqueued;
    std::string owner;
  };

  static const Clock& DefaultClock();
  void WorkerLoop();

  const std::string name_;
  const BlockingPoolOptions options_;
  const Clock& clock_;
  RefusalObserver on_refused_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Queued> queue_;
  std::size_t busy_ = 0;
  std::map<std::string, std::size_t> held_;  // tasks queued or running per non-empty owner
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

// "queue_full", "queue_wait", "stopping", "shed", "owner_quota".
const char* PoolRefusalName(PoolRefusal reason);

}  // namespace vik::core
