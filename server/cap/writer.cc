#include "cap/writer.h"

#include <charconv>
#include <sstream>

#include <pugixml.hpp>

#include "core/time_format.h"

namespace vik::cap {
namespace {

constexpr const char* kCapNamespace = "urn:oasis:names:tc:emergency:cap:1.2";
constexpr const char* kAtomNamespace = "http://www.w3.org/2005/Atom";

// CAP dateTime in UTC, whole seconds, with an explicit "+00:00" zone (CAP 1.2 forbids "Z" and
// fractions).
std::string CapTime(core::WallTime t) {
  const std::string rfc3339 = core::FormatRfc3339(t);  // "2026-11-25T03:19:43.123456Z"
  return rfc3339.substr(0, 19) + "+00:00";
}

// Atom (RFC 3339) time in UTC, whole seconds.
std::string AtomTime(core::WallTime t) { return core::FormatRfc3339(t).substr(0, 19) + "Z"; }

// Only characters XML 1.0 allows: control characters other than tab, LF and CR are left out (a
// validated signal has none; this keeps the document well-formed whatever it is given).
void Text(pugi::xml_node parent, const char* name, const std::string& value) {
  std::string clean;
  clean.reserve(value.size());
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 || u == '\t' || u == '\n' || u == '\r') {
      clean += c;
    }
  }
  parent.append_child(name).text().set(clean.c_str());
}

void TextIf(pugi::xml_node parent, const char* name, const std::string& value) {
  if (!value.empty()) {
    Text(parent, name, value);
  }
}

std::string Capitalised(const char* lower) {
  std::string s = lower;
  if (!s.empty()) {
    s[0] = static_cast<char>(s[0] - 'a' + 'A');
  }
  return s;
}

std::string CategoryName(domain::Category c) {
  switch (c) {
    case domain::Category::kCbrne:
      return "CBRNE";
    case domain::Category::kUnspecified:
      return "Other";
    default:
      return Capitalised(domain::Name(c));
  }
}

// The shortest text that reads back as the same double.
std::string Number(double v) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  return ec == std::errc() ? std::string(buffer, end) : "0";
}

std::string PointText(const domain::Point& p) { return Number(p.lat) + "," + Number(p.lon); }

std::string Attribute(const domain::Signal& s, const std::string& key) {
  auto it = s.attributes.find(key);
  return it == s.attributes.end() ? "" : it->second;
}

std::string Serialise(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_indent, pugi::encoding_utf8);
  return out.str();
}

void WriteInfo(pugi::xml_node alert, const domain::Signal& s) {
  pugi::xml_node info = alert.append_child("info");
  const std::string language = Attribute(s, "cap.language");
  Text(info, "language", language.empty() ? "nl-NL" : language);
  for (auto c : s.categories) {
    Text(info, "category", CategoryName(c));
  }
  const std::string event = Attribute(s, "cap.event");
  Text(info, "event", event.empty() ? s.headline : event);
  std::istringstream responses(Attribute(s, "cap.responseType"));
  for (std::string r; responses >> r;) {
    Text(info, "responseType", r);
  }
  Text(info, "urgency", Capitalised(domain::Name(s.urgency)));
  Text(info, "severity", Capitalised(domain::Name(s.severity)));
  Text(info, "certainty", Capitalised(domain::Name(s.certainty)));
  TextIf(info, "audience", Attribute(s, "cap.audience"));
  constexpr std::string_view kEventCode = "cap.eventCode.";
  for (const auto& [key, value] : s.attributes) {
    if (key.rfind(kEventCode, 0) == 0) {
      pugi::xml_node code = info.append_child("eventCode");
      Text(code, "valueName", key.substr(kEventCode.size()));
      Text(code, "value", value);
    }
  }
  if (s.onset_at) {
    Text(info, "onset", CapTime(*s.onset_at));
  }
  if (s.expires_at) {
    Text(info, "expires", CapTime(*s.expires_at));
  }
  TextIf(info, "senderName", s.sender_name);
  TextIf(info, "headline", s.headline);
  TextIf(info, "description", s.description);
  TextIf(info, "instruction", s.instruction);
  TextIf(info, "web", s.web);
  TextIf(info, "contact", Attribute(s, "cap.contact"));
  auto parameter = [&info](const std::string& name, const std::string& value) {
    pugi::xml_node p = info.append_child("parameter");
    Text(p, "valueName", name);
    Text(p, "value", value);
  };
  parameter("vik:kind", domain::Name(s.kind));
  parameter("vik:theme", s.theme);
  for (const auto& [key, value] : s.attributes) {
    if (key.rfind("cap.", 0) != 0) {
      parameter(key, value);
    }
  }
  pugi::xml_node area = info.append_child("area");
  Text(area, "areaDesc", s.area.description.empty() ? "(no description)" : s.area.description);
  for (const auto& polygon : s.area.polygons) {
    std::string text;
    for (const auto& p : polygon.points) {
      text += (text.empty() ? "" : " ") + PointText(p);
    }
    Text(area, "polygon", text);
  }
  for (const auto& c : s.area.circles) {
    Text(area, "circle", PointText(c.center) + " " + Number(c.radius_km));
  }
  for (const auto& p : s.area.points) {
    Text(area, "circle", PointText(p) + " 0");
  }
  auto geocode = [&area](const std::string& name, const std::string& value) {
    pugi::xml_node g = area.append_child("geocode");
    Text(g, "valueName", name);
    Text(g, "value", value);
  };
  for (const auto& g : s.area.geocodes) {
    geocode(g.name, g.value);
  }
  for (const auto& m : s.area.municipalities) {
    bool listed = false;
    for (const auto& g : s.area.geocodes) {
      listed = listed || (g.name == "CBS_GM" && g.value == m);
    }
    if (!listed) {
      geocode("CBS_GM", m);
    }
  }
}

}  // namespace

std::string WriteAlert(const domain::Signal& s) {
  pugi::xml_document doc;
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  pugi::xml_node alert = doc.append_child("alert");
  alert.append_attribute("xmlns") = kCapNamespace;
  Text(alert, "identifier", s.external_id);
  Text(alert, "sender", s.source);
  Text(alert, "sent", CapTime(s.sent_at.value_or(core::WallTime{})));
  Text(alert, "status", Capitalised(domain::Name(s.status)));
  Text(alert, "msgType", Capitalised(domain::Name(s.msg_type)));
  Text(alert, "scope", "Public");
  if (!s.references.empty()) {
    // Each reference's sent time is not part of a signal reference; the referencing signal's own
    // sent time stands in (receivers resolve references by sender and identifier).
    std::string refs;
    for (const auto& r : s.references) {
      refs += (refs.empty() ? "" : " ") + r.source + "," + r.external_id + "," +
              CapTime(s.sent_at.value_or(core::WallTime{}));
    }
    Text(alert, "references", refs);
  }
  WriteInfo(alert, s);
  return Serialise(doc);
}

std::string WriteAtom(const AtomFeed& feed) {
  pugi::xml_document doc;
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  pugi::xml_node root = doc.append_child("feed");
  root.append_attribute("xmlns") = kAtomNamespace;
  Text(root, "id", feed.id);
  Text(root, "title", feed.title);
  Text(root, "updated", AtomTime(feed.updated));
  pugi::xml_node self = root.append_child("link");
  self.append_attribute("rel") = "self";
  self.append_attribute("href") = feed.self_link.c_str();
  for (const auto& e : feed.entries) {
    pugi::xml_node entry = root.append_child("entry");
    Text(entry, "id", e.id);
    Text(entry, "title", e.title.empty() ? "(no headline)" : e.title);
    Text(entry, "updated", AtomTime(e.updated));
    Text(entry, "published", AtomTime(e.published));
    Text(entry.append_child("author"), "name", e.author);
    pugi::xml_node link = entry.append_child("link");
    link.append_attribute("rel") = "alternate";
    link.append_attribute("type") = "application/cap+xml";
    link.append_attribute("href") = e.link.c_str();
    TextIf(entry, "summary", e.summary);
    for (const auto& c : e.categories) {
      entry.append_child("category").append_attribute("term") = c.c_str();
    }
  }
  return Serialise(doc);
}

}  // namespace vik::cap
