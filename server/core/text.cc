#include "core/text.h"

#include "core/utf8.h"

namespace vik::core {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7F; }

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const std::size_t len = Utf8SequenceLength(s, i);
      if (len == 0) {
        out += kReplacement;
        ++i;
      } else {
        out.append(s.data() + i, len);
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (IsControl(c)) {
          out += "\\u00";
          out += kHex[(c >> 4) & 0xf];
          out += kHex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
}

std::string JsonString(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  AppendJsonString(out, s);
  return out;
}

bool NeedsJsonEscaping(std::string_view s) {
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsControl(c) || c == '"' || c == '\\') {
      return true;
    }
  }
  return !IsValidUtf8(s);
}

std::optional<std::string> TextProblem(std::string_view s) {
  if (!IsValidUtf8(s)) {
    return std::string("is not valid UTF-8");
  }
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsControl(c)) {
      std::string out = "contains the control character U+00";
      out += kHex[(c >> 4) & 0xf];
      out += kHex[c & 0xf];
      return out;
    }
  }
  return std::nullopt;
}

}  // namespace vik::core
