#pragma once

// Per-partner token buckets: each partner may submit `rate` signals per second on average, with
// bursts up to `burst`. A partner over its limit is refused (RESOURCE_EXHAUSTED / 429 with
// Retry-After) without affecting other partners. Limits are per instance.
// Thread-safety: safe for concurrent use.

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/clock.h"

namespace vik::ingest {

class RateLimiter {
 public:
  // rate <= 0 disables limiting.
  RateLimiter(double rate_per_second, double burst, const core::Clock& clock);

  // Takes `n` tokens. Returns nullopt when allowed, else how long until the request would be
  // allowed. A request larger than the burst is allowed when the bucket is full (it goes into debt).
  std::optional<std::chrono::milliseconds> TryTake(const std::string& partner, double n);

 private:
  struct Bucket {
    double tokens;
    core::MonoTime updated;
  };

  const double rate_;
  const double burst_;
  const core::Clock& clock_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace vik::ingest
