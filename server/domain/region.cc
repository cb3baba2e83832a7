#include "domain/region.h"

namespace vik::domain {

bool IsRegionCode(std::string_view code) {
  if (code.size() != 4 || code[0] != 'V' || code[1] != 'R') {
    return false;
  }
  if (code[2] < '0' || code[2] > '9' || code[3] < '0' || code[3] > '9') {
    return false;
  }
  const int n = (code[2] - '0') * 10 + (code[3] - '0');
  return n >= 1 && n <= 25;
}

bool IsNodeId(std::string_view id) {
  if (id.empty() || id.size() > 64) {
    return false;
  }
  for (char c : id) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace vik::domain
