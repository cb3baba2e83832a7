// core::ParseLogLevel: the level names accepted by log.level and --log-level.

#include <utility>

#include <catch2/catch.hpp>

#include "core/logging.h"

namespace vik::core {
namespace {

TEST_CASE("ParseLogLevel accepts every documented level name", "[core][logging]") {
  const std::pair<const char*, spdlog::level::level_enum> kLevels[] = {
      {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug}, {"info", spdlog::level::info},
      {"warn", spdlog::level::warn},   {"error", spdlog::level::err},   {"critical", spdlog::level::critical},
      {"off", spdlog::level::off},
  };
  for (const auto& [name, expected] : kLevels) {
    INFO(name);
    spdlog::level::level_enum out = spdlog::level::n_levels;
    REQUIRE(ParseLogLevel(name, out));
    CHECK(out == expected);
  }
}

TEST_CASE("ParseLogLevel rejects other spellings and leaves the output untouched", "[core][logging]") {
  for (const char* name : {"", "INFO", "warning", "err", "fatal", " info"}) {
    INFO('"' << name << '"');
    spdlog::level::level_enum out = spdlog::level::debug;
    CHECK_FALSE(ParseLogLevel(name, out));
    CHECK(out == spdlog::level::debug);
  }
}

}  // namespace
}  // namespace vik::core
