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
  CHECK(JsonString("\xc3") == "\"\xef\xbf\xbd\"");          // truncated sequence
  CHECK(JsonString("\xc0\xaf") == "\"\xef\xbf\xbd\xef\xbf\xbd\"");  // overlong '/'
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
