#include "core/duration.h"

#include <charconv>
#include <cstdint>

namespace vik::core {
namespace {

// Splits "123abc" into the number 123 and the suffix "abc".
bool SplitNumber(std::string_view text, std::uint64_t& number, std::string_view& suffix) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, number);
  if (ec != std::errc() || ptr == text.data()) {
    return false;
  }
  suffix = std::string_view(ptr, static_cast<std::size_t>(end - ptr));
  return true;
}

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  std::uint64_t n = 0;
  std::string_view unit;
  if (!SplitNumber(text, n, unit)) {
    return InvalidArgument("expected a duration like 500ms, 10s, 5m or 1h, got \"" + std::string(text) + "\"");
  }
  constexpr std::uint64_t kMaxMs = 365ULL * 24 * 3600 * 1000;
  std::uint64_t factor = 0;
  if (unit == "ms") {
    factor = 1;
  } else if (unit == "s") {
    factor = 1000;
  } else if (unit == "m") {
    factor = 60'000;
  } else if (unit == "h") {
    factor = 3'600'000;
  } else {
    return InvalidArgument("expected a duration unit ms, s, m or h in \"" + std::string(text) + "\"");
  }
  if (n > kMaxMs / factor) {
    return InvalidArgument("duration \"" + std::string(text) + "\" is longer than a year");
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(n * factor));
}

std::string FormatDuration(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms != 0 && ms % 3'600'000 == 0) {
    return std::to_string(ms / 3'600'000) + "h";
  }
  if (ms != 0 && ms % 60'000 == 0) {
    return std::to_string(ms / 60'000) + "m";
  }
  if (ms % 1000 == 0) {
    return std::to_string(ms / 1000) + "s";
  }
  return std::to_string(ms) + "ms";
}

Result<std::uint64_t> ParseByteSize(std::string_view text) {
  std::uint64_t n = 0;
  std::string_view unit;
  if (!SplitNumber(text, n, unit)) {
    return InvalidArgument("expected a size like 65536, 64KiB or 4MiB, got \"" + std::string(text) + "\"");
  }
  std::uint64_t factor = 0;
  if (unit.empty()) {
    factor = 1;
  } else if (unit == "KiB") {
    factor = 1024;
  } else if (unit == "MiB") {
    factor = 1024 * 1024;
  } else if (unit == "GiB") {
    factor = 1024ULL * 1024 * 1024;
  } else {
    return InvalidArgument("expected a size unit KiB, MiB or GiB in \"" + std::string(text) + "\"");
  }
  if (n > (1ULL << 40) / factor) {
    return InvalidArgument("size \"" + std::string(text) + "\" is larger than 1TiB");
  }
  return n * factor;
}

}  // namespace vik::core
