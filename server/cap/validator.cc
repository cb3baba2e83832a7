#include "cap/validator.h"

#include <array>
#include <optional>
#include <string_view>
#include <utility>

#include "cap/values.h"

// CAP 1.1 documents (urn:oasis:names:tc:emergency:cap:1.1) are validated with the 1.1 rules, which
// differ from 1.2 in these points (OASIS CAP-V1.1 and its schema; docs/cap.md lists them too):
//   - responseType has no "Avoid" and no "AllClear" (both added in 1.2);
//   - certainty may be "Very Likely", deprecated and to be treated as "Likely";
//   - resource/mimeType is optional (required from 1.2 on);
//   - dateTime values are schema xs:dateTime: "Z" and fractional seconds pass (1.2's pattern
//     forbids both).
// Everything else (required elements, enumerations, geometry, references) is the same.

namespace vik::cap {
namespace {

constexpr std::array<std::string_view, 5> kStatus = {"Actual", "Exercise", "System", "Test", "Draft"};
constexpr std::array<std::string_view, 5> kMsgType = {"Alert", "Update", "Cancel", "Ack", "Error"};
constexpr std::array<std::string_view, 3> kScope = {"Public", "Restricted", "Private"};
constexpr std::array<std::string_view, 12> kCategory = {"Geo",    "Met", "Safety",    "Security", "Rescue", "Fire",
                                                        "Health", "Env", "Transport", "Infra",    "CBRNE",  "Other"};
constexpr std::array<std::string_view, 9> kResponseType12 = {"Shelter", "Evacuate", "Prepare",  "Execute", "Avoid",
                                                             "Monitor", "Assess",   "AllClear", "None"};
constexpr std::array<std::string_view, 7> kResponseType11 = {"Shelter", "Evacuate", "Prepare", "Execute",
                                                             "Monitor", "Assess",   "None"};
constexpr std::array<std::string_view, 5> kUrgency = {"Immediate", "Expected", "Future", "Past", "Unknown"};
constexpr std::array<std::string_view, 5> kSeverity = {"Extreme", "Severe", "Moderate", "Minor", "Unknown"};
constexpr std::array<std::string_view, 5> kCertainty12 = {"Observed", "Likely", "Possible", "Unlikely", "Unknown"};
constexpr std::array<std::string_view, 6> kCertainty11 = {"Observed", "Very Likely", "Likely",
                                                          "Possible", "Unlikely",    "Unknown"};

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// A value quoted for a message: printable ASCII and UTF-8 kept, control bytes escaped, cut at 64.
std::string Quote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  for (std::size_t i = 0; i < s.size() && i < 64; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += s.size() > 64 ? "'..." : "'";
  return out;
}

template <std::size_t N>
std::string OneOf(const std::array<std::string_view, N>& values) {
  std::string out = "one of ";
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0) {
      out += ", ";
    }
    out += values[i];
  }
  return out;
}

std::string Indexed(const std::string& path, std::string_view name, std::size_t i) {
  return path + "/" + std::string(name) + "[" + std::to_string(i) + "]";
}
std::string Child(const std::string& path, std::string_view name) { return path + "/" + std::string(name); }

// RFC 3066 language tag: 1-8 letters, then any number of "-" and 1-8 letters or digits.
bool IsLanguageTag(std::string_view s) {
  std::size_t i = 0;
  bool first = true;
  while (true) {
    const std::size_t start = i;
    while (i < s.size() && s[i] != '-') {
      if (!(IsAlpha(s[i]) || (!first && IsDigit(s[i])))) {
        return false;
      }
      ++i;
    }
    const std::size_t len = i - start;
    if (len < 1 || len > 8) {
      return false;
    }
    first = false;
    if (i == s.size()) {
      return true;
    }
    ++i;  // '-'
  }
}

bool IsDecimal(std::string_view s) {
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    s.remove_prefix(1);
  }
  bool digits = false;
  bool dot = false;
  for (const char c : s) {
    if (IsDigit(c)) {
      digits = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digits;
}

class Checker {
 public:
  explicit Checker(const Alert& alert) : alert_(alert), v11_(alert.version == Version::kCap11) {}

  std::vector<Violation> Run() && {
    const std::string path = "alert";
    Identifier(Child(path, "identifier"), alert_.identifier);
    Identifier(Child(path, "sender"), alert_.sender);
    DateTime(Child(path, "sent"), alert_.sent, /*required=*/true);
    Enum(Child(path, "status"), alert_.status, kStatus);
    Enum(Child(path, "msgType"), alert_.msg_type, kMsgType);
    Enum(Child(path, "scope"), alert_.scope, kScope);
    if (alert_.scope == "Restricted" && alert_.restriction.empty()) {
      Add(Child(path, "restriction"), "is required when scope is 'Restricted'");
    }
    if (alert_.scope == "Private" && alert_.addresses.empty()) {
      Add(Child(path, "addresses"), "is required when scope is 'Private'");
    }
    References(Child(path, "references"));
    for (std::size_t i = 0; i < alert_.infos.size(); ++i) {
      InfoBlock(Indexed(path, "info", i), alert_.infos[i]);
    }
    return std::move(violations_);
  }

 private:
  void Add(std::string path, std::string message) {
    violations_.push_back(Violation{std::move(path), std::move(message)});
  }

  void Required(const std::string& path, std::string_view value) {
    if (value.empty()) {
      Add(path, "is required (missing or empty)");
    }
  }

  // identifier and sender: required, no whitespace, commas or restricted characters (< and &).
  void Identifier(const std::string& path, std::string_view value) {
    if (value.empty()) {
      Add(path, "is required (missing or empty)");
      return;
    }
    for (const char c : value) {
      if (IsXmlSpace(c) || c == ',' || c == '<' || c == '&') {
        Add(path, Quote(value) + " contains " +
                      (IsXmlSpace(c) ? std::string("whitespace") : "'" + std::string(1, c) + "'") +
                      " (spaces, commas, '<' and '&' are not allowed)");
        return;
      }
    }
  }

  template <std::size_t N>
  void Enum(const std::string& path, std::string_view value, const std::array<std::string_view, N>& values) {
    if (value.empty()) {
      Add(path, "is required (missing or empty)");
      return;
    }
    for (const auto v : values) {
      if (v == value) {
        return;
      }
    }
    Add(path, "unknown value " + Quote(value) + " (" + OneOf(values) + ")");
  }

  // Returns the parsed time when `value` is a valid CAP dateTime.
  std::optional<core::WallTime> DateTime(const std::string& path, std::string_view value, bool required) {
    if (value.empty()) {
      if (required) {
        Add(path, "is required (missing or empty)");
      }
      return std::nullopt;
    }
    auto t = ParseDateTime(value, /*allow_z=*/v11_, /*allow_fraction=*/v11_);
    if (!t) {
      Add(path, Quote(value) + " is not a CAP dateTime (YYYY-MM-DDThh:mm:ss+hh:mm" +
                    std::string(v11_ ? ", or a CAP 1.1 xs:dateTime" : "") + ")");
    }
    return t;
  }

  // Update, Cancel, Ack and Error act on the message(s) named in <references> (CAP 1.2 3.2.1
  // msgType), so for them it is required; when present it must be well-formed triples.
  void References(const std::string& path) {
    const std::string_view type = alert_.msg_type;
    if (alert_.references.empty()) {
      if (type == "Update" || type == "Cancel" || type == "Ack" || type == "Error") {
        Add(path, "is required when msgType is " + Quote(type) + " (it names the earlier message(s))");
      }
      return;
    }
    std::string error;
    if (!v11_) {
      if (!ParseReferences(alert_.references, &error)) {
        Add(path, error);
      }
      return;
    }
    // CAP 1.1: same triples, but "sent" is an xs:dateTime.
    std::size_t i = 0;
    const std::string_view text = alert_.references;
    while (i < text.size()) {
      while (i < text.size() && IsXmlSpace(text[i])) {
        ++i;
      }
      const std::size_t start = i;
      while (i < text.size() && !IsXmlSpace(text[i])) {
        ++i;
      }
      if (i == start) {
        break;
      }
      const auto triple = text.substr(start, i - start);
      const auto c1 = triple.find(',');
      const auto c2 = c1 == std::string_view::npos ? c1 : triple.find(',', c1 + 1);
      if (c2 == std::string_view::npos || triple.find(',', c2 + 1) != std::string_view::npos || c1 == 0 ||
          c2 == c1 + 1 || c2 + 1 == triple.size()) {
        Add(path, "reference " + Quote(triple) + " is not 'sender,identifier,sent'");
        return;
      }
      if (!ParseDateTime(triple.substr(c2 + 1), true, true)) {
        Add(path, "reference " + Quote(triple) + ": " + Quote(triple.substr(c2 + 1)) + " is not a CAP dateTime");
        return;
      }
    }
  }

  void InfoBlock(const std::string& path, const Info& info) {
    if (!info.language.empty() && !IsLanguageTag(info.language)) {
      Add(Child(path, "language"), Quote(info.language) + " is not an RFC 3066 language tag (e.g. 'en-US')");
    }
    if (info.categories.empty()) {
      Add(Child(path, "category"), "is required (at least one)");
    }
    for (std::size_t i = 0; i < info.categories.size(); ++i) {
      Enum(Indexed(path, "category", i), info.categories[i], kCategory);
    }
    Required(Child(path, "event"), info.event);
    for (std::size_t i = 0; i < info.response_types.size(); ++i) {
      if (v11_) {
        Enum(Indexed(path, "responseType", i), info.response_types[i], kResponseType11);
      } else {
        Enum(Indexed(path, "responseType", i), info.response_types[i], kResponseType12);
      }
    }
    Enum(Child(path, "urgency"), info.urgency, kUrgency);
    Enum(Child(path, "severity"), info.severity, kSeverity);
    if (v11_) {
      Enum(Child(path, "certainty"), info.certainty, kCertainty11);
    } else {
      Enum(Child(path, "certainty"), info.certainty, kCertainty12);
    }
    for (std::size_t i = 0; i < info.event_codes.size(); ++i) {
      Pair(Indexed(path, "eventCode", i), info.event_codes[i]);
    }
    const auto effective = DateTime(Child(path, "effective"), info.effective, false);
    const auto onset = DateTime(Child(path, "onset"), info.onset, false);
    const auto expires = DateTime(Child(path, "expires"), info.expires, false);
    if (expires && onset && *expires < *onset) {
      Add(Child(path, "expires"), Quote(info.expires) + " is before onset " + Quote(info.onset));
    } else if (expires && effective && *expires < *effective) {
      Add(Child(path, "expires"), Quote(info.expires) + " is before effective " + Quote(info.effective));
    }
    for (std::size_t i = 0; i < info.parameters.size(); ++i) {
      Pair(Indexed(path, "parameter", i), info.parameters[i]);
    }
    for (std::size_t i = 0; i < info.resources.size(); ++i) {
      ResourceBlock(Indexed(path, "resource", i), info.resources[i]);
    }
    for (std::size_t i = 0; i < info.areas.size(); ++i) {
      AreaBlock(Indexed(path, "area", i), info.areas[i]);
    }
  }

  // The parser has checked both elements are present; an empty value is allowed (real senders
  // write <value/> for "none"), an empty valueName names nothing.
  void Pair(const std::string& path, const NameValue& nv) { Required(Child(path, "valueName"), nv.name); }

  void ResourceBlock(const std::string& path, const Resource& r) {
    Required(Child(path, "resourceDesc"), r.resource_desc);
    if (!v11_) {
      Required(Child(path, "mimeType"), r.mime_type);
    }
    if (!r.size.empty()) {
      bool digits = r.size.size() <= 19;
      for (const char c : r.size) {
        digits = digits && IsDigit(c);
      }
      if (!digits) {
        Add(Child(path, "size"), Quote(r.size) + " is not a non-negative integer (bytes)");
      }
    }
    if (!r.digest.empty()) {
      bool hex = r.digest.size() == 40;
      for (const char c : r.digest) {
        hex = hex && IsHex(c);
      }
      if (!hex) {
        Add(Child(path, "digest"), Quote(r.digest) + " is not a SHA-1 digest (40 hexadecimal digits)");
      }
    }
  }

  void AreaBlock(const std::string& path, const Area& area) {
    Required(Child(path, "areaDesc"), area.area_desc);
    for (std::size_t i = 0; i < area.polygons.size(); ++i) {
      std::string error;
      if (!ParsePolygon(area.polygons[i], &error)) {
        Add(Indexed(path, "polygon", i), error);
      }
    }
    for (std::size_t i = 0; i < area.circles.size(); ++i) {
      std::string error;
      if (!ParseCircle(area.circles[i], &error)) {
        Add(Indexed(path, "circle", i), error);
      }
    }
    for (std::size_t i = 0; i < area.geocodes.size(); ++i) {
      Pair(Indexed(path, "geocode", i), area.geocodes[i]);
    }
    if (!area.altitude.empty() && !IsDecimal(area.altitude)) {
      Add(Child(path, "altitude"), Quote(area.altitude) + " is not a decimal number (feet)");
    }
    if (!area.ceiling.empty()) {
      if (!IsDecimal(area.ceiling)) {
        Add(Child(path, "ceiling"), Quote(area.ceiling) + " is not a decimal number (feet)");
      }
      if (area.altitude.empty()) {
        Add(Child(path, "ceiling"), "is only allowed together with altitude");
      }
    }
  }

  const Alert& alert_;
  const bool v11_;
  std::vector<Violation> violations_;
};

}  // namespace

std::vector<Violation> Validate(const Alert& alert) { return Checker(alert).Run(); }

std::string Format(const Violation& v) { return v.path + ": " + v.message; }

}  // namespace vik::cap
