// domain::IsRegionCode and domain::IsNodeId.

#include <string>

#include <catch2/catch.hpp>

#include "domain/region.h"

namespace vik::domain {
namespace {

std::string RegionCode(int n) { return std::string("VR") + (n < 10 ? "0" : "") + std::to_string(n); }

TEST_CASE("every safety region code VR01 to VR25 is valid", "[domain][region]") {
  for (int n = 1; n <= 25; ++n) {
    INFO(RegionCode(n));
    CHECK(IsRegionCode(RegionCode(n)));
  }
}

TEST_CASE("region codes outside VR01..VR25 or not spelled VRnn are invalid", "[domain][region]") {
  for (const char* code : {"VR00", "VR26", "VR99", "vr21", "Vr21", "vR21", "VR2", "VR021", "VR2a", "VRa1", "XR21",
                           "VR-1", " VR21", "VR21 ", ""}) {
    INFO('"' << code << '"');
    CHECK_FALSE(IsRegionCode(code));
  }
}

TEST_CASE("node ids of 1 to 64 letters, digits, dots, underscores and dashes are valid", "[domain][node_id]") {
  for (const std::string& id : {std::string("a"), std::string("vikd-1"), std::string("node_2.example.nl"),
                                std::string("ABC-xyz_09.z"), std::string(64, 'n')}) {
    INFO(id);
    CHECK(IsNodeId(id));
  }
}

TEST_CASE("node ids that are empty, too long or contain other characters are invalid", "[domain][node_id]") {
  for (const std::string& id : {std::string(), std::string(65, 'n'), std::string("has space"), std::string("slash/ed"),
                                std::string("colon:1"), std::string("caf\xc3\xa9"), std::string("nul\0byte", 8)}) {
    INFO(id);
    CHECK_FALSE(IsNodeId(id));
  }
}

}  // namespace
}  // namespace vik::domain
