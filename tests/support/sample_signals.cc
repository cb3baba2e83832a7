#include "support/sample_signals.h"

#include "support/http_client.h"
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

nlohmann::json IncidentSignal(const std::string& external_id, const std::string& theme,
                              const std::string& municipality) {
  return FireIncident("brandweer-vr21", external_id, municipality, theme);
}

bool PushAccepted(int http_port, const std::string& token, const nlohmann::json& signals) {
  const auto r = HttpCall(http_port, "POST", "/v1/signals", nlohmann::json{{"signals", signals}}.dump(),
                          {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}});
  if (r.status != 200) {
    return false;
  }
  const auto body = nlohmann::json::parse(r.body, nullptr, false);
  if (body.is_discarded() || !body.contains("receipts") || body["receipts"].size() != signals.size()) {
    return false;
  }
  for (const auto& receipt : body["receipts"]) {
    if (receipt.value("outcome", "") != "RECEIPT_OUTCOME_ACCEPTED") {
      return false;
    }
  }
  return true;
}

}  // namespace vik::testing
