#include "domain/signal_validation.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "core/utf8.h"

namespace vik::domain {
namespace {

constexpr double kMaxRadiusKm = 1000;
// Quoted values in descriptions and paths are cut to this many bytes.
constexpr std::size_t kMaxQuotedBytes = 64;

// The highest known value of each enumeration; all start at 1 (0 is kUnspecified).
constexpr int MaxValue(MsgType) { return static_cast<int>(MsgType::kCancel); }
constexpr int MaxValue(SignalStatus) { return static_cast<int>(SignalStatus::kDraft); }
constexpr int MaxValue(SignalKind) { return static_cast<int>(SignalKind::kAssessment); }
constexpr int MaxValue(Category) { return static_cast<int>(Category::kOther); }
constexpr int MaxValue(Urgency) { return static_cast<int>(Urgency::kUnknown); }
constexpr int MaxValue(Severity) { return static_cast<int>(Severity::kUnknown); }
constexpr int MaxValue(Certainty) { return static_cast<int>(Certainty::kUnknown); }

bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool IsIdChar(char c) { return IsAlnum(c) || c == '.' || c == '_' || c == ':' || c == '@' || c == '/' || c == '-'; }
bool IsAttributeKeyChar(char c) { return IsAlnum(c) || c == '.' || c == '_' || c == '-'; }

// A value quoted for a message: printable ASCII kept, everything else escaped, long values cut.
std::string Quote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size() && i < kMaxQuotedBytes; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  out += '"';
  if (s.size() > kMaxQuotedBytes) {
    out += "...";
  }
  return out;
}

// Shortest text that reads back as the same double: 90.0000001 stays "90.0000001", 100000 is not
// "1e+05"; only huge and tiny values use an exponent.
std::string FormatNumber(double v) {
  std::array<char, 64> buf{};
  const double m = std::fabs(v);
  const auto format = (m < 1e15 && (m == 0 || m >= 1e-6)) ? std::chars_format::fixed : std::chars_format::general;
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v, format);
  if (ec != std::errc()) {
    return "?";
  }
  return std::string(buf.data(), end);
}

// "12m3s", "5m", "1h", "250ms": a human rendering, truncated to whole seconds from one second up.
std::string FormatSpan(std::chrono::nanoseconds d) {
  using std::chrono::duration_cast;
  if (d < std::chrono::milliseconds(1)) {
    return "less than 1ms";
  }
  if (d < std::chrono::seconds(1)) {
    return std::to_string(duration_cast<std::chrono::milliseconds>(d).count()) + "ms";
  }
  auto secs = duration_cast<std::chrono::seconds>(d).count();
  const auto hours = secs / 3600;
  secs %= 3600;
  const auto minutes = secs / 60;
  secs %= 60;
  std::string out;
  if (hours > 0) {
    out += std::to_string(hours) + "h";
  }
  if (minutes > 0) {
    out += std::to_string(minutes) + "m";
  }
  if (secs > 0) {
    out += std::to_string(secs) + "s";
  }
  return out;
}

std::string Index(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

// Collects violations while walking the signal in field order.
class Validator {
 public:
  Validator(const ReferenceData& reference, const SignalLimits& limits, core::WallTime now)
      : reference_(reference), limits_(limits), now_(now) {}

  std::vector<FieldViolation> Run(const Signal& s) && {
    Id("source", s.source);
    Id("external_id", s.external_id);
    Enum("msg_type", s.msg_type);
    References(s);
    Enum("status", s.status);
    Enum("kind", s.kind);
    Categories(s.categories);
    Theme(s.theme);
    Enum("urgency", s.urgency);
    Enum("severity", s.severity);
    Enum("certainty", s.certainty);
    Times(s);
    AreaOf(s.area);
    Text("headline", s.headline, limits_.max_headline_bytes, /*required=*/true);
    Text("description", s.description, limits_.max_text_bytes, false);
    Text("instruction", s.instruction, limits_.max_text_bytes, false);
    Text("sender_name", s.sender_name, limits_.max_short_text_bytes, false);
    Web(s.web);
    Attributes(s.attributes);
    return std::move(violations_);
  }

 private:
  void Add(std::string field, std::string description) {
    violations_.push_back(FieldViolation{std::move(field), std::move(description)});
  }

  // Reports a list longer than `limit` once; returns how many elements to validate.
  std::size_t Count(const std::string& path, std::size_t size, std::size_t limit, const char* noun) {
    if (size <= limit) {
      return size;
    }
    Add(path, "has " + std::to_string(size) + " " + noun + " (limit " + std::to_string(limit) + ")");
    return limit;
  }

  void Length(const std::string& path, std::string_view value, std::size_t limit) {
    if (value.size() > limit) {
      Add(path, "is " + std::to_string(value.size()) + " bytes long (limit " + std::to_string(limit) + ")");
    }
  }

  void Text(const std::string& path, std::string_view value, std::size_t limit, bool required) {
    if (value.empty()) {
      if (required) {
        Add(path, "is required");
      }
      return;
    }
    Length(path, value, limit);
    TextContent(path, value);
  }

  // Valid UTF-8 without NUL (PostgreSQL text cannot hold it) and without control characters other
  // than tab, LF and CR (the others are not representable in XML 1.0, so the signal could not be
  // given out as CAP, and they are not printable in a terminal).
  void TextContent(const std::string& path, std::string_view value, const char* what = "") {
    const std::string prefix = what;
    if (!core::IsValidUtf8(value)) {
      Add(path, prefix + "is not valid UTF-8");
    } else if (value.find('\0') != std::string_view::npos) {
      Add(path, prefix + "contains a NUL character");
    } else if (const auto at = FindControlCharacter(value, /*allow_whitespace=*/true); at != std::string_view::npos) {
      Add(path, prefix + "contains control character " + Quote(value.substr(at, 1)) + " at byte " + std::to_string(at));
    }
  }

  void Id(const std::string& path, std::string_view value) {
    if (value.empty()) {
      Add(path, "is required");
      return;
    }
    Length(path, value, limits_.max_id_bytes);
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (!IsIdChar(value[i])) {
        Add(path, "contains " + Quote(value.substr(i, 1)) + " at byte " + std::to_string(i) +
                      "; allowed are A-Z a-z 0-9 . _ : @ / -");
        return;
      }
    }
  }

  template <typename E>
  void Enum(const std::string& path, E value) {
    const int v = static_cast<int>(value);
    if (v == 0) {
      Add(path, "is required");
    } else if (v < 0 || v > MaxValue(value)) {
      Add(path, "unknown value " + std::to_string(v));
    }
  }

  void References(const Signal& s) {
    const std::size_t n = Count("references", s.references.size(), limits_.max_references, "references");
    if (s.msg_type == MsgType::kAlert && !s.references.empty()) {
      Add("references", "must be empty for an alert");
    } else if ((s.msg_type == MsgType::kUpdate || s.msg_type == MsgType::kCancel) && s.references.empty()) {
      Add("references", std::string("needs at least one reference for ") +
                            (s.msg_type == MsgType::kUpdate ? "an update" : "a cancel"));
    }
    for (std::size_t i = 0; i < n; ++i) {
      const SignalReference& r = s.references[i];
      const std::string path = Index("references", i);
      if (!s.source.empty() && r.source == s.source && r.external_id == s.external_id) {
        Add(path, "refers to the signal itself");
      }
      Id(path + ".source", r.source);
      Id(path + ".external_id", r.external_id);
    }
  }

  void Categories(const std::vector<Category>& categories) {
    if (categories.empty()) {
      Add("categories", "needs at least one category");
      return;
    }
    const std::size_t n = Count("categories", categories.size(), limits_.max_categories, "categories");
    for (std::size_t i = 0; i < n; ++i) {
      const int v = static_cast<int>(categories[i]);
      if (v == 0) {
        Add(Index("categories", i), "must not be unspecified");
      } else if (v < 0 || v > MaxValue(categories[i])) {
        Add(Index("categories", i), "unknown value " + std::to_string(v));
      }
    }
  }

  void Theme(const std::string& theme) {
    if (theme.empty()) {
      Add("theme", "is required");
      return;
    }
    if (theme.size() > limits_.max_theme_bytes) {
      Length("theme", theme, limits_.max_theme_bytes);
      return;
    }
    if (!core::IsValidUtf8(theme)) {
      Add("theme", "is not valid UTF-8");
      return;
    }
    if (!reference_.IsTheme(theme)) {
      Add("theme", "unknown theme code " + Quote(theme));
    }
  }

  void Times(const Signal& s) {
    if (!s.sent_at) {
      Add("sent_at", "is required");
    } else if (*s.sent_at > now_ + limits_.max_future_skew) {
      // Computed only when sent_at is ahead of now, so the difference cannot overflow.
      Add("sent_at", "is " + FormatSpan(*s.sent_at - now_) + " ahead of the server clock (limit " +
                         FormatSpan(limits_.max_future_skew) + ")");
    }
    if (s.expires_at && limits_.check_time_order) {
      if (s.onset_at && *s.expires_at < *s.onset_at) {
        Add("expires_at", "is before onset_at");
      }
      if (s.sent_at && *s.expires_at <= *s.sent_at) {
        Add("expires_at", "is not after sent_at");
      }
    }
  }

  // Reports a latitude or longitude outside its range or not finite, at `path`.
  void PointAt(const std::string& path, const Point& p) {
    Coordinate(path, "latitude", p.lat, 90);
    Coordinate(path, "longitude", p.lon, 180);
  }

  void Coordinate(const std::string& path, const char* name, double value, double bound) {
    if (!std::isfinite(value)) {
      Add(path, std::string(name) + " is not a finite number");
    } else if (value < -bound || value > bound) {
      Add(path, std::string(name) + " " + FormatNumber(value) + " is outside " + FormatNumber(-bound) + ".." +
                    FormatNumber(bound));
    }
  }

  void AreaOf(const Area& a) {
    if (limits_.require_area && a.municipalities.empty() && a.points.empty() && a.polygons.empty() &&
        a.circles.empty() && a.geocodes.empty()) {
      Add("area", "needs at least one municipality, point, polygon, circle or geocode");
    }
    Text("area.description", a.description, limits_.max_short_text_bytes, false);
    Municipalities(a.municipalities);

    const std::size_t points = Count("area.points", a.points.size(), limits_.max_points, "points");
    for (std::size_t i = 0; i < points; ++i) {
      PointAt(Index("area.points", i), a.points[i]);
    }

    const std::size_t polygons = Count("area.polygons", a.polygons.size(), limits_.max_polygons, "polygons");
    for (std::size_t i = 0; i < polygons; ++i) {
      PolygonAt(Index("area.polygons", i), a.polygons[i]);
    }

    const std::size_t circles = Count("area.circles", a.circles.size(), limits_.max_circles, "circles");
    for (std::size_t i = 0; i < circles; ++i) {
      const std::string path = Index("area.circles", i);
      const Circle& c = a.circles[i];
      PointAt(path + ".center", c.center);
      if (!std::isfinite(c.radius_km)) {
        Add(path + ".radius_km", "is not a finite number");
      } else if (c.radius_km <= 0) {
        Add(path + ".radius_km", "must be greater than 0 (got " + FormatNumber(c.radius_km) + ")");
      } else if (c.radius_km > kMaxRadiusKm) {
        Add(path + ".radius_km", "is " + FormatNumber(c.radius_km) + " (limit " + FormatNumber(kMaxRadiusKm) + ")");
      }
    }

    const std::size_t geocodes = Count("area.geocodes", a.geocodes.size(), limits_.max_geocodes, "geocodes");
    for (std::size_t i = 0; i < geocodes; ++i) {
      const std::string path = Index("area.geocodes", i);
      Text(path + ".name", a.geocodes[i].name, limits_.max_short_text_bytes, true);
      Text(path + ".value", a.geocodes[i].value, limits_.max_short_text_bytes, true);
    }
  }

  void Municipalities(const std::vector<std::string>& codes) {
    const std::size_t n = Count("area.municipalities", codes.size(), limits_.max_municipalities, "municipalities");
    std::unordered_map<std::string_view, std::size_t> first_seen;
    for (std::size_t i = 0; i < n; ++i) {
      const std::string& code = codes[i];
      const std::string path = Index("area.municipalities", i);
      const auto [it, inserted] = first_seen.emplace(code, i);
      if (!inserted) {
        Add(path, "repeats " + Quote(code) + " (also at [" + std::to_string(it->second) + "])");
      } else if (!reference_.IsMunicipality(code)) {
        Add(path, "unknown municipality " + Quote(code) + " (not in region " + reference_.region + ")");
      }
    }
  }

  void PolygonAt(const std::string& path, const Polygon& polygon) {
    const std::vector<Point>& pts = polygon.points;
    if (pts.size() < 4) {
      Add(path, "has " + std::to_string(pts.size()) + " points (needs at least 4)");
    }
    const std::size_t n = Count(path, pts.size(), limits_.max_polygon_points, "points");
    if (!pts.empty() && n == pts.size() && (pts.front().lat != pts.back().lat || pts.front().lon != pts.back().lon)) {
      Add(path, "first and last point differ");
    }
    for (std::size_t j = 0; j < n; ++j) {
      PointAt(Index(path + ".points", j), pts[j]);
    }
  }

  void Web(const std::string& web) {
    if (web.empty()) {
      return;
    }
    Length("web", web, limits_.max_web_bytes);
    if (!core::IsValidUtf8(web)) {
      Add("web", "is not valid UTF-8");
    }
    for (char c : web) {
      const auto u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u == 0x7F) {
        Add("web", "contains a space or control character");
        break;
      }
    }
    std::string scheme;
    for (std::size_t i = 0; i < web.size() && i < 8; ++i) {
      const char c = web[i];
      scheme += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    std::size_t host = 0;
    if (scheme.rfind("https://", 0) == 0) {
      host = 8;
    } else if (scheme.rfind("http://", 0) == 0) {
      host = 7;
    }
    if (host == 0 || web.size() == host || web[host] == '/') {
      Add("web", "is not an http:// or https:// URL");
    }
  }

  void Attributes(const std::map<std::string, std::string>& attributes) {
    const std::size_t n = Count("attributes", attributes.size(), limits_.max_attributes, "attributes");
    std::size_t i = 0;
    for (const auto& [key, value] : attributes) {
      if (i++ == n) {
        break;
      }
      const std::string path = "attributes[" + Quote(key) + "]";
      if (key.empty()) {
        Add(path, "key is empty");
      } else if (key.size() > limits_.max_attribute_key_bytes) {
        Add(path, "key is " + std::to_string(key.size()) + " bytes long (limit " +
                      std::to_string(limits_.max_attribute_key_bytes) + ")");
      } else {
        for (std::size_t k = 0; k < key.size(); ++k) {
          if (!IsAttributeKeyChar(key[k])) {
            Add(path, "key contains " + Quote(std::string_view(key).substr(k, 1)) + " at byte " + std::to_string(k) +
                          "; allowed are A-Z a-z 0-9 . _ -");
            break;
          }
        }
      }
      if (value.size() > limits_.max_attribute_value_bytes) {
        Add(path, "value is " + std::to_string(value.size()) + " bytes long (limit " +
                      std::to_string(limits_.max_attribute_value_bytes) + ")");
      }
      TextContent(path, value, "value ");
    }
  }

  const ReferenceData& reference_;
  const SignalLimits& limits_;
  const core::WallTime now_;
  std::vector<FieldViolation> violations_;
};

}  // namespace

std::size_t FindControlCharacter(std::string_view s, bool allow_whitespace) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u < 0x20 || u == 0x7f) {
      if (allow_whitespace && (u == '\t' || u == '\n' || u == '\r')) {
        continue;
      }
      return i;
    }
    // C1 controls U+0080..U+009F: 0xC2 0x80..0x9F in UTF-8.
    if (u == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(s[i + 1]) <= 0x9f) {
      return i;
    }
  }
  return std::string_view::npos;
}

std::vector<FieldViolation> ValidateSignal(const Signal& signal, const ReferenceData& reference,
                                           const SignalLimits& limits, core::WallTime now) {
  return Validator(reference, limits, now).Run(signal);
}

std::string FormatViolation(const FieldViolation& v, const std::string& prefix) {
  std::string out = prefix;
  if (!v.field.empty()) {
    if (!out.empty()) {
      out += '.';
    }
    out += v.field;
  }
  if (!out.empty()) {
    out += ": ";
  }
  out += v.description;
  return out;
}

namespace {

// The position of a violation's top-level field in vik.v1.Signal ("area" for "area.polygons[0]").
std::size_t FieldRank(std::string_view path) {
  static constexpr std::array<std::string_view, 21> kFields = {
      "source", "external_id", "msg_type",    "references",  "status",      "kind",     "categories",
      "theme",  "urgency",     "severity",    "certainty",   "sent_at",     "onset_at", "expires_at",
      "area",   "headline",    "description", "instruction", "sender_name", "web",      "attributes"};
  const std::string_view top = path.substr(0, path.find_first_of(".["));
  const auto it = std::find(kFields.begin(), kFields.end(), top);
  return static_cast<std::size_t>(it - kFields.begin());
}

}  // namespace

std::vector<FieldViolation> MergeViolations(const std::vector<FieldViolation>& mapping,
                                            std::vector<FieldViolation> validation) {
  std::vector<FieldViolation> out;
  out.reserve(mapping.size() + validation.size());
  auto m = mapping.begin();
  for (FieldViolation& v : validation) {
    const std::size_t rank = FieldRank(v.field);
    for (; m != mapping.end() && FieldRank(m->field) <= rank; ++m) {
      out.push_back(*m);
    }
    const bool reported =
        std::any_of(mapping.begin(), mapping.end(), [&v](const FieldViolation& x) { return x.field == v.field; });
    if (!reported) {
      out.push_back(std::move(v));
    }
  }
  out.insert(out.end(), m, mapping.end());
  return out;
}

}  // namespace vik::domain
