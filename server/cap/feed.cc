#include "cap/feed.h"

#include <pugixml.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <sstream>

#include "cap/xml_prescan.h"

namespace vik::cap {
namespace {

constexpr std::string_view kNsAtom = "http://www.w3.org/2005/Atom";
constexpr std::string_view kCapMediaType = "application/cap+xml";

std::string_view LocalName(const pugi::xml_node& n) {
  std::string_view name = n.name();
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string_view Prefix(const pugi::xml_node& n) {
  std::string_view name = n.name();
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? std::string_view() : name.substr(0, colon);
}

// The namespace URI of `n`, resolved through the xmlns declarations of it and its ancestors.
std::string_view NamespaceOf(const pugi::xml_node& n) {
  const std::string prefix(Prefix(n));
  const std::string attr = prefix.empty() ? "xmlns" : "xmlns:" + prefix;
  for (pugi::xml_node p = n; p && p.type() == pugi::node_element; p = p.parent()) {
    if (pugi::xml_attribute a = p.attribute(attr.c_str())) {
      return a.value();
    }
  }
  return {};
}

bool Is(const pugi::xml_node& n, std::string_view local) {
  return n.type() == pugi::node_element && LocalName(n) == local;
}

bool IsAtom(const pugi::xml_node& n, std::string_view local) { return Is(n, local) && NamespaceOf(n) == kNsAtom; }

pugi::xml_node Child(const pugi::xml_node& parent, std::string_view local, bool atom) {
  for (pugi::xml_node c : parent.children()) {
    if (atom ? IsAtom(c, local) : Is(c, local)) {
      return c;
    }
  }
  return {};
}

// Replaces every byte that is not part of a well-formed UTF-8 sequence with U+FFFD.
std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    std::uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      ok = (cc & 0xC0) == 0x80;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    if (ok && len > 1) {
      const std::uint32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
      ok = cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

std::string Text(const pugi::xml_node& n) {
  std::string_view t = n ? n.child_value() : "";
  if (n && t.empty()) {
    t = n.text().get();  // CDATA
  }
  while (!t.empty() && std::strchr(" \t\r\n", t.front()) != nullptr) {
    t.remove_prefix(1);
  }
  while (!t.empty() && std::strchr(" \t\r\n", t.back()) != nullptr) {
    t.remove_suffix(1);
  }
  return ValidUtf8(t);
}

// The first `alert` element among `n`'s children (any namespace: the CAP parser judges it).
pugi::xml_node InlineAlert(const pugi::xml_node& n) {
  for (pugi::xml_node c : n.children()) {
    if (Is(c, "alert")) {
      return c;
    }
  }
  return {};
}

// `alert` as a standalone document: the namespace declarations in scope are copied onto it.
std::string Standalone(const pugi::xml_node& alert) {
  pugi::xml_document doc;
  pugi::xml_node copy = doc.append_copy(alert);
  for (pugi::xml_node p = alert.parent(); p && p.type() == pugi::node_element; p = p.parent()) {
    for (pugi::xml_attribute a : p.attributes()) {
      const std::string_view name = a.name();
      if ((name == "xmlns" || name.rfind("xmlns:", 0) == 0) && !copy.attribute(a.name())) {
        copy.append_attribute(a.name()) = a.value();
      }
    }
  }
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw | pugi::format_no_declaration, pugi::encoding_utf8);
  return out.str();
}

core::Status Refuse(const std::string& what) { return core::InvalidArgument("invalid feed: " + what); }

// An <alert> anywhere under `n` outside the entry elements: a publisher error that would otherwise
// make vik silently miss the alert.
bool StrayAlert(const pugi::xml_node& n, std::string_view entry) {
  for (pugi::xml_node c : n.children()) {
    if (c.type() != pugi::node_element || LocalName(c) == entry) {
      continue;
    }
    if (Is(c, "alert") || StrayAlert(c, entry)) {
      return true;
    }
  }
  return false;
}

std::string AtomLink(const pugi::xml_node& entry) {
  std::string cap;
  std::string alternate;
  std::string other;
  for (pugi::xml_node c : entry.children()) {
    if (!IsAtom(c, "link")) {
      continue;
    }
    const std::string href = ValidUtf8(c.attribute("href").value());
    const std::string_view rel = c.attribute("rel").value();
    const std::string_view type = c.attribute("type").value();
    if (href.empty() || rel == "self") {
      continue;
    }
    if (type == kCapMediaType && cap.empty()) {
      cap = href;
    } else if ((rel.empty() || rel == "alternate") && alternate.empty()) {
      alternate = href;
    } else if (other.empty()) {
      other = href;
    }
  }
  return !cap.empty() ? cap : !alternate.empty() ? alternate : other;
}

core::Result<Feed> ParseAtom(const pugi::xml_node& root, const FeedLimits& limits) {
  Feed feed;
  feed.kind = FeedKind::kAtom;
  feed.id = Text(Child(root, "id", true));
  feed.title = Text(Child(root, "title", true));
  if (StrayAlert(root, "entry")) {
    return Refuse("feed: a CAP <alert> outside any <entry> (alerts must be inside entries)");
  }
  int index = 0;
  for (pugi::xml_node e : root.children()) {
    if (!IsAtom(e, "entry")) {
      continue;
    }
    const std::string where = "feed/entry[" + std::to_string(index++) + "]";
    if (feed.entries.size() >= limits.max_entries) {
      return core::ResourceExhausted("feed: more than " + std::to_string(limits.max_entries) + " entries");
    }
    FeedEntry entry;
    entry.id = Text(Child(e, "id", true));
    if (entry.id.empty()) {
      return Refuse(where + ": missing <id>");
    }
    pugi::xml_node title = Child(e, "title", true);
    if (!title) {
      return Refuse(where + ": missing <title>");
    }
    entry.title = Text(title);
    entry.updated = Text(Child(e, "updated", true));
    if (entry.updated.empty()) {
      entry.updated = Text(Child(e, "published", true));
    }
    entry.link = AtomLink(e);
    // A fat entry carries its alert in <content>. An <alert> directly in the entry is used only when
    // there is no link: the US NWS index puts a summary pseudo-alert there (not CAP: "!" as
    // identifier, cap:-prefixed info fields) next to the link to the real document.
    pugi::xml_node alert;
    if (pugi::xml_node content = Child(e, "content", true)) {
      alert = InlineAlert(content);
    }
    if (!alert && entry.link.empty()) {
      alert = InlineAlert(e);
    }
    if (alert) {
      entry.inline_cap = Standalone(alert);
    }
    if (entry.link.empty() && !entry.inline_cap) {
      return Refuse(where + " (id \"" + entry.id + "\"): no link to a CAP document and no inline <alert>");
    }
    feed.entries.push_back(std::move(entry));
  }
  return feed;
}

core::Result<Feed> ParseRss(const pugi::xml_node& root, const FeedLimits& limits) {
  Feed feed;
  feed.kind = FeedKind::kRss;
  pugi::xml_node channel = Child(root, "channel", false);
  if (!channel) {
    return Refuse("rss: missing <channel>");
  }
  feed.title = Text(Child(channel, "title", false));
  feed.id = Text(Child(channel, "link", false));
  if (StrayAlert(channel, "item")) {
    return Refuse("rss/channel: a CAP <alert> outside any <item> (alerts must be inside items)");
  }
  int index = 0;
  for (pugi::xml_node item : channel.children()) {
    if (!Is(item, "item")) {
      continue;
    }
    const std::string where = "rss/channel/item[" + std::to_string(index++) + "]";
    if (feed.entries.size() >= limits.max_entries) {
      return core::ResourceExhausted("rss: more than " + std::to_string(limits.max_entries) + " items");
    }
    FeedEntry entry;
    entry.link = Text(Child(item, "link", false));
    for (pugi::xml_node c : item.children()) {
      if (Is(c, "enclosure") && std::string_view(c.attribute("type").value()) == kCapMediaType &&
          *c.attribute("url").value() != '\0') {
        entry.link = ValidUtf8(c.attribute("url").value());
        break;
      }
    }
    entry.id = Text(Child(item, "guid", false));
    if (entry.id.empty()) {
      entry.id = entry.link;
    }
    if (entry.id.empty()) {
      return Refuse(where + ": missing <guid> and <link>");
    }
    pugi::xml_node title = Child(item, "title", false);
    if (!title && !Child(item, "description", false)) {
      return Refuse(where + " (id \"" + entry.id + "\"): missing <title> and <description>");
    }
    entry.title = Text(title);
    entry.updated = Text(Child(item, "pubDate", false));
    if (pugi::xml_node alert = InlineAlert(item)) {
      entry.inline_cap = Standalone(alert);
    }
    if (entry.link.empty() && !entry.inline_cap) {
      return Refuse(where + " (id \"" + entry.id + "\"): no link to a CAP document and no inline <alert>");
    }
    feed.entries.push_back(std::move(entry));
  }
  return feed;
}

}  // namespace

const char* Name(FeedKind kind) {
  switch (kind) {
    case FeedKind::kAtom:
      return "atom";
    case FeedKind::kRss:
      return "rss";
    case FeedKind::kCap:
      return "cap";
  }
  return "unknown";
}

core::Result<Feed> ParseFeed(std::string_view bytes, const FeedLimits& limits) {
  const PrescanLimits prescan{limits.max_bytes, limits.max_depth, limits.max_elements, limits.max_attributes};
  pugi::xml_document doc;
  if (core::Status s = LoadUntrustedXml(bytes, prescan, doc); !s.ok()) {
    return s;
  }
  const pugi::xml_node root = doc.document_element();
  if (IsAtom(root, "feed")) {
    return ParseAtom(root, limits);
  }
  if (Is(root, "rss")) {
    if (std::string_view(root.attribute("version").value()).rfind("2.", 0) != 0) {
      return Refuse("rss: version \"" + std::string(root.attribute("version").value()) + "\" (expected 2.0)");
    }
    return ParseRss(root, limits);
  }
  if (Is(root, "alert")) {
    Feed feed;
    feed.kind = FeedKind::kCap;
    FeedEntry entry;
    entry.id = Text(Child(root, "identifier", false));
    if (entry.id.empty()) {
      return Refuse("alert: missing <identifier>");
    }
    entry.updated = Text(Child(root, "sent", false));
    entry.title = Text(Child(Child(root, "info", false), "headline", false));
    entry.inline_cap = std::string(bytes);  // verbatim
    feed.entries.push_back(std::move(entry));
    return feed;
  }
  return Refuse("root element <" + std::string(root.name()) + "> in namespace '" + std::string(NamespaceOf(root)) +
                "' (expected an Atom 1.0 <feed>, an RSS 2.0 <rss> or a CAP <alert>)");
}

}  // namespace vik::cap
