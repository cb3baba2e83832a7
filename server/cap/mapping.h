#pragma once

// A validated CAP alert turned into vik signals (docs/cap.md, "From CAP to signals"). Pure.
//
// - One signal per <info> block; blocks that differ only in language (same categories, urgency,
//   severity, certainty, times and geometry) are one signal: the Dutch block (or else the first) is
//   the signal's text, the others are kept as "cap:headline@<lang>" attributes.
// - Key: source = <sender>; external_id = <identifier> when the alert makes one signal, else
//   "<identifier>/info<n>" (n: the block's index). An identifier with characters a signal id cannot
//   hold becomes "cap-<sha256 prefix>" so that every valid CAP identifier maps to a valid key.
// - Ack and Error alerts, and alerts without <info>, make no signals.
// - Theme: parameter "crisistype" (or "vik:theme") when it names a known theme, else the region's
//   default theme of the first <category>.
// - Municipalities: <geocode> "CBS_GM" (or "gemeentecode") values of the region; when an area has
//   none, its polygons and circles are located against the region's boundaries.
// - Elements without a signal field of their own become "cap:*" attributes; <parameter>s become
//   attributes under their own name (vik:kind and vik:theme set the fields). A circle of radius 0
//   is a point. Attributes beyond the signal limits are dropped (the document is kept verbatim).
// - A polygon of more than SignalLimits::max_polygon_points points is simplified to that many
//   (evenly spaced vertices) for the signal and for locating it; the document keeps the full ring.
// - A reference to the message itself (same sender and identifier) is dropped with a warning.

#include <string>
#include <vector>

#include "cap/alert.h"
#include "cap/values.h"
#include "domain/reference_data.h"
#include "domain/signal.h"
#include "domain/signal_validation.h"

namespace vik::cap {

struct MappedSignal {
  domain::Signal signal;
  int info_index = 0;                  // the block the signal's text comes from
  std::vector<int> language_variants;  // other blocks folded into it
};

struct MappedAlert {
  core::WallTime sent_at{};
  std::vector<ReferenceValue> references;
  std::vector<MappedSignal> signals;
  // Lenient input that was accepted but not taken as written ("alert/references: the reference to
  // this message itself (...) is ignored"); the receipt carries them.
  std::vector<std::string> warnings;
};

// REQUIRES: Validate(alert) returned no violations.
MappedAlert MapAlert(const Alert& alert, const domain::ReferenceData& reference,
                     const domain::SignalLimits& limits = {});

// The signal key for info block `info_index` of an alert that makes `signal_count` signals.
std::string ExternalId(const std::string& identifier, int info_index, std::size_t signal_count);

// Lower-case vik names of CAP enumerations ("Very Likely" -> likely for CAP 1.1).
domain::MsgType MsgTypeOf(const std::string& cap);
domain::SignalStatus StatusOf(const std::string& cap);
domain::Category CategoryOf(const std::string& cap);
domain::Urgency UrgencyOf(const std::string& cap);
domain::Severity SeverityOf(const std::string& cap);
domain::Certainty CertaintyOf(const std::string& cap);

}  // namespace vik::cap
