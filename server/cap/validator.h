#pragma once

// CAP 1.2 validation of a parsed Alert against the specification (required elements,
// enumerations, dateTime form, references syntax, restriction/addresses by scope, polygon/circle
// geometry, resource fields, ...). Every violation names the element path, e.g.
// "alert/info[1]/area[0]/polygon[0]: first and last points differ". Pure, no I/O.

#include <string>
#include <vector>

#include "cap/alert.h"

namespace vik::cap {

struct Violation {
  std::string path;     // "alert/info[0]/urgency"
  std::string message;  // "unknown value 'Soon' (one of Immediate, Expected, Future, Past, Unknown)"
};

std::vector<Violation> Validate(const Alert& alert);

// "path: message"
std::string Format(const Violation& v);

}  // namespace vik::cap
