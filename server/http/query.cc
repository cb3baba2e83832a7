#include "http/query.h"

namespace vik::http {
namespace {

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

core::Result<std::string> Decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      const int hi = i + 2 < s.size() ? Hex(s[i + 1]) : -1;
      const int lo = i + 2 < s.size() ? Hex(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return core::InvalidArgument("query: malformed escape at \"" + std::string(s.substr(i, 3)) + "\"");
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

core::Result<std::map<std::string, std::string>> ParseQuery(std::string_view query,
                                                            const std::set<std::string>& allowed,
                                                            const std::set<std::string>& repeatable) {
  std::map<std::string, std::string> out;
  std::size_t count = 0;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) {
      continue;
    }
    const auto eq = pair.find('=');
    auto name = Decode(pair.substr(0, eq));
    if (!name.ok()) {
      return name.status();
    }
    auto value = Decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!value.ok()) {
      return value.status();
    }
    if (!allowed.empty() && allowed.count(*name) == 0) {
      std::string names;
      for (const auto& a : allowed) {
        names += (names.empty() ? "" : ", ") + a;
      }
      return core::InvalidArgument("query: unknown parameter \"" + *name + "\" (known: " + names + ")");
    }
    if (++count > 32) {
      return core::InvalidArgument("query: more than 32 parameters");
    }
    if (const auto it = out.find(*name); it != out.end()) {
      if (repeatable.count(*name) == 0) {
        return core::InvalidArgument("query: parameter \"" + *name + "\" is given twice");
      }
      it->second += "," + *value;
      continue;
    }
    out[*name] = std::move(value).value();
  }
  return out;
}

}  // namespace vik::http
