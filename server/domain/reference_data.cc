#include "domain/reference_data.h"

namespace vik::domain {

bool ReferenceData::IsTheme(const std::string& code) const {
  if (themes.count(code) > 0) {
    return true;
  }
  // Incident types (three levels, "1.3.20") belong to a known crisis type ("1.3").
  const auto dot = code.rfind('.');
  if (dot == std::string::npos || dot == 0) {
    return false;
  }
  const std::string parent = code.substr(0, dot);
  const std::string leaf = code.substr(dot + 1);
  if (parent.find('.') == std::string::npos || leaf.size() != 2) {
    return false;
  }
  for (char c : leaf) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  return themes.count(parent) > 0;
}

}  // namespace vik::domain
