#include "domain/assessment.h"

#include "core/utf8.h"
#include "domain/risk_scoring.h"

namespace vik::domain {
namespace {

bool IsClass(const std::string& c) { return c.size() == 1 && c[0] >= 'A' && c[0] <= 'E'; }

core::Status CheckScenario(const Scenario& s, const std::string& path) {
  if (auto st = CheckFreeText(s.description, path + ".description", kMaxAssessmentText, true); !st.ok()) {
    return st;
  }
  if (!IsClass(s.likelihood)) {
    return core::InvalidArgument(path + ".likelihood: expected a likelihood class A to E");
  }
  if (!IsClass(s.impact)) {
    return core::InvalidArgument(path + ".impact: expected an impact class A to E");
  }
  return core::Status::Ok();
}

core::Status CheckList(const std::vector<std::string>& items, const std::string& path, std::size_t max_len) {
  if (items.size() > kMaxAssessmentItems) {
    return core::InvalidArgument(path + ": more than " + std::to_string(kMaxAssessmentItems) + " items");
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (auto s = CheckFreeText(items[i], path + "[" + std::to_string(i) + "]", max_len, true); !s.ok()) {
      return s;
    }
  }
  return core::Status::Ok();
}

}  // namespace

core::Status CheckFreeText(std::string_view text, const std::string& path, std::size_t max, bool required) {
  if (required && text.empty()) {
    return core::InvalidArgument(path + ": required, not empty");
  }
  if (text.size() > max) {
    return core::InvalidArgument(path + ": longer than " + std::to_string(max) + " bytes");
  }
  if (!core::IsValidUtf8(text)) {
    return core::InvalidArgument(path + ": not valid UTF-8");
  }
  for (const unsigned char c : text) {
    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
      return core::InvalidArgument(path + ": control characters are not allowed");
    }
  }
  return core::Status::Ok();
}

core::Status ValidateAssessment(const Assessment& a) {
  if (a.status != "monitoring" && a.status != "active" && a.status != "closed") {
    return core::InvalidArgument("status: required, one of monitoring, active, closed");
  }
  if (!a.phase.empty() && a.phase != "koud" && a.phase != "lauw" && a.phase != "warm" && a.phase != "nafase") {
    return core::InvalidArgument("phase: expected koud, lauw, warm, nafase or null");
  }
  if (a.analyst_level && (*a.analyst_level < 0 || *a.analyst_level > kMaxLevel)) {
    return core::InvalidArgument("analystLevel: expected 0 to 4 (geen, groen, geel, oranje, rood) or null");
  }
  for (const auto& [scenario, path] :
       {std::pair{&a.worst, "worstCase"}, std::pair{&a.real, "realCase"}, std::pair{&a.best, "bestCase"}}) {
    if (auto s = CheckScenario(*scenario, path); !s.ok()) {
      return s;
    }
  }
  if (auto s = CheckFreeText(a.assessment, "assessment", kMaxAssessmentText, true); !s.ok()) {
    return s;
  }
  if (auto s = CheckList(a.advice, "advice", kMaxAssessmentShort); !s.ok()) {
    return s;
  }
  if (auto s = CheckList(a.partners, "partners", kMaxPartnerName); !s.ok()) {
    return s;
  }
  if (a.reason.empty()) {
    return core::InvalidArgument("reason: required, 1 to 2000 bytes (why the assessment changes)");
  }
  return CheckFreeText(a.reason, "reason", kMaxAssessmentShort, true);
}

}  // namespace vik::domain
