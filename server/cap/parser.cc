#include "cap/parser.h"

#include <pugixml.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cap/xml_prescan.h"
#include "core/utf8.h"

namespace vik::cap {
namespace {

constexpr std::string_view kNsCap12 = "urn:oasis:names:tc:emergency:cap:1.2";
constexpr std::string_view kNsCap11 = "urn:oasis:names:tc:emergency:cap:1.1";
constexpr std::string_view kNsCap10 = "http://www.incident.com/cap/1.0";
constexpr std::string_view kNsXmlDsig = "http://www.w3.org/2000/09/xmldsig#";
constexpr std::string_view kNsXml = "http://www.w3.org/XML/1998/namespace";
constexpr std::string_view kNsEdxlDe = "urn:oasis:names:tc:emergency:EDXL:DE:1.0";

constexpr std::string_view kAccepted =
    "accepted: CAP 1.2 'urn:oasis:names:tc:emergency:cap:1.2' and CAP 1.1 'urn:oasis:names:tc:emergency:cap:1.1'";

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsXmlSpace(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && IsXmlSpace(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

// A name or namespace quoted for a message, cut at 80 bytes.
std::string Quote(std::string_view s) {
  std::string out = "'";
  out.append(s.substr(0, 80));
  if (s.size() > 80) {
    out += "...";
  }
  out += "'";
  return out;
}

std::string Indexed(const std::string& path, std::string_view name, std::size_t i) {
  return path + "/" + std::string(name) + "[" + std::to_string(i) + "]";
}
std::string Child(const std::string& path, std::string_view name) { return path + "/" + std::string(name); }

core::Status Error(const std::string& path, std::string_view what) {
  return core::InvalidArgument(path + ": " + std::string(what));
}

// One single-valued text element of a parent (e.g. <identifier>) and whether it was seen.
struct SingleField {
  std::string_view name;
  std::string* out;
  bool seen = false;
};
// A repeatable text element (e.g. <category>), appended in document order.
struct ListField {
  std::string_view name;
  std::vector<std::string>* out;
};

// Walks the pugixml tree into an Alert, resolving namespaces by hand (pugixml is not namespace
// aware): each element's xmlns / xmlns:p attributes are pushed while its subtree is read.
class TreeReader {
 public:
  explicit TreeReader(const ParseLimits& limits) : limits_(limits) {}

  core::Result<Alert> Read(const pugi::xml_document& doc) {
    pugi::xml_node root;
    for (const auto n : doc.children()) {
      if (n.type() == pugi::node_element) {
        if (root) {
          return core::InvalidArgument("the document has more than one root element");
        }
        root = n;
      }
    }
    if (!root) {
      return core::InvalidArgument("the document has no root element");
    }
    Push(root);
    std::string_view ns;
    std::string_view local;
    if (auto s = Resolve(root, "", &ns, &local); !s.ok()) {
      return s;
    }
    const std::string shown = local.empty() ? std::string("root") : std::string(local);
    if (ns == kNsCap10) {
      return Error(
          shown, "namespace " + Quote(ns) + " is CAP 1.0, which vik does not accept (" + std::string(kAccepted) + ")");
    }
    if (ns == kNsEdxlDe) {
      return Error(shown, "an EDXL-DE envelope is not unwrapped; send the CAP alerts it carries one by one (" +
                              std::string(kAccepted) + ")");
    }
    if (ns != kNsCap12 && ns != kNsCap11) {
      if (ns.empty()) {
        return Error(shown, "element has no namespace (" + std::string(kAccepted) + ")");
      }
      return Error(shown, "namespace " + Quote(ns) + " is not a CAP namespace (" + std::string(kAccepted) + ")");
    }
    if (local != "alert") {
      return Error(shown, "root element is " + Quote(local) + ", expected 'alert'");
    }
    ns_ = ns;
    Alert alert;
    alert.version = ns == kNsCap12 ? Version::kCap12 : Version::kCap11;
    if (auto s = ReadAlert(root, &alert); !s.ok()) {
      return s;
    }
    alert.signed_xml = signed_;
    return alert;
  }

 private:
  struct Binding {
    std::string_view prefix;  // empty: the default namespace
    std::string_view uri;
  };

  std::size_t Push(pugi::xml_node e) {
    const std::size_t mark = scope_.size();
    for (const auto a : e.attributes()) {
      const std::string_view name = a.name();
      if (name == "xmlns") {
        scope_.push_back({"", a.value()});
      } else if (name.starts_with("xmlns:")) {
        scope_.push_back({name.substr(6), a.value()});
      }
    }
    return mark;
  }
  void Pop(std::size_t mark) { scope_.resize(mark); }

  // The namespace URI and local name of element `e` under the bindings in scope.
  core::Status Resolve(pugi::xml_node e, const std::string& parent_path, std::string_view* ns,
                       std::string_view* local) const {
    const std::string_view qname = e.name();
    const auto colon = qname.find(':');
    const std::string_view prefix = colon == std::string_view::npos ? std::string_view() : qname.substr(0, colon);
    *local = colon == std::string_view::npos ? qname : qname.substr(colon + 1);
    if (prefix == "xml") {
      *ns = kNsXml;
      return core::Status::Ok();
    }
    for (auto it = scope_.rbegin(); it != scope_.rend(); ++it) {
      if (it->prefix == prefix) {
        *ns = it->uri;
        return core::Status::Ok();
      }
    }
    if (!prefix.empty()) {
      const std::string where = parent_path.empty() ? std::string(qname) : Child(parent_path, qname);
      return Error(where, "namespace prefix " + Quote(prefix) + " is not declared");
    }
    *ns = {};
    return core::Status::Ok();
  }

  // Calls fn(child, local_name) for each element child of `e` in the alert's namespace, with the
  // child's namespace declarations in scope. Elements of other namespaces (XML-DSig, extensions)
  // are skipped; text between elements is an error.
  template <typename Fn>
  core::Status ForEachChild(pugi::xml_node e, const std::string& path, Fn&& fn) {
    for (const auto child : e.children()) {
      if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
        if (!Trim(child.value()).empty()) {
          return Error(path, "text " + Quote(Trim(child.value())) + " where elements are expected");
        }
        continue;
      }
      if (child.type() != pugi::node_element) {
        continue;
      }
      const std::size_t mark = Push(child);
      std::string_view ns;
      std::string_view local;
      core::Status s = Resolve(child, path, &ns, &local);
      if (s.ok()) {
        if (ns == ns_) {
          s = fn(child, local);
        } else if (ns == kNsCap12 || ns == kNsCap11 || ns == kNsCap10) {
          s = Error(Child(path, local), "element of namespace " + Quote(ns) + " inside a CAP " +
                                            std::string(ns_ == kNsCap12 ? "1.2" : "1.1") + " alert");
        } else if (ns == kNsXmlDsig && local == "Signature" && path == "alert") {
          signed_ = true;
        }
      }
      Pop(mark);
      if (!s.ok()) {
        return s;
      }
    }
    return core::Status::Ok();
  }

  // The trimmed text of a leaf element; child elements are an error.
  core::Result<std::string> Text(pugi::xml_node e, const std::string& path) const {
    std::string text;
    for (const auto child : e.children()) {
      if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
        text += child.value();
      } else if (child.type() == pugi::node_element) {
        return Error(path, "element " + Quote(child.name()) + " where text is expected");
      }
    }
    const auto trimmed = Trim(text);
    if (!core::IsValidUtf8(trimmed)) {
      return Error(path, "text is not valid UTF-8 (declare encoding=\"ISO-8859-1\" for Latin-1 documents)");
    }
    return std::string(trimmed);
  }

  // Reads `child` into the matching single or list field; false when `local` matches none.
  core::Result<bool> ReadField(pugi::xml_node child, std::string_view local, const std::string& path,
                               std::vector<SingleField>& singles, const std::vector<ListField>& lists) const {
    for (auto& f : singles) {
      if (f.name == local) {
        const std::string child_path = Child(path, local);
        if (f.seen) {
          return Error(child_path, "appears more than once (at most once allowed)");
        }
        f.seen = true;
        auto text = Text(child, child_path);
        if (!text.ok()) {
          return text.status();
        }
        *f.out = std::move(text).value();
        return true;
      }
    }
    for (const auto& f : lists) {
      if (f.name == local) {
        auto text = Text(child, Indexed(path, local, f.out->size()));
        if (!text.ok()) {
          return text.status();
        }
        f.out->push_back(std::move(text).value());
        return true;
      }
    }
    return false;
  }

  static core::Status Unknown(const std::string& path, std::string_view local) {
    return Error(Child(path, local), "unknown element");
  }

  core::Status ReadAlert(pugi::xml_node e, Alert* a) {
    const std::string path = "alert";
    std::vector<SingleField> singles = {
        {"identifier", &a->identifier},
        {"sender", &a->sender},
        {"sent", &a->sent},
        {"status", &a->status},
        {"msgType", &a->msg_type},
        {"source", &a->source},
        {"scope", &a->scope},
        {"restriction", &a->restriction},
        {"addresses", &a->addresses},
        {"note", &a->note},
        {"references", &a->references},
        {"incidents", &a->incidents},
    };
    const std::vector<ListField> lists = {{"code", &a->codes}};
    return ForEachChild(e, path, [&](pugi::xml_node child, std::string_view local) -> core::Status {
      if (local == "info") {
        if (a->infos.size() >= limits_.max_infos) {
          return core::ResourceExhausted(Indexed(path, local, a->infos.size()) + ": more than " +
                                         std::to_string(limits_.max_infos) + " info blocks");
        }
        const std::string info_path = Indexed(path, local, a->infos.size());
        a->infos.emplace_back();
        return ReadInfo(child, info_path, &a->infos.back());
      }
      auto r = ReadField(child, local, path, singles, lists);
      if (!r.ok()) {
        return r.status();
      }
      return *r ? core::Status::Ok() : Unknown(path, local);
    });
  }

  core::Status ReadInfo(pugi::xml_node e, const std::string& path, Info* info) {
    std::vector<SingleField> singles = {
        {"language", &info->language},       {"event", &info->event},
        {"urgency", &info->urgency},         {"severity", &info->severity},
        {"certainty", &info->certainty},     {"audience", &info->audience},
        {"effective", &info->effective},     {"onset", &info->onset},
        {"expires", &info->expires},         {"senderName", &info->sender_name},
        {"headline", &info->headline},       {"description", &info->description},
        {"instruction", &info->instruction}, {"web", &info->web},
        {"contact", &info->contact},
    };
    const std::vector<ListField> lists = {{"category", &info->categories}, {"responseType", &info->response_types}};
    return ForEachChild(e, path, [&](pugi::xml_node child, std::string_view local) -> core::Status {
      if (local == "eventCode") {
        info->event_codes.emplace_back();
        return ReadNameValue(child, Indexed(path, local, info->event_codes.size() - 1), &info->event_codes.back());
      }
      if (local == "parameter") {
        info->parameters.emplace_back();
        return ReadNameValue(child, Indexed(path, local, info->parameters.size() - 1), &info->parameters.back());
      }
      if (local == "resource") {
        info->resources.emplace_back();
        return ReadResource(child, Indexed(path, local, info->resources.size() - 1), &info->resources.back());
      }
      if (local == "area") {
        if (info->areas.size() >= limits_.max_areas) {
          return core::ResourceExhausted(Indexed(path, local, info->areas.size()) + ": more than " +
                                         std::to_string(limits_.max_areas) + " areas");
        }
        info->areas.emplace_back();
        return ReadArea(child, Indexed(path, local, info->areas.size() - 1), &info->areas.back());
      }
      auto r = ReadField(child, local, path, singles, lists);
      if (!r.ok()) {
        return r.status();
      }
      return *r ? core::Status::Ok() : Unknown(path, local);
    });
  }

  // <eventCode>, <parameter>, <geocode>: both children are required by the schema; an empty
  // <value/> is a value (real senders use it), an empty <valueName> is left to the validator.
  core::Status ReadNameValue(pugi::xml_node e, const std::string& path, NameValue* nv) {
    std::vector<SingleField> singles = {{"valueName", &nv->name}, {"value", &nv->value}};
    auto s = ForEachChild(e, path, [&](pugi::xml_node child, std::string_view local) -> core::Status {
      auto r = ReadField(child, local, path, singles, {});
      if (!r.ok()) {
        return r.status();
      }
      return *r ? core::Status::Ok() : Unknown(path, local);
    });
    if (!s.ok()) {
      return s;
    }
    for (const auto& f : singles) {
      if (!f.seen) {
        return Error(Child(path, f.name), "is missing (valueName and value are both required)");
      }
    }
    return core::Status::Ok();
  }

  core::Status ReadResource(pugi::xml_node e, const std::string& path, Resource* res) {
    std::vector<SingleField> singles = {
        {"resourceDesc", &res->resource_desc}, {"mimeType", &res->mime_type}, {"size", &res->size}, {"uri", &res->uri},
        {"derefUri", &res->deref_uri},         {"digest", &res->digest},
    };
    return ForEachChild(e, path, [&](pugi::xml_node child, std::string_view local) -> core::Status {
      auto r = ReadField(child, local, path, singles, {});
      if (!r.ok()) {
        return r.status();
      }
      return *r ? core::Status::Ok() : Unknown(path, local);
    });
  }

  core::Status ReadArea(pugi::xml_node e, const std::string& path, Area* area) {
    std::vector<SingleField> singles = {
        {"areaDesc", &area->area_desc}, {"altitude", &area->altitude}, {"ceiling", &area->ceiling}};
    const std::vector<ListField> lists = {{"polygon", &area->polygons}, {"circle", &area->circles}};
    return ForEachChild(e, path, [&](pugi::xml_node child, std::string_view local) -> core::Status {
      if (local == "geocode") {
        area->geocodes.emplace_back();
        return ReadNameValue(child, Indexed(path, local, area->geocodes.size() - 1), &area->geocodes.back());
      }
      auto r = ReadField(child, local, path, singles, lists);
      if (!r.ok()) {
        return r.status();
      }
      return *r ? core::Status::Ok() : Unknown(path, local);
    });
  }

  const ParseLimits& limits_;
  std::vector<Binding> scope_;
  std::string_view ns_;
  bool signed_ = false;
};

// "start-end tags mismatch" from pugixml's "Start-end tags mismatch".
}  // namespace

core::Result<Alert> ParseAlert(std::string_view bytes, const ParseLimits& limits) {
  const PrescanLimits prescan{limits.max_bytes, limits.max_depth, limits.max_elements, limits.max_attributes};
  pugi::xml_document doc;
  if (core::Status s = LoadUntrustedXml(bytes, prescan, doc); !s.ok()) {
    return s;
  }
  return TreeReader(limits).Read(doc);
}

}  // namespace vik::cap
