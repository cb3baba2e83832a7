#include "cap/mapping.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <tuple>

#include <openssl/sha.h>

#include "domain/geometry.h"

namespace vik::cap {
namespace {

constexpr const char* kDutch = "nl";

bool StartsWith(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == ':' || c == '@' || c == '/' || c == '-';
}

std::string HexPrefix(const std::string& text, std::size_t hex_chars) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < SHA256_DIGEST_LENGTH && out.size() < hex_chars; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

// `text` as valid UTF-8 without NUL or other control characters but tab, LF and CR (invalid bytes
// become U+FFFD: real feeds mislabel Latin-1 as UTF-8), cut to at most `limit` bytes on a character
// boundary. The document keeps the original.
std::string Clean(const std::string& text, std::size_t limit) {
  std::string out;
  out.reserve(std::min(text.size(), limit));
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool valid = len > 0 && i + len <= text.size();
    for (std::size_t k = 1; valid && k < len; ++k) {
      valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    }
    if (valid && len > 1) {
      // No overlong forms, surrogates or code points above U+10FFFF.
      const auto c1 = static_cast<unsigned char>(text[i + 1]);
      valid = !(len == 2 && c < 0xC2) && !(len == 3 && c == 0xE0 && c1 < 0xA0) &&
              !(len == 3 && c == 0xED && c1 >= 0xA0) && !(len == 4 && c == 0xF0 && c1 < 0x90) &&
              !(len == 4 && (c > 0xF4 || (c == 0xF4 && c1 >= 0x90)));
    }
    constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
    // Control characters (C0 but tab, LF and CR; DEL; C1, which a mislabelled Latin-1 document
    // brings) are dropped: a character reference such as "&#1;" reaches the tree, and neither
    // PostgreSQL (NUL), a terminal nor generated XML 1.0 takes them.
    const bool control = (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f ||
                         (valid && len == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) <= 0x9F);
    const std::string_view piece = !valid    ? kReplacement
                                   : control ? std::string_view()
                                             : std::string_view(text).substr(i, len);
    if (out.size() + piece.size() > limit) {
      break;
    }
    out.append(piece);
    i += valid ? len : 1;
  }
  return out;
}

bool IsHttpUrl(const std::string& web, std::size_t limit) {
  if (web.size() > limit || std::any_of(web.begin(), web.end(), [](char ch) {
        const auto u = static_cast<unsigned char>(ch);
        return u <= 0x20 || u >= 0x7F;
      })) {
    return false;
  }
  std::string lower = web.substr(0, 8);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
  const std::size_t host = lower.rfind("https://", 0) == 0 ? 8 : lower.rfind("http://", 0) == 0 ? 7 : 0;
  return host > 0 && web.size() > host && web[host] != '/';
}

bool IsValidId(const std::string& id, std::size_t limit) {
  return !id.empty() && id.size() <= limit && std::all_of(id.begin(), id.end(), IsIdChar);
}

// What makes two <info> blocks language variants of one another: everything but their text.
using VariantKey = std::tuple<std::vector<std::string>, std::string, std::string, std::string, std::string, std::string,
                              std::string, std::vector<std::string>>;

VariantKey KeyOf(const Info& info) {
  std::vector<std::string> geometry;
  for (const Area& a : info.areas) {
    geometry.insert(geometry.end(), a.polygons.begin(), a.polygons.end());
    geometry.insert(geometry.end(), a.circles.begin(), a.circles.end());
    for (const auto& g : a.geocodes) {
      geometry.push_back(g.name + "=" + g.value);
    }
  }
  std::vector<std::string> categories = info.categories;
  std::sort(categories.begin(), categories.end());
  return {categories, info.urgency, info.severity, info.certainty, info.effective, info.onset, info.expires, geometry};
}

bool IsMunicipalityGeocode(const std::string& name) {
  return name == "CBS_GM" || name == "gemeentecode" || name == "GM" || name == "CBS";
}

// "GM0796", "0796" or "796" -> "GM0796".
std::string NormaliseGmCode(const std::string& value) {
  std::string digits = StartsWith(value, "GM") ? value.substr(2) : value;
  if (digits.empty() || digits.size() > 4 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return "";
  }
  return "GM" + std::string(4 - digits.size(), '0') + digits;
}

// The ring as a signal polygon of at most `max_points` points (at least 4): a longer ring keeps
// evenly spaced vertices, its first point and its closing point. A national service's single
// polygon of ~40,000 points (877 KB) becomes a faithful outline the signal limits admit, and
// locating it against the region's boundaries stays fast; the document keeps the full ring.
domain::Polygon Simplified(const std::vector<LatLon>& ring, std::size_t max_points) {
  domain::Polygon out;
  max_points = std::max<std::size_t>(max_points, 4);
  if (ring.size() <= max_points) {
    for (const auto& p : ring) {
      out.points.push_back({p.lat, p.lon});
    }
    return out;
  }
  // ring.back() == ring.front(): sample the open ring, then close it.
  const std::size_t open = ring.size() - 1;
  const std::size_t keep = max_points - 1;
  out.points.reserve(max_points);
  for (std::size_t i = 0; i < keep; ++i) {
    const auto& p = ring[i * open / keep];
    out.points.push_back({p.lat, p.lon});
  }
  out.points.push_back(out.points.front());
  return out;
}

class Mapper {
 public:
  Mapper(const Alert& alert, const domain::ReferenceData& reference, const domain::SignalLimits& limits)
      : alert_(alert), reference_(reference), limits_(limits) {}

  MappedAlert Run() {
    MappedAlert out;
    out.sent_at = ParseDateTime(alert_.sent, true, true).value_or(core::WallTime{});
    if (auto refs = ParseReferences(alert_.references)) {
      for (auto& r : *refs) {
        // The message itself (same sender and identifier, whatever its `sent` says: "-00:00" and
        // "+00:00" name the same instant, and (sender, identifier) alone names a message in vik).
        // Real senders list it; it is ignored, and the receipt says so.
        if (r.sender == alert_.sender && r.identifier == alert_.identifier) {
          out.warnings.push_back("alert/references: the reference to this message itself (" + r.sender + "," +
                                 r.identifier + "," + r.sent + ") is ignored");
          continue;
        }
        out.references.push_back(std::move(r));
      }
    }
    const domain::MsgType msg_type = MsgTypeOf(alert_.msg_type);
    if (msg_type == domain::MsgType::kUnspecified) {
      return out;  // Ack, Error: stored, but no signals
    }
    const auto groups = GroupVariants();
    for (const auto& group : groups) {
      MappedSignal m;
      m.info_index = group.front();
      m.language_variants.assign(group.begin() + 1, group.end());
      m.signal = MapInfo(group, msg_type, out, groups.size());
      out.signals.push_back(std::move(m));
    }
    return out;
  }

 private:
  // Groups of info indexes; the first of each group is the block whose text the signal carries.
  std::vector<std::vector<int>> GroupVariants() const {
    std::vector<std::vector<int>> groups;
    std::vector<VariantKey> keys;
    std::vector<std::set<std::string>> languages;
    for (int i = 0; i < static_cast<int>(alert_.infos.size()); ++i) {
      const Info& info = alert_.infos[static_cast<std::size_t>(i)];
      const VariantKey key = KeyOf(info);
      const std::string lang = info.language.empty() ? "en-US" : info.language;
      bool placed = false;
      for (std::size_t g = 0; g < groups.size() && !placed; ++g) {
        if (keys[g] == key && languages[g].count(lang) == 0) {
          groups[g].push_back(i);
          languages[g].insert(lang);
          placed = true;
        }
      }
      if (!placed) {
        groups.push_back({i});
        keys.push_back(key);
        languages.push_back({lang});
      }
    }
    // Dutch text first when the group has it.
    for (auto& group : groups) {
      auto dutch = std::find_if(group.begin(), group.end(), [this](int i) {
        return StartsWith(alert_.infos[static_cast<std::size_t>(i)].language, kDutch);
      });
      if (dutch != group.end()) {
        std::rotate(group.begin(), dutch, dutch + 1);
      }
    }
    return groups;
  }

  domain::Signal MapInfo(const std::vector<int>& group, domain::MsgType msg_type, const MappedAlert& alert,
                         std::size_t signal_count) {
    const Info& info = alert_.infos[static_cast<std::size_t>(group.front())];
    domain::Signal s;
    s.source = alert_.sender;
    s.external_id = ExternalId(alert_.identifier, group.front(), signal_count);
    s.msg_type = msg_type;
    if (msg_type != domain::MsgType::kAlert) {
      for (const auto& r : alert.references) {
        if (s.references.size() >= limits_.max_references) {
          break;  // the message keeps them all
        }
        // A sender a source id cannot hold gets a stable hashed key, as identifiers do (no such
        // source can be registered, so the reference resolves to nothing, but the signal stays a
        // valid update or cancel).
        const std::string source =
            IsValidId(r.sender, limits_.max_id_bytes) ? r.sender : "cap-" + HexPrefix(r.sender, 32);
        s.references.push_back({source, ExternalId(r.identifier, 0, 1)});
      }
    }
    s.status = StatusOf(alert_.status);
    for (const auto& c : info.categories) {
      const domain::Category category = CategoryOf(c);
      if (category != domain::Category::kUnspecified &&
          std::find(s.categories.begin(), s.categories.end(), category) == s.categories.end()) {
        s.categories.push_back(category);
      }
    }
    s.urgency = UrgencyOf(info.urgency);
    s.severity = SeverityOf(info.severity);
    s.certainty = CertaintyOf(info.certainty);
    s.sent_at = alert.sent_at;
    if (auto onset = ParseDateTime(info.onset.empty() ? info.effective : info.onset, true, true)) {
      s.onset_at = onset;
    }
    if (auto expires = ParseDateTime(info.expires, true, true)) {
      s.expires_at = expires;
    }
    // Texts beyond the signal's limits are cut (the document keeps them whole).
    s.headline = Clean(info.headline.empty() ? info.event : info.headline, limits_.max_headline_bytes);
    s.description = Clean(info.description, limits_.max_text_bytes);
    s.instruction = Clean(info.instruction, limits_.max_text_bytes);
    s.sender_name = Clean(info.sender_name, limits_.max_short_text_bytes);
    if (IsHttpUrl(info.web, limits_.max_web_bytes)) {
      s.web = info.web;
    }
    s.kind = s.certainty == domain::Certainty::kObserved ? domain::SignalKind::kIncident : domain::SignalKind::kWarning;

    for (const auto& p : info.parameters) {
      if (p.name == "vik:kind") {
        s.kind = KindOf(p.value, s.kind);
      } else if (p.name == "crisistype" || p.name == "vik:theme") {
        if (reference_.IsTheme(p.value)) {
          s.theme = p.value;
        }
      } else {
        Attribute(s, p.name, p.value);
      }
    }
    if (s.theme.empty()) {
      s.theme = DefaultTheme(info);
    }
    if (info.event != s.headline) {
      Attribute(s, "cap:event", info.event);
    }
    if (!info.web.empty() && s.web.empty()) {
      Attribute(s, "cap:web", info.web);  // not an http(s) URL (e.g. "www.knmi.nl")
    }
    const std::string language = info.language.empty() ? "en-US" : info.language;
    if (language != "nl-NL") {
      Attribute(s, "cap:language", language);
    }
    std::string responses;
    for (const auto& r : info.response_types) {
      responses += (responses.empty() ? "" : " ") + r;
    }
    Attribute(s, "cap:responseType", responses);
    Attribute(s, "cap:audience", info.audience);
    Attribute(s, "cap:contact", info.contact);
    for (const auto& e : info.event_codes) {
      Attribute(s, "cap:eventCode." + e.name, e.value);
    }
    for (std::size_t v = 1; v < group.size(); ++v) {
      const Info& variant = alert_.infos[static_cast<std::size_t>(group[v])];
      Attribute(s, "cap:headline@" + variant.language, variant.headline.empty() ? variant.event : variant.headline);
    }
    MapAreas(info, s);
    return s;
  }

  static domain::SignalKind KindOf(const std::string& value, domain::SignalKind fallback) {
    for (auto k : {domain::SignalKind::kIncident, domain::SignalKind::kWarning, domain::SignalKind::kObservation,
                   domain::SignalKind::kForecast, domain::SignalKind::kAssessment}) {
      if (value == domain::Name(k)) {
        return k;
      }
    }
    return fallback;
  }

  std::string DefaultTheme(const Info& info) const {
    for (const auto& c : info.categories) {
      auto it = reference_.cap_category_themes.find(c);
      if (it != reference_.cap_category_themes.end()) {
        return it->second;
      }
    }
    auto other = reference_.cap_category_themes.find("Other");
    return other != reference_.cap_category_themes.end() ? other->second : "";
  }

  // Adds an attribute when it is non-empty and within the signal's limits (else it is dropped:
  // the document itself is kept verbatim).
  void Attribute(domain::Signal& s, std::string key, const std::string& value) const {
    if (value.empty() || s.attributes.size() >= limits_.max_attributes) {
      return;
    }
    for (char& c : key) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-';
      if (!ok) {
        c = c == ':' || c == '@' ? '.' : '_';
      }
    }
    if (key.empty() || key.size() > limits_.max_attribute_key_bytes || s.attributes.count(key) > 0) {
      return;
    }
    s.attributes[key] = Clean(value, limits_.max_attribute_value_bytes);
  }

  void MapAreas(const Info& info, domain::Signal& s) const {
    std::set<std::string> municipalities;
    std::string description;
    for (const Area& a : info.areas) {
      if (!a.area_desc.empty()) {
        description += (description.empty() ? "" : "; ") + a.area_desc;
      }
      bool named = false;
      for (const auto& g : a.geocodes) {
        if (IsMunicipalityGeocode(g.name)) {
          const std::string code = NormaliseGmCode(g.value);
          if (!code.empty() && reference_.IsMunicipality(code)) {
            municipalities.insert(code);  // a municipality of the region: a field, not a geocode
            named = true;
            continue;
          }
        }
        if (s.area.geocodes.size() < limits_.max_geocodes) {
          s.area.geocodes.push_back(
              {Clean(g.name, limits_.max_short_text_bytes), Clean(g.value, limits_.max_short_text_bytes)});
        }
      }
      for (const auto& text : a.polygons) {
        auto ring = ParsePolygon(text);
        if (!ring) {
          continue;
        }
        const domain::Polygon polygon = Simplified(*ring, limits_.max_polygon_points);
        if (!named && reference_.areas) {
          for (auto& code : reference_.areas->Locate(polygon)) {
            municipalities.insert(std::move(code));
          }
        }
        if (s.area.polygons.size() < limits_.max_polygons) {
          s.area.polygons.push_back(polygon);
        }
      }
      for (const auto& text : a.circles) {
        auto c = ParseCircle(text);
        if (!c) {
          continue;
        }
        domain::Circle circle{{c->center.lat, c->center.lon}, c->radius_km};
        if (c->radius_km == 0) {
          if (!named && reference_.areas) {
            for (auto& code : reference_.areas->Locate(circle.center)) {
              municipalities.insert(std::move(code));
            }
          }
          if (s.area.points.size() < limits_.max_points) {
            s.area.points.push_back(circle.center);
          }
          continue;
        }
        if (!named && reference_.areas) {
          for (auto& code : reference_.areas->Locate(circle)) {
            municipalities.insert(std::move(code));
          }
        }
        if (s.area.circles.size() < limits_.max_circles) {
          s.area.circles.push_back(circle);
        }
      }
    }
    s.area.description = Clean(description, limits_.max_short_text_bytes);
    s.area.municipalities.assign(municipalities.begin(), municipalities.end());
    if (s.area.municipalities.size() > limits_.max_municipalities) {
      s.area.municipalities.resize(limits_.max_municipalities);
    }
  }

  const Alert& alert_;
  const domain::ReferenceData& reference_;
  const domain::SignalLimits& limits_;
};

}  // namespace

MappedAlert MapAlert(const Alert& alert, const domain::ReferenceData& reference, const domain::SignalLimits& limits) {
  return Mapper(alert, reference, limits).Run();
}

std::string ExternalId(const std::string& identifier, int info_index, std::size_t signal_count) {
  const bool plain =
      !identifier.empty() && identifier.size() <= 100 && std::all_of(identifier.begin(), identifier.end(), IsIdChar);
  const std::string base = plain ? identifier : "cap-" + HexPrefix(identifier, 32);
  return signal_count <= 1 ? base : base + "/info" + std::to_string(info_index);
}

domain::MsgType MsgTypeOf(const std::string& cap) {
  if (cap == "Alert") return domain::MsgType::kAlert;
  if (cap == "Update") return domain::MsgType::kUpdate;
  if (cap == "Cancel") return domain::MsgType::kCancel;
  return domain::MsgType::kUnspecified;
}

domain::SignalStatus StatusOf(const std::string& cap) {
  if (cap == "Actual") return domain::SignalStatus::kActual;
  if (cap == "Exercise") return domain::SignalStatus::kExercise;
  if (cap == "System") return domain::SignalStatus::kSystem;
  if (cap == "Test") return domain::SignalStatus::kTest;
  if (cap == "Draft") return domain::SignalStatus::kDraft;
  return domain::SignalStatus::kUnspecified;
}

domain::Category CategoryOf(const std::string& cap) {
  static const std::map<std::string, domain::Category> kMap = {{"Geo", domain::Category::kGeo},
                                                               {"Met", domain::Category::kMet},
                                                               {"Safety", domain::Category::kSafety},
                                                               {"Security", domain::Category::kSecurity},
                                                               {"Rescue", domain::Category::kRescue},
                                                               {"Fire", domain::Category::kFire},
                                                               {"Health", domain::Category::kHealth},
                                                               {"Env", domain::Category::kEnv},
                                                               {"Transport", domain::Category::kTransport},
                                                               {"Infra", domain::Category::kInfra},
                                                               {"CBRNE", domain::Category::kCbrne},
                                                               {"Other", domain::Category::kOther}};
  auto it = kMap.find(cap);
  return it == kMap.end() ? domain::Category::kUnspecified : it->second;
}

domain::Urgency UrgencyOf(const std::string& cap) {
  if (cap == "Immediate") return domain::Urgency::kImmediate;
  if (cap == "Expected") return domain::Urgency::kExpected;
  if (cap == "Future") return domain::Urgency::kFuture;
  if (cap == "Past") return domain::Urgency::kPast;
  if (cap == "Unknown") return domain::Urgency::kUnknown;
  return domain::Urgency::kUnspecified;
}

domain::Severity SeverityOf(const std::string& cap) {
  if (cap == "Extreme") return domain::Severity::kExtreme;
  if (cap == "Severe") return domain::Severity::kSevere;
  if (cap == "Moderate") return domain::Severity::kModerate;
  if (cap == "Minor") return domain::Severity::kMinor;
  if (cap == "Unknown") return domain::Severity::kUnknown;
  return domain::Severity::kUnspecified;
}

domain::Certainty CertaintyOf(const std::string& cap) {
  if (cap == "Observed") return domain::Certainty::kObserved;
  if (cap == "Likely" || cap == "Very Likely") return domain::Certainty::kLikely;
  if (cap == "Possible") return domain::Certainty::kPossible;
  if (cap == "Unlikely") return domain::Certainty::kUnlikely;
  if (cap == "Unknown") return domain::Certainty::kUnknown;
  return domain::Certainty::kUnspecified;
}

}  // namespace vik::cap
