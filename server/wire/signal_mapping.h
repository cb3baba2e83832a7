#pragma once

// vik.v1.Signal (wire) <-> domain::Signal, in exactly one place. Pure functions; safe for concurrent
// use.
//
// Enumerations: the numeric values are equal on both sides. A wire value the domain does not know
// (proto3 enums are open, so 17 can arrive) becomes kUnspecified plus a violation
// ("msg_type: unknown value 17"); a category keeps its position as kUnspecified.
// Timestamps: unset -> nullopt; set -> the instant truncated to system_clock precision. A timestamp
// outside google.protobuf.Timestamp's range (or outside what core::WallTime can hold, about the
// years 1678..2261), or with nanos outside 0..999999999, becomes nullopt plus a violation.

#include <vector>

#include "domain/signal.h"
#include "domain/signal_validation.h"
#include "vik/v1/signal.pb.h"

namespace vik::wire {

struct MappedSignal {
  domain::Signal signal;
  // What could not be represented in the domain, in field order. Empty for every well-formed message.
  std::vector<domain::FieldViolation> violations;
};

// Wire -> domain.
MappedSignal FromProto(const vik::v1::Signal& in);

// Domain -> wire (used for reads and for the canonical form). Clears `out` first.
// REQUIRES: the enumerations of `in` hold known values (as FromProto produces).
void ToProto(const domain::Signal& in, vik::v1::Signal* out);

}  // namespace vik::wire
