#pragma once

// Parsing and printing of human durations used in config and flags: "250ms", "10s", "5m", "1h".

#include <chrono>
#include <string>
#include <string_view>

#include "core/result.h"

namespace vik::core {

// Accepts an unsigned integer followed by one of ms, s, m, h. "0s" is allowed.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

// The shortest exact rendering: 1500ms -> "1500ms", 60000ms -> "1m".
std::string FormatDuration(std::chrono::milliseconds d);

// Parses a byte size: an unsigned integer with an optional KiB, MiB or GiB suffix.
Result<std::uint64_t> ParseByteSize(std::string_view text);

}  // namespace vik::core
