#include "support/times.h"

#include "core/time_format.h"

namespace vik::testing {

std::string Rfc3339FromNow(std::chrono::minutes offset) {
  return core::FormatRfc3339(std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()) +
                             offset);
}

}  // namespace vik::testing
