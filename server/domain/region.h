#pragma once

// Safety-region identity. Pure: no I/O.

#include <string_view>

namespace vik::domain {

// The 25 Dutch safety regions are coded VR01 .. VR25 (CBS/RIVM); VR21 is Brabant-Noord.
bool IsRegionCode(std::string_view code);

// Node ids name one vikd instance: 1-64 of [A-Za-z0-9._-].
bool IsNodeId(std::string_view id);

}  // namespace vik::domain
