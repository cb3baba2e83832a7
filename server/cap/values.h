#pragma once

// Typed values from a CAP document's text, shared by the validator (which reports what is wrong)
// and the signal mapping (which trusts a validated document). Pure functions, no I/O.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace vik::cap {

// CAP dateTime: "YYYY-MM-DDThh:mm:ss" followed by "+hh:mm" or "-hh:mm" (CAP 1.2 forbids "Z"; the
// parser for 1.1 documents accepts "Z" too when `allow_z`). Optional fractional seconds are refused
// by CAP 1.2's pattern; accepted here only when `allow_fraction`. nullopt when malformed, when the
// date does not exist (2023-02-29), or when the instant is outside what core::WallTime can hold
// (64-bit nanoseconds: roughly years 1678 to 2262).
std::optional<core::WallTime> ParseDateTime(std::string_view text, bool allow_z = false, bool allow_fraction = false);

struct LatLon {
  double lat = 0;
  double lon = 0;
};

// "lat,lon lat,lon ..." (WGS84 decimal degrees). nullopt with `error` set when malformed, out of
// range, fewer than 4 pairs or not closed.
std::optional<std::vector<LatLon>> ParsePolygon(std::string_view text, std::string* error = nullptr);

struct CircleValue {
  LatLon center;
  double radius_km = 0;
};
// "lat,lon radius" (radius in kilometres, >= 0).
std::optional<CircleValue> ParseCircle(std::string_view text, std::string* error = nullptr);

struct ReferenceValue {
  std::string sender;
  std::string identifier;
  std::string sent;
};
// Whitespace-separated "sender,identifier,sent" triples. nullopt with `error` when a triple is
// malformed (not exactly three non-empty parts, or a bad dateTime).
std::optional<std::vector<ReferenceValue>> ParseReferences(std::string_view text, std::string* error = nullptr);

// Space-separated values where a value containing spaces is "double quoted" (addresses, incidents).
std::vector<std::string> SplitQuotedList(std::string_view text);

}  // namespace vik::cap
