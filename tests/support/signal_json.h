#pragma once

// Signals for end-to-end tests in the protobuf JSON mapping of vik.v1.Signal (POST /v1/signals).

#include <string>

#include <nlohmann/json.hpp>

namespace vik::testing {

// A severe, observed fire incident (theme 2.1 unless given) in `municipality`, sent a minute ago and
// in effect for two hours: enough for an orange risk on its own.
nlohmann::json FireIncident(const std::string& source, const std::string& external_id,
                            const std::string& municipality, const std::string& theme = "2.1");

}  // namespace vik::testing
