#include "cap/xml_prescan.h"

#include <algorithm>
#include <cstdint>
#include <string>

namespace vik::cap {
namespace {

// 1-based line of byte `pos`; only computed when a message is written, so the scan stays one pass.
std::size_t LineAt(std::string_view bytes, std::size_t pos) {
  const auto end = bytes.begin() + static_cast<std::ptrdiff_t>(std::min(pos, bytes.size()));
  return 1 + static_cast<std::size_t>(std::count(bytes.begin(), end, '\n'));
}

core::Status Refuse(core::StatusCode code, std::string_view bytes, std::size_t pos, const std::string& what) {
  return {code, "line " + std::to_string(LineAt(bytes, pos)) + ": " + what};
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) {
    return false;
  }
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
    if (c != prefix[i]) {
      return false;
    }
  }
  return true;
}

// A few printable bytes of `s` for a message.
std::string Excerpt(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && out.size() < 12; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c <= 0x20 || c >= 0x7F) {
      break;
    }
    out += static_cast<char>(c);
  }
  return out;
}

bool IsXmlChar(std::uint32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

// XML 1.0 characters only: no raw C0 control bytes but TAB, LF and CR, and no character reference
// to a character XML does not allow (pugixml would accept "&#0;" and cut the text there, so the
// stored key would differ from the verbatim bytes).
core::Status CheckCharacters(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c < 0x20 && c != 0x9 && c != 0xA && c != 0xD) {
      return Refuse(core::StatusCode::kInvalidArgument, bytes, i,
                    "control character 0x" + std::string(1, "0123456789abcdef"[c >> 4]) +
                        std::string(1, "0123456789abcdef"[c & 15]) + " is not allowed in XML");
    }
    if (c != '&' || i + 2 >= bytes.size() || bytes[i + 1] != '#') {
      continue;
    }
    const bool hex = bytes[i + 2] == 'x';
    std::size_t j = i + (hex ? 3 : 2);
    std::uint64_t value = 0;
    std::size_t digits = 0;
    for (; j < bytes.size() && digits <= 8; ++j, ++digits) {
      const char d = bytes[j];
      int v = -1;
      if (d >= '0' && d <= '9') {
        v = d - '0';
      } else if (hex && d >= 'a' && d <= 'f') {
        v = d - 'a' + 10;
      } else if (hex && d >= 'A' && d <= 'F') {
        v = d - 'A' + 10;
      }
      if (v < 0) {
        break;
      }
      value = value * (hex ? 16 : 10) + static_cast<std::uint64_t>(v);
    }
    if (digits == 0 || j >= bytes.size() || bytes[j] != ';' || value > 0x10FFFF ||
        !IsXmlChar(static_cast<std::uint32_t>(value))) {
      return Refuse(core::StatusCode::kInvalidArgument, bytes, i,
                    "character reference '" + std::string(bytes.substr(i, std::min<std::size_t>(j - i + 1, 14))) +
                        "' is not a character XML allows");
    }
  }
  return core::Status::Ok();
}

}  // namespace

core::Status PrescanXml(std::string_view bytes, const PrescanLimits& limits) {
  using core::StatusCode;
  if (bytes.size() > limits.max_bytes) {
    return core::ResourceExhausted("document is " + std::to_string(bytes.size()) + " bytes (limit " +
                                   std::to_string(limits.max_bytes) + ")");
  }
  if (const auto nul = bytes.find('\0'); nul != std::string_view::npos) {
    return Refuse(StatusCode::kInvalidArgument, bytes, nul,
                  "NUL byte at offset " + std::to_string(nul) +
                      " (UTF-16 and UTF-32 documents are not accepted; send UTF-8 or ISO-8859-1)");
  }

  if (core::Status s = CheckCharacters(bytes); !s.ok()) {
    return s;
  }
  std::size_t depth = 0;
  std::size_t elements = 0;
  std::size_t pos = 0;
  const std::size_t n = bytes.size();
  // Skips from `from` past the next `terminator`; npos when it never comes.
  const auto skip_past = [&](std::size_t from, std::string_view terminator) {
    const auto end = bytes.find(terminator, from);
    return end == std::string_view::npos ? end : end + terminator.size();
  };

  while (pos < n) {
    const auto lt = bytes.find('<', pos);
    if (lt == std::string_view::npos) {
      break;
    }
    const auto rest = bytes.substr(lt);
    std::size_t next = 0;
    if (rest.starts_with("<?")) {
      next = skip_past(lt + 2, "?>");
      if (next == std::string_view::npos) {
        return Refuse(StatusCode::kInvalidArgument, bytes, lt, "unterminated processing instruction");
      }
    } else if (rest.starts_with("<!--")) {
      next = skip_past(lt + 4, "-->");
      if (next == std::string_view::npos) {
        return Refuse(StatusCode::kInvalidArgument, bytes, lt, "unterminated comment");
      }
    } else if (rest.starts_with("<![CDATA[")) {
      next = skip_past(lt + 9, "]]>");
      if (next == std::string_view::npos) {
        return Refuse(StatusCode::kInvalidArgument, bytes, lt, "unterminated CDATA section");
      }
    } else if (rest.starts_with("<!")) {
      if (StartsWithNoCase(rest, "<!DOCTYPE")) {
        return Refuse(StatusCode::kInvalidArgument, bytes, lt,
                      "DOCTYPE is not allowed (entities are never declared or expanded)");
      }
      if (StartsWithNoCase(rest, "<!ENTITY")) {
        return Refuse(StatusCode::kInvalidArgument, bytes, lt,
                      "ENTITY declaration is not allowed (entities are never declared or expanded)");
      }
      return Refuse(StatusCode::kInvalidArgument, bytes, lt,
                    "markup declaration '<!" + Excerpt(rest.substr(2)) + "' is not allowed");
    } else if (rest.starts_with("</")) {
      const auto gt = bytes.find('>', lt + 2);
      if (gt == std::string_view::npos) {
        return Refuse(StatusCode::kInvalidArgument, bytes, lt, "unterminated end tag");
      }
      if (depth > 0) {
        --depth;
      }
      next = gt + 1;
    } else {
      // A start tag: count it, its depth and its attributes ('=' outside quoted values).
      if (++elements > limits.max_elements) {
        return Refuse(StatusCode::kResourceExhausted, bytes, lt,
                      "more than " + std::to_string(limits.max_elements) + " elements");
      }
      if (++depth > limits.max_depth) {
        return Refuse(StatusCode::kResourceExhausted, bytes, lt,
                      "elements nested more than " + std::to_string(limits.max_depth) + " deep");
      }
      std::size_t attributes = 0;
      char quote = 0;
      std::size_t i = lt + 1;
      for (; i < n; ++i) {
        const char c = bytes[i];
        if (quote != 0) {
          if (c == quote) {
            quote = 0;
          }
        } else if (c == '"' || c == '\'') {
          quote = c;
        } else if (c == '=') {
          if (++attributes > limits.max_attributes) {
            return Refuse(StatusCode::kResourceExhausted, bytes, lt,
                          "an element has more than " + std::to_string(limits.max_attributes) + " attributes");
          }
        } else if (c == '>') {
          break;
        } else if (c == '<') {
          return Refuse(StatusCode::kInvalidArgument, bytes, i, "'<' inside a tag");
        }
      }
      if (i == n) {
        return Refuse(StatusCode::kInvalidArgument, bytes, lt, "unterminated start tag");
      }
      if (bytes[i - 1] == '/') {
        --depth;  // <empty/>
      }
      next = i + 1;
    }
    pos = next;
  }
  return core::Status::Ok();
}

core::Status LoadUntrustedXml(std::string_view bytes, const PrescanLimits& limits, pugi::xml_document& doc) {
  if (core::Status s = PrescanXml(bytes, limits); !s.ok()) {
    return s;
  }
  constexpr unsigned kFlags = pugi::parse_cdata | pugi::parse_escapes | pugi::parse_eol;
  const pugi::xml_parse_result r = doc.load_buffer(bytes.data(), bytes.size(), kFlags, pugi::encoding_auto);
  if (r) {
    return core::Status::Ok();
  }
  const auto offset = static_cast<std::size_t>(std::max<std::ptrdiff_t>(r.offset, 0));
  std::string description = r.description();
  if (!description.empty() && description[0] >= 'A' && description[0] <= 'Z') {
    description[0] = static_cast<char>(description[0] - 'A' + 'a');
  }
  return Refuse(core::StatusCode::kInvalidArgument, bytes, offset,
                "not well-formed XML: " + description + " (byte offset " + std::to_string(offset) + ")");
}

}  // namespace vik::cap
