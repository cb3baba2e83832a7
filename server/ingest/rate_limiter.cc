#include "ingest/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace vik::ingest {

RateLimiter::RateLimiter(double rate_per_second, double burst, const core::Clock& clock)
    : rate_(rate_per_second), burst_(std::max(1.0, burst)), clock_(clock) {}

std::optional<std::chrono::milliseconds> RateLimiter::TryTake(const std::string& partner, double n) {
  if (rate_ <= 0) {
    return std::nullopt;
  }
  const core::MonoTime now = clock_.Monotonic();
  std::lock_guard lock(mu_);
  auto [it, inserted] = buckets_.try_emplace(partner, Bucket{burst_, now});
  Bucket& b = it->second;
  const double elapsed = std::chrono::duration<double>(now - b.updated).count();
  b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
  b.updated = now;
  const double needed = std::min(n, burst_);
  if (b.tokens >= needed) {
    b.tokens -= n;
    return std::nullopt;
  }
  const double wait_s = (needed - b.tokens) / rate_;
  return std::chrono::milliseconds(static_cast<long long>(std::ceil(wait_s * 1000)));
}

}  // namespace vik::ingest
