#pragma once

// What this vikd node is in the federation: a safety region's hub ("regional": keeps its own
// picture, mirrors its neighbours) or the national node ("national", KCR2: keeps no picture of its
// own, mirrors the regions). Decisions are made on this enum; the names are the config's
// (`role = "regional"`) and the API's. Pure.

#include <optional>
#include <string_view>

namespace vik::domain {

enum class NodeRole { kRegional, kNational };

constexpr std::string_view NodeRoleName(NodeRole r) { return r == NodeRole::kNational ? "national" : "regional"; }

// "regional" or "national"; nullopt for anything else.
constexpr std::optional<NodeRole> ParseNodeRole(std::string_view name) {
  if (name == "regional") {
    return NodeRole::kRegional;
  }
  if (name == "national") {
    return NodeRole::kNational;
  }
  return std::nullopt;
}

}  // namespace vik::domain
