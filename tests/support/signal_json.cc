#include "support/signal_json.h"

#include "support/times.h"

namespace vik::testing {

nlohmann::json FireIncident(const std::string& source, const std::string& external_id,
                            const std::string& municipality, const std::string& theme) {
  return {{"source", source},
          {"externalId", external_id},
          {"msgType", "MSG_TYPE_ALERT"},
          {"status", "SIGNAL_STATUS_ACTUAL"},
          {"kind", "SIGNAL_KIND_INCIDENT"},
          {"categories", {"CATEGORY_FIRE"}},
          {"theme", theme},
          {"urgency", "URGENCY_IMMEDIATE"},
          {"severity", "SEVERITY_SEVERE"},
          {"certainty", "CERTAINTY_OBSERVED"},
          {"sentAt", Rfc3339FromNow(std::chrono::minutes(-1))},
          {"expiresAt", Rfc3339FromNow(std::chrono::minutes(120))},
          {"area", {{"municipalities", {municipality}}}},
          {"headline", "Melding " + external_id}};
}

}  // namespace vik::testing
