#pragma once

// A linear pre-scan of untrusted XML bytes, run before any tree is built: it refuses DOCTYPE and
// other markup declarations (so no entity is ever declared, expanded or fetched), NUL bytes (which
// also refuses UTF-16 and UTF-32 input) and documents that exceed the structural limits. It is not
// a well-formedness check: what it lets through still goes to a real parser. One pass, O(n) time,
// O(1) memory. Pure, no I/O; safe for concurrent use.

#include <cstddef>
#include <string_view>

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

}  // namespace vik::cap
