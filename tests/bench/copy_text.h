#pragma once

// One value in PostgreSQL's COPY text format: backslash, tab, newline and carriage return escaped
// (the loaders of the ingest and picture benches). Header-only.

#include <string>

namespace vik::bench {

inline void AppendCopyText(std::string& out, const std::string& value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

}  // namespace vik::bench
