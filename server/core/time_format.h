#pragma once

// RFC 3339 timestamps in UTC with microseconds: "2026-11-25T03:19:43.123456Z".

#include <string>

#include "core/clock.h"

namespace vik::core {

std::string FormatRfc3339(WallTime t);
WallTime FromUnixSeconds(double seconds);

}  // namespace vik::core
