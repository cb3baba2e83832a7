#pragma once

// CAP 1.2 and Atom output (docs/cap.md, "CAP out"). Pure: builds documents with pugixml, which
// escapes all text. Generated CAP passes vik's own validator, and MapAlert(ParseAlert(WriteAlert(s)))
// gives back the signal `s` (the round trip of docs/cap.md) when `s` names its municipalities.

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "domain/signal.h"

namespace vik::cap {

// One CAP 1.2 alert for a signal that did not arrive as CAP: sender = source, identifier =
// external_id, one <info> in nl-NL, municipalities as geocode "CBS_GM", points as circles of radius
// 0, kind and theme as parameters "vik:kind" and "vik:theme", other attributes as parameters
// ("cap:*" attributes back into their own elements).
std::string WriteAlert(const domain::Signal& signal);

struct AtomEntry {
  std::string id;  // "urn:uuid:<signal id>"
  std::string title;
  std::string summary;
  std::string author;  // the sender
  std::string link;    // absolute or root-relative URL of the CAP document
  core::WallTime updated{};
  core::WallTime published{};
  std::optional<core::WallTime> expires;
  std::vector<std::string> categories;
};

struct AtomFeed {
  std::string id;  // "urn:vik:VR21:cap"
  std::string title;
  std::string self_link;
  core::WallTime updated{};
  std::vector<AtomEntry> entries;
};

// An Atom 1.0 index of CAP alerts (links of type application/cap+xml, as MeteoAlarm and national
// weather services publish them).
std::string WriteAtom(const AtomFeed& feed);

}  // namespace vik::cap
