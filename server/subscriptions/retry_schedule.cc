#include "subscriptions/retry_schedule.h"

#include <algorithm>
#include <cstdint>

namespace vik::subscriptions {

std::chrono::milliseconds RetryDelay(int failed_attempts, std::chrono::milliseconds min, std::chrono::milliseconds max,
                                     double unit) {
  const int doublings = std::clamp(failed_attempts - 1, 0, 40);
  double full = static_cast<double>(min.count());
  for (int i = 0; i < doublings && full < static_cast<double>(max.count()); ++i) {
    full *= 2;
  }
  full = std::min(full, static_cast<double>(max.count()));
  const double drawn = full / 2 + full / 2 * std::clamp(unit, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(drawn));
}

}  // namespace vik::subscriptions
