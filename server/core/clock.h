#pragma once

// Time sources. Domain code takes a Clock& so tests can use FakeClock; production uses SystemClock.
// Thread-safety: SystemClock is safe for concurrent use; FakeClock is for single-threaded tests.

#include <chrono>

namespace vik::core {

using WallTime = std::chrono::system_clock::time_point;
using MonoTime = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual WallTime Now() const = 0;
  virtual MonoTime Monotonic() const = 0;
};

class SystemClock final : public Clock {
 public:
  WallTime Now() const override { return std::chrono::system_clock::now(); }
  MonoTime Monotonic() const override { return std::chrono::steady_clock::now(); }
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(WallTime start) : now_(start) {}
  WallTime Now() const override { return now_; }
  MonoTime Monotonic() const override { return MonoTime{} + now_.time_since_epoch(); }
  void Advance(std::chrono::nanoseconds d) { now_ += std::chrono::duration_cast<WallTime::duration>(d); }

 private:
  WallTime now_;
};

}  // namespace vik::core
