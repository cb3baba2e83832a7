#pragma once

// A fixed set of worker threads draining a bounded FIFO of tasks. Used for every blocking call
// (libpqxx) so that Asio and gRPC reactions never block. Overload is refused, never queued without
// bound: TrySubmit returns false when the queue is full, and the caller answers RESOURCE_EXHAUSTED.
// A task that throws is a catch boundary: the exception is reported (core/internal_errors.h) and the
// worker goes on with the next task.
// Owned by app::Runtime, which is the only place that constructs one.
// Thread-safety: TrySubmit is safe for concurrent use; Start/Stop are called by the owner only.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vik::core {

class BlockingPool {
 public:
  using Task = std::function<void()>;

  BlockingPool(std::string name, std::size_t threads, std::size_t max_queued);
  ~BlockingPool();  // Stops and joins.
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  void Start();
  // Runs the tasks already queued, then joins the workers. Later TrySubmit calls return false.
  // REQUIRES: Start() was called (without workers, queued tasks are discarded).
  void Stop();

  // Queues `task`; false if the queue is full or the pool is stopping.
  [[nodiscard]] bool TrySubmit(Task task);

  std::size_t queued() const;
  std::size_t busy() const;
  std::size_t threads() const { return thread_count_; }
  std::size_t capacity() const { return max_queued_; }

 private:
  void WorkerLoop();

  const std::string name_;
  const std::size_t thread_count_;
  const std::size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> queue_;
  std::size_t busy_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace vik::core
