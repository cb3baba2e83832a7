#pragma once

// Signals as partners push them (POST /v1/signals), for end-to-end tests of the feed and its
// consumers.

#include <string>

#include <nlohmann/json.hpp>

#include "vik/v1/signal.pb.h"

namespace vik::testing {

// An actual, severe, observed fire incident of `source` (theme 2.1 unless given) in `municipality`,
// sent a minute ago and in effect for two hours: enough for an orange risk on its own.
nlohmann::json FireIncident(const std::string& source, const std::string& external_id, const std::string& municipality,
                            const std::string& theme = "2.1");

// The same of source "brandweer-vr21": sent a minute ago, in effect
// for two hours, in `theme` at `municipality`.
nlohmann::json IncidentSignal(const std::string& external_id, const std::string& theme,
                              const std::string& municipality);

// The gRPC form of an actual, severe, observed fire incident of `source` in GM0796 (theme 2.1),
// sent now, with `headline`.
vik::v1::Signal FireIncidentProto(const std::string& source, const std::string& external_id,
                                  const std::string& headline = "Brand");

// POST /v1/signals to 127.0.0.1:`http_port` with bearer `token`; true when the call succeeds and
// every signal is accepted (a test fails loudly on a signal refused, e.g. for an unknown theme).
bool PushAccepted(int http_port, const std::string& token, const nlohmann::json& signals);

}  // namespace vik::testing
