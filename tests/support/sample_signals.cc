#include "support/sample_signals.h"

#include <google/protobuf/util/time_util.h>

#include "support/http_client.h"
#include "support/times.h"

namespace vik::testing {

nlohmann::json FireIncident(const std::string& source, const std::string& external_id, const std::string& municipality,
                            const std::string& theme) {
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

vik::v1::Signal FireIncidentProto(const std::string& source, const std::string& external_id,
                                  const std::string& headline) {
  vik::v1::Signal s;
  s.set_source(source);
  s.set_external_id(external_id);
  s.set_msg_type(vik::v1::MSG_TYPE_ALERT);
  s.set_status(vik::v1::SIGNAL_STATUS_ACTUAL);
  s.set_kind(vik::v1::SIGNAL_KIND_INCIDENT);
  s.add_categories(vik::v1::CATEGORY_FIRE);
  s.set_theme("2.1");
  s.set_urgency(vik::v1::URGENCY_IMMEDIATE);
  s.set_severity(vik::v1::SEVERITY_SEVERE);
  s.set_certainty(vik::v1::CERTAINTY_OBSERVED);
  *s.mutable_sent_at() = google::protobuf::util::TimeUtil::GetCurrentTime();
  s.mutable_area()->add_municipalities("GM0796");
  s.set_headline(headline);
  return s;
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
