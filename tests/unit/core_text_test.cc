// core::AppendJsonString (the one escaping function) and core::TextProblem.

#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "core/utf8.h"

using vik::core::JsonString;
using vik::core::TextProblem;

TEST_CASE("JsonString quotes, escapes controls and replaces bytes that are not UTF-8", "[core][text]") {
  CHECK(JsonString("plain") == R"("plain")");
  CHECK(JsonString("a\"b\\c") == R"("a\"b\\c")");
  CHECK(JsonString(std::string("n\0l\n\x1b\x7f", 6)) == R"("n\u0000l\n\u001b\u007f")");
  CHECK(JsonString("caf\xc3\xa9") == "\"caf\xc3\xa9\"");
  CHECK(JsonString("\xff") == "\"\xef\xbf\xbd\"");
  CHECK(JsonString("\xc3") == "\"\xef\xbf\xbd\"");                                  // truncated sequence
  CHECK(JsonString("\xc0\xaf") == "\"\xef\xbf\xbd\xef\xbf\xbd\"");                  // overlong '/'
  CHECK(JsonString("\xed\xa0\x80") == "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");  // a surrogate
}

TEST_CASE("JsonString's output is valid UTF-8 JSON for every byte pair", "[core][text]") {
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; b += 7) {
      const std::string in{static_cast<char>(a), static_cast<char>(b)};
      const std::string out = JsonString(in);
      INFO(a << " " << b);
      REQUIRE(vik::core::IsValidUtf8(out));
      REQUIRE_NOTHROW(nlohmann::json::parse(out));
    }
  }
}

TEST_CASE("TextProblem names invalid UTF-8 and control characters", "[core][text]") {
  CHECK_FALSE(TextProblem("Zuid-Holland \xc3\xa9").has_value());
  CHECK(TextProblem("\xff") == "is not valid UTF-8");
  CHECK(TextProblem(std::string("a\0b", 3)) == "contains the control character U+0000");
  CHECK(TextProblem("a\tb") == "contains the control character U+0009");
  CHECK(TextProblem("\x7f") == "contains the control character U+007f");
}

#include <sstream>

#include <spdlog/sinks/ostream_sink.h>

#include "core/logging.h"

TEST_CASE("log lines are valid UTF-8 whatever the fields hold, in both formats", "[core][text]") {
  for (const auto format : {vik::core::LogFormat::kKeyValue, vik::core::LogFormat::kJson}) {
    std::ostringstream out;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
    sink->set_pattern("%v");
    spdlog::logger logger("text-test", sink);
    vik::core::SetupLogging(spdlog::level::info, format);
    vik::core::LogEvent(logger, spdlog::level::info, "probe\xff",
                        {{"path", "/\xff\xfe"}, {"query", std::string("a\0b\x1b[31m", 8)}, {"plain", "ok"}});
    vik::core::SetupLogging(spdlog::level::info, vik::core::LogFormat::kKeyValue);
    const std::string line = out.str();
    INFO(line);
    CHECK(vik::core::IsValidUtf8(line));
    CHECK(line.find('\x1b') == std::string::npos);
    CHECK(line.find('\0') == std::string::npos);
    CHECK(line.find("\\u001b[31m") != std::string::npos);
    if (format == vik::core::LogFormat::kJson) {
      CHECK_NOTHROW(nlohmann::json::parse("{" + line.substr(0, line.find_last_not_of("\r\n") + 1) + "}"));
    }
  }
}
