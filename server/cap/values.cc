#include "cap/values.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <system_error>

namespace vik::cap {
namespace {

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Whitespace-separated tokens of `text`.
std::vector<std::string_view> Tokens(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsXmlSpace(text[i])) {
      ++i;
    }
    const std::size_t start = i;
    while (i < text.size() && !IsXmlSpace(text[i])) {
      ++i;
    }
    if (i > start) {
      out.push_back(text.substr(start, i - start));
    }
  }
  return out;
}

// `count` decimal digits at `pos` as an int; -1 when any is not a digit.
int Digits(std::string_view s, std::size_t pos, std::size_t count) {
  if (pos + count > s.size()) {
    return -1;
  }
  int v = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!IsDigit(s[i])) {
      return -1;
    }
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// A decimal number as CAP writes coordinates: optional sign (a leading '+' is tolerated, as real
// senders write it), digits, optional fraction or exponent. No NaN, no infinity, nothing trailing.
std::optional<double> Number(std::string_view s) {
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && s.front() == '-') {
      return std::nullopt;
    }
  }
  if (s.empty()) {
    return std::nullopt;
  }
  const char* first = s.data();
  const char* last = s.data() + s.size();
  // from_chars accepts "inf" and "nan"; CAP numbers start with a digit, '-' or '.'.
  const char lead = s.front() == '-' && s.size() > 1 ? s[1] : s.front();
  if (!IsDigit(lead) && lead != '.') {
    return std::nullopt;
  }
  double v = 0;
  const auto [ptr, ec] = std::from_chars(first, last, v, std::chars_format::general);
  if (ec != std::errc() || ptr != last || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

void SetError(std::string* error, std::string message) {
  if (error != nullptr) {
    *error = std::move(message);
  }
}

// A value quoted for a message, cut at 40 bytes.
std::string Quote(std::string_view s) {
  std::string out = "'";
  out.append(s.substr(0, 40));
  if (s.size() > 40) {
    out += "...";
  }
  out += "'";
  return out;
}

std::optional<LatLon> Point(std::string_view pair, std::size_t index, std::string* error) {
  // The message prefix is built only on failure: this runs once per polygon point.
  const auto where = [&] { return "point " + std::to_string(index) + " " + Quote(pair); };
  const auto comma = pair.find(',');
  if (comma == std::string_view::npos || pair.find(',', comma + 1) != std::string_view::npos) {
    SetError(error, where() + " is not 'lat,lon'");
    return std::nullopt;
  }
  const auto lat = Number(pair.substr(0, comma));
  const auto lon = Number(pair.substr(comma + 1));
  if (!lat || !lon) {
    SetError(error, where() + " is not 'lat,lon' in decimal degrees");
    return std::nullopt;
  }
  if (*lat < -90 || *lat > 90) {
    SetError(error, where() + ": latitude is out of range (-90..90)");
    return std::nullopt;
  }
  if (*lon < -180 || *lon > 180) {
    SetError(error, where() + ": longitude is out of range (-180..180)");
    return std::nullopt;
  }
  return LatLon{*lat, *lon};
}

}  // namespace

std::optional<core::WallTime> ParseDateTime(std::string_view text, bool allow_z, bool allow_fraction) {
  // YYYY-MM-DDThh:mm:ss
  // 0123456789012345678
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  const int year = Digits(text, 0, 4);
  const int month = Digits(text, 5, 2);
  const int day = Digits(text, 8, 2);
  const int hour = Digits(text, 11, 2);
  const int minute = Digits(text, 14, 2);
  const int second = Digits(text, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
      second < 0 || second > 59) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::chrono::nanoseconds fraction{0};
  if (text[pos] == '.') {
    if (!allow_fraction) {
      return std::nullopt;
    }
    ++pos;
    const std::size_t start = pos;
    std::int64_t scale = 100'000'000;
    while (pos < text.size() && IsDigit(text[pos])) {
      fraction += std::chrono::nanoseconds((text[pos] - '0') * scale);
      scale /= 10;
      ++pos;
    }
    if (pos == start) {
      return std::nullopt;
    }
  }
  std::chrono::minutes offset{0};
  const auto zone = text.substr(pos);
  if (zone == "Z") {
    if (!allow_z) {
      return std::nullopt;
    }
  } else {
    if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':') {
      return std::nullopt;
    }
    const int zh = Digits(zone, 1, 2);
    const int zm = Digits(zone, 4, 2);
    if (zh < 0 || zh > 14 || zm < 0 || zm > 59) {
      return std::nullopt;
    }
    offset = std::chrono::minutes(zh * 60 + zm);
    if (zone[0] == '-') {
      offset = -offset;
    }
  }
  const std::chrono::sys_seconds utc = std::chrono::sys_days{ymd} + std::chrono::hours(hour) +
                                       std::chrono::minutes(minute) + std::chrono::seconds(second) - offset;
  // WallTime counts nanoseconds in 64 bits (about 1678..2262); years beyond would overflow.
  constexpr auto kLimit =
      std::chrono::duration_cast<std::chrono::seconds>(core::WallTime::duration::max()) - std::chrono::seconds(1);
  if (utc.time_since_epoch() > kLimit || utc.time_since_epoch() < -kLimit) {
    return std::nullopt;
  }
  return std::chrono::time_point_cast<core::WallTime::duration>(utc) + fraction;
}

std::optional<std::vector<LatLon>> ParsePolygon(std::string_view text, std::string* error) {
  const auto pairs = Tokens(text);
  std::vector<LatLon> points;
  points.reserve(pairs.size());
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    auto p = Point(pairs[i], i, error);
    if (!p) {
      return std::nullopt;
    }
    points.push_back(*p);
  }
  if (points.size() < 4) {
    SetError(error, "has " + std::to_string(points.size()) + " points (at least 4 required)");
    return std::nullopt;
  }
  if (points.front().lat != points.back().lat || points.front().lon != points.back().lon) {
    SetError(error, "first and last points differ (a polygon must be closed)");
    return std::nullopt;
  }
  return points;
}

std::optional<CircleValue> ParseCircle(std::string_view text, std::string* error) {
  const auto parts = Tokens(text);
  if (parts.size() != 2) {
    SetError(error, Quote(text) + " is not 'lat,lon radius'");
    return std::nullopt;
  }
  const auto center = Point(parts[0], 0, error);
  if (!center) {
    return std::nullopt;
  }
  const auto radius = Number(parts[1]);
  if (!radius) {
    SetError(error, "radius " + Quote(parts[1]) + " is not a number");
    return std::nullopt;
  }
  if (*radius < 0) {
    SetError(error, "radius " + Quote(parts[1]) + " is negative");
    return std::nullopt;
  }
  return CircleValue{*center, *radius};
}

std::optional<std::vector<ReferenceValue>> ParseReferences(std::string_view text, std::string* error) {
  std::vector<ReferenceValue> out;
  for (const auto triple : Tokens(text)) {
    std::array<std::string_view, 3> parts;
    std::size_t count = 0;
    std::size_t start = 0;
    while (true) {
      const auto comma = triple.find(',', start);
      const auto part = triple.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      if (count < parts.size()) {
        parts[count] = part;
      }
      ++count;
      if (comma == std::string_view::npos) {
        break;
      }
      start = comma + 1;
    }
    if (count != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty()) {
      SetError(error, "reference " + Quote(triple) + " is not 'sender,identifier,sent'");
      return std::nullopt;
    }
    if (!ParseDateTime(parts[2])) {
      SetError(error, "reference " + Quote(triple) + ": " + Quote(parts[2]) + " is not a CAP dateTime");
      return std::nullopt;
    }
    out.push_back(ReferenceValue{std::string(parts[0]), std::string(parts[1]), std::string(parts[2])});
  }
  return out;
}

std::vector<std::string> SplitQuotedList(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsXmlSpace(text[i])) {
      ++i;
    }
    if (i == text.size()) {
      break;
    }
    std::size_t start = i;
    std::size_t end = 0;
    if (text[i] == '"') {
      start = ++i;
      while (i < text.size() && text[i] != '"') {
        ++i;
      }
      end = i;
      if (i < text.size()) {
        ++i;  // the closing quote
      }
    } else {
      while (i < text.size() && !IsXmlSpace(text[i])) {
        ++i;
      }
      end = i;
    }
    if (end > start) {
      out.emplace_back(text.substr(start, end - start));
    }
  }
  return out;
}

}  // namespace vik::cap
