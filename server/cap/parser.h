#pragma once

// Safe CAP parsing. The bytes are untrusted: a pre-scan refuses, before any tree is built, a
// document that is too large, too deep, has too many elements or attributes, or carries a DOCTYPE
// (so no entity is ever declared, expanded or fetched); pugixml then parses without DOCTYPE support
// and the tree is read into cap::Alert. Namespaces: CAP 1.2 and 1.1 are accepted (any prefix); CAP
// 1.0 and unknown namespaces are refused with a message naming the namespace. Pure, no I/O.

#include <cstddef>
#include <string_view>

#include "cap/alert.h"
#include "core/result.h"

namespace vik::cap {

struct ParseLimits {
  std::size_t max_bytes = 1 << 20;     // 1 MiB
  std::size_t max_depth = 32;
  std::size_t max_elements = 20000;
  std::size_t max_attributes = 64;     // per element
  std::size_t max_infos = 32;
  std::size_t max_areas = 64;          // per info
  std::size_t max_polygon_text = 256 * 1024;  // bytes in one <polygon>
};

// INVALID_ARGUMENT with a message such as "line 3: DOCTYPE is not allowed (entities are never
// expanded)" or "alert: namespace 'http://www.incident.com/cap/1.0' is CAP 1.0, which vik does not
// accept"; RESOURCE_EXHAUSTED when a size limit is exceeded.
core::Result<Alert> ParseAlert(std::string_view bytes, const ParseLimits& limits = {});

}  // namespace vik::cap
