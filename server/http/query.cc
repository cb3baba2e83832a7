#include "http/query.h"

#include <charconv>
#include <optional>

#include "core/text.h"

namespace vik::http {
namespace {

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `s` ('+' as a space when `plus_is_space`); nullopt for a malformed escape.
std::optional<std::string> Unescape(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+' && plus_is_space) {
      out += ' ';
    } else if (s[i] == '%') {
      const int hi = i + 2 < s.size() ? Hex(s[i + 1]) : -1;
      const int lo = i + 2 < s.size() ? Hex(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return std::nullopt;
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The decoded text of `raw`, or INVALID_ARGUMENT "<what>: <problem>".
core::Result<std::string> DecodeText(std::string_view raw, bool plus_is_space, const std::string& what) {
  auto text = Unescape(raw, plus_is_space);
  if (!text) {
    return core::InvalidArgument(what + ": malformed percent-encoding");
  }
  if (auto problem = core::TextProblem(*text)) {
    return core::InvalidArgument(what + ": " + *problem + " (after percent-decoding)");
  }
  return std::move(*text);
}

}  // namespace

core::Result<QueryParams> DecodeQuery(std::string_view query) {
  QueryParams out;
  std::size_t index = 0;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) {
      continue;
    }
    ++index;
    if (out.size() == kMaxQueryParams) {
      return core::InvalidArgument("query: more than " + std::to_string(kMaxQueryParams) + " parameters");
    }
    const auto eq = pair.find('=');
    // A name that cannot be decoded cannot be quoted either: it is named by its position.
    auto name = DecodeText(pair.substr(0, eq), true, "query: the name of parameter " + std::to_string(index));
    if (!name.ok()) {
      return name.status();
    }
    auto value = DecodeText(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true,
                            "query: parameter \"" + *name + "\"");
    if (!value.ok()) {
      return value.status();
    }
    out.emplace_back(std::move(name).value(), std::move(value).value());
  }
  return out;
}

core::Result<std::string> DecodePath(std::string_view path) { return DecodeText(path, false, "path"); }

core::Result<std::map<std::string, std::string>> ParseQuery(const QueryParams& params,
                                                            const std::set<std::string>& allowed,
                                                            const std::set<std::string>& repeatable) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : params) {
    if (!allowed.empty() && allowed.count(name) == 0) {
      std::string names;
      for (const auto& a : allowed) {
        names += (names.empty() ? "" : ", ") + a;
      }
      return core::InvalidArgument("query: unknown parameter \"" + name + "\" (known: " + names + ")");
    }
    if (const auto it = out.find(name); it != out.end()) {
      if (repeatable.count(name) == 0) {
        return core::InvalidArgument("query: parameter \"" + name + "\" is given twice");
      }
      it->second += "," + value;
      continue;
    }
    out[name] = value;
  }
  return out;
}

core::Result<std::map<std::string, std::string>> ParseQuery(std::string_view query,
                                                            const std::set<std::string>& allowed,
                                                            const std::set<std::string>& repeatable) {
  auto params = DecodeQuery(query);
  if (!params.ok()) {
    return params.status();
  }
  return ParseQuery(*params, allowed, repeatable);
}

std::string Param(const std::map<std::string, std::string>& params, const char* name) {
  const auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

core::Result<int> ParseIntValue(std::string_view name, std::string_view v, int min, int max) {
  int n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || n < min || n > max) {
    return core::InvalidArgument(std::string(name) + ": expected a number from " + std::to_string(min) + " to " +
                                 std::to_string(max));
  }
  return n;
}

core::Result<int> IntParam(const std::map<std::string, std::string>& params, const char* name, int fallback, int min,
                           int max) {
  const auto it = params.find(name);
  if (it == params.end() || it->second.empty()) {
    return fallback;
  }
  return ParseIntValue(name, it->second, min, max);
}

core::Result<int> LimitParam(const std::map<std::string, std::string>& params, int fallback, int max) {
  return IntParam(params, "limit", fallback, 1, max);
}

core::Result<domain::Picture> PictureParam(const std::map<std::string, std::string>& params) {
  const auto it = params.find("picture");
  if (it == params.end()) {
    return domain::Picture::kActual;
  }
  if (const auto picture = domain::ParsePicture(it->second)) {
    return *picture;
  }
  return core::InvalidArgument("picture: expected actual or exercise (never mixed)");
}

}  // namespace vik::http
