#pragma once

// When a failed webhook delivery is tried again (docs/exchange.md, "Retries and dead letters"):
// exponential backoff from `min` doubling per failed attempt, capped at `max`, with jitter (the
// delay is drawn from [d/2, d]) so that receivers coming back are not hit by every retry at once.
// Pure; safe for concurrent use.

#include <chrono>

namespace vik::subscriptions {

// `failed_attempts` >= 1 (attempts made so far, all failed); `unit` in [0, 1) (a random draw).
std::chrono::milliseconds RetryDelay(int failed_attempts, std::chrono::milliseconds min, std::chrono::milliseconds max,
                                     double unit);

}  // namespace vik::subscriptions
