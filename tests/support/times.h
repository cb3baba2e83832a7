#pragma once

// Times for test signals, relative to the wall clock.

#include <chrono>
#include <string>

namespace vik::testing {

// RFC 3339 (UTC, whole seconds) of now + `offset`.
std::string Rfc3339FromNow(std::chrono::minutes offset);

}  // namespace vik::testing
