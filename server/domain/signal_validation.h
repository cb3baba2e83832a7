#pragma once

// Validation of inbound signals. Pure: the clock and the reference data are passed in.
//
// Every violation names the field path relative to the signal ("area.polygons[0]",
// "attributes[\"k\"]", "expires_at") and says what is wrong in lowercase, e.g.
//   {"area.polygons[0]", "first and last point differ"}
// Callers prefix the signal's position: "signals[3].area.polygons[0]: first and last point differ".

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "domain/reference_data.h"
#include "domain/signal.h"

namespace vik::domain {

struct FieldViolation {
  std::string field;
  std::string description;
};

// Length and count limits for every string, list and map (bytes for strings, UTF-8).
struct SignalLimits {
  std::size_t max_id_bytes = 128;  // source, external_id, reference parts
  std::size_t max_theme_bytes = 16;
  std::size_t max_headline_bytes = 256;
  std::size_t max_text_bytes = 16 * 1024;  // description, instruction
  std::size_t max_short_text_bytes = 512;  // sender_name, area.description, geocode name/value
  std::size_t max_web_bytes = 2048;
  std::size_t max_references = 64;
  std::size_t max_categories = 12;
  std::size_t max_municipalities = 64;
  std::size_t max_points = 256;
  std::size_t max_polygons = 32;
  std::size_t max_polygon_points = 4096;
  std::size_t max_circles = 32;
  std::size_t max_geocodes = 64;
  std::size_t max_attributes = 32;
  std::size_t max_attribute_key_bytes = 64;
  std::size_t max_attribute_value_bytes = 1024;
  std::chrono::seconds max_future_skew{300};  // sent_at may be at most this far ahead of now
  // A signal must locate itself (municipality, point, polygon, circle or geocode). CAP allows an
  // <info> without <area> ("the sender's whole area"), so CAP ingest turns this off.
  bool require_area = true;
  // expires_at after sent_at and not before onset_at. CAP leaves the order of <sent>, <onset> and
  // <expires> to the sender (an alert may expire the moment it is sent), so CAP ingest turns it off.
  bool check_time_order = true;
};

// The byte offset of the first control character in `s` (C0, DEL, or a C1 character U+0080..U+009F
// in UTF-8), npos when there is none. `allow_whitespace`: tab, LF and CR are not counted. Every
// text vik stores or gives out again passes this check: free text (all signal text fields, which
// CAP fills from XML where tab, LF and CR are legal) with allow_whitespace, names, identifiers and
// URLs without.
std::size_t FindControlCharacter(std::string_view s, bool allow_whitespace);

// All violations of `signal` (empty when valid), in field order.
std::vector<FieldViolation> ValidateSignal(const Signal& signal, const ReferenceData& reference,
                                           const SignalLimits& limits, core::WallTime now);

// The complete list for a client: `decoding` (violations found while decoding the wire form, such
// as unknown enum values) merged into `validation` (ValidateSignal of the decoded signal) in field
// order. A validation violation on a field that decoding already reported ("msg_type: is required"
// after "msg_type: unknown value 17") is dropped.
std::vector<FieldViolation> MergeViolations(const std::vector<FieldViolation>& decoding,
                                            std::vector<FieldViolation> validation);

// "field: description" for one violation, with an optional prefix such as "signals[3]".
std::string FormatViolation(const FieldViolation& v, const std::string& prefix = "");

}  // namespace vik::domain
