#pragma once

// A linear pre-scan of untrusted XML bytes, run before any tree is built: it refuses DOCTYPE and
// other markup declarations (so no entity is ever declared, expanded or fetched), NUL bytes (which
// also refuses UTF-16 and UTF-32 input) and documents that exceed the structural limits. It is not
// a well-formedness check: what it lets through still goes to a real parser. One pass, O(n) time,
// O(1) memory. Pure, no I/O; safe for concurrent use.

#include <cstddef>
#include <string_view>

#include <pugixml.hpp>

#include "core/status.h"

namespace vik::cap {

struct PrescanLimits {
  std::size_t max_bytes = 0;
  std::size_t max_depth = 0;
  std::size_t max_elements = 0;
  std::size_t max_attributes = 0;  // per element
};

// OK, INVALID_ARGUMENT (DOCTYPE, markup declarations, NUL, unterminated markup) or
// RESOURCE_EXHAUSTED (a limit exceeded). Messages start with "line N: ".
core::Status PrescanXml(std::string_view bytes, const PrescanLimits& limits);

// PrescanXml, then pugixml into `doc` with the only flags vik uses for untrusted XML: no DOCTYPE,
// processing-instruction or comment nodes, CDATA kept, the five predefined entities and character
// references decoded (no other entity can exist: the pre-scan refused every declaration),
// whitespace-only text dropped, encoding from the BOM or declaration (UTF-8, Latin-1).
// INVALID_ARGUMENT "line N: not well-formed XML: ... (byte offset K)" when pugixml refuses it.
core::Status LoadUntrustedXml(std::string_view bytes, const PrescanLimits& limits, pugi::xml_document& doc);

}  // namespace vik::cap
