// core::ParseDuration, core::FormatDuration and core::ParseByteSize.

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

#include <catch2/catch.hpp>

#include "core/duration.h"

namespace vik::core {
namespace {

using std::chrono::milliseconds;

TEST_CASE("ParseDuration accepts a whole number with ms, s, m or h", "[core][duration]") {
  const std::pair<const char*, milliseconds> kCases[] = {
      {"0s", milliseconds(0)},
      {"0ms", milliseconds(0)},
      {"250ms", milliseconds(250)},
      {"10s", milliseconds(10'000)},
      {"5m", milliseconds(300'000)},
      {"1h", milliseconds(3'600'000)},
      {"8760h", milliseconds(31'536'000'000)},  // exactly a year
  };
  for (const auto& [text, expected] : kCases) {
    INFO(text);
    const auto d = ParseDuration(text);
    REQUIRE(d.ok());
    CHECK(*d == expected);
  }
}

TEST_CASE("ParseDuration rejects text that is not a number with a known unit", "[core][duration]") {
  for (const char* text : {"", "s", "10", "10 s", " 10s", "10S", "10d", "1.5s", "-1s", "+1s", "ten s", "10sec"}) {
    INFO('"' << text << '"');
    const auto d = ParseDuration(text);
    REQUIRE_FALSE(d.ok());
    CHECK(d.status().code() == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("ParseDuration's error quotes the offending text", "[core][duration]") {
  const auto d = ParseDuration("10d");
  REQUIRE_FALSE(d.ok());
  CHECK_THAT(d.status().message(), Catch::Contains("\"10d\""));
}

TEST_CASE("ParseDuration rejects durations longer than a year and numbers that overflow", "[core][duration]") {
  for (const char* text : {"8761h", "525601m", "31536000001ms", "99999999999999999999s", "18446744073709551615h"}) {
    INFO(text);
    const auto d = ParseDuration(text);
    REQUIRE_FALSE(d.ok());
    CHECK(d.status().code() == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("FormatDuration picks the largest unit that renders the value exactly", "[core][duration]") {
  CHECK(FormatDuration(milliseconds(0)) == "0s");
  CHECK(FormatDuration(milliseconds(1)) == "1ms");
  CHECK(FormatDuration(milliseconds(1500)) == "1500ms");
  CHECK(FormatDuration(milliseconds(2000)) == "2s");
  CHECK(FormatDuration(milliseconds(90'000)) == "90s");
  CHECK(FormatDuration(milliseconds(60'000)) == "1m");
  CHECK(FormatDuration(milliseconds(5'400'000)) == "90m");
  CHECK(FormatDuration(milliseconds(7'200'000)) == "2h");
}

TEST_CASE("FormatDuration output parses back to the same duration", "[core][duration]") {
  for (const std::int64_t ms : {0LL, 1LL, 999LL, 1000LL, 61'000LL, 60'000LL, 3'600'000LL, 3'601'000LL}) {
    const std::string text = FormatDuration(milliseconds(ms));
    INFO(ms << "ms rendered as " << text);
    const auto d = ParseDuration(text);
    REQUIRE(d.ok());
    CHECK(d->count() == ms);
  }
}

TEST_CASE("ParseByteSize accepts bytes and binary suffixes", "[core][byte_size]") {
  const std::pair<const char*, std::uint64_t> kCases[] = {
      {"0", 0},
      {"65536", 65536},
      {"64KiB", 64 * 1024},
      {"4MiB", 4 * 1024 * 1024},
      {"2GiB", 2ULL * 1024 * 1024 * 1024},
      {"1024GiB", 1ULL << 40},  // exactly the 1TiB limit
  };
  for (const auto& [text, expected] : kCases) {
    INFO(text);
    const auto n = ParseByteSize(text);
    REQUIRE(n.ok());
    CHECK(*n == expected);
  }
}

TEST_CASE("ParseByteSize rejects unknown suffixes and malformed numbers", "[core][byte_size]") {
  for (const char* text : {"", "KiB", "64kb", "64KB", "64kib", "64 KiB", "1.5MiB", "-1", "4TiB"}) {
    INFO('"' << text << '"');
    const auto n = ParseByteSize(text);
    REQUIRE_FALSE(n.ok());
    CHECK(n.status().code() == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("ParseByteSize rejects sizes above 1TiB and numbers that overflow", "[core][byte_size]") {
  for (const char* text : {"1025GiB", "1099511627777", "18446744073709551615GiB", "99999999999999999999999"}) {
    INFO(text);
    const auto n = ParseByteSize(text);
    REQUIRE_FALSE(n.ok());
    CHECK(n.status().code() == StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace vik::core
