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
  std::size_t max_bytes = 1 << 20;  // 1 MiB
  std::size_t max_depth = 32;
  std::size_t max_elements = 20000;
  std::size_t max_attributes = 64;  // per element
  std::size_t max_infos = 32;
  std::size_t max_areas = 64;  // per info
  // No limit of its own on the text of one element: a single <polygon> (or any text) may fill the
  // whole document, as a national weather service's 877 KB polygon in an 880 KB alert does.
};

// INVALID_ARGUMENT with a message such as "line 3: DOCTYPE is not allowed (entities are never
// declared or expanded)", "alert: namespace 'http://www.incident.com/cap/1.0' is CAP 1.0, which vik
// does not accept (accepted: ...)", "alert/info[0]/foo: unknown element" or "alert/info[0]/urgency:
// appears more than once (at most once allowed)"; RESOURCE_EXHAUSTED when a limit is exceeded
// (bytes, depth, elements, attributes by the pre-scan; infos and areas while reading).
// Encoding: UTF-8 (BOM optional) or ISO-8859-1 as declared; text comes out as UTF-8. UTF-16/32 are
// refused. Elements of other namespaces inside the alert are skipped (an XML-DSig <Signature>
// sets Alert::signed_xml). An empty element reads as an empty string, the same as an absent one,
// except that <geocode>/<parameter>/<eventCode> must contain both <valueName> and <value>.
// An EDXL-DE envelope is refused (not unwrapped). Safe for concurrent use.
core::Result<Alert> ParseAlert(std::string_view bytes, const ParseLimits& limits = {});

}  // namespace vik::cap
