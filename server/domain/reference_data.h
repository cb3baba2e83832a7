#pragma once

// The region's reference data that validation needs: its municipalities (CBS codes, including
// former codes that still resolve) and the crisis taxonomy's theme codes. Loaded from the database
// (seeded by migrations) at start-up. Immutable after construction; safe for concurrent reads.

#include <map>
#include <memory>
#include <set>
#include <string>

namespace vik::domain {

class AreaLocator;  // domain/geometry.h

struct ReferenceData {
  std::string region;                                      // "VR21"
  std::set<std::string> municipalities;                    // "GM0796", ...
  std::set<std::string> themes;                            // "1", "1.3", "1.3.20", ...
  std::map<std::string, std::string> cap_category_themes;  // CAP <category> "Met" -> theme "1.3"
  // The municipalities' boundaries (null or empty when the region has none loaded).
  std::shared_ptr<const AreaLocator> areas;

  bool IsMunicipality(const std::string& code) const { return municipalities.count(code) > 0; }
  // A theme code is known when it, or its parent ("1.3" for "1.3.20"), is in the taxonomy.
  bool IsTheme(const std::string& code) const;
};

}  // namespace vik::domain
