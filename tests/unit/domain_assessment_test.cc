// The rules of an analysts' assessment, whichever transport brought it (domain/assessment.h).

#include <catch2/catch.hpp>

#include "domain/assessment.h"

namespace vik::domain {
namespace {

Assessment Valid() {
  Assessment a;
  a.status = "active";
  a.phase = "warm";
  a.analyst_level = 3;
  a.worst = {"dijkdoorbraak", "B", "E"};
  a.real = {"hoogwater", "C", "C"};
  a.best = {"water zakt", "D", "A"};
  a.assessment = "De waterstand stijgt.\nBlijven volgen.";
  a.advice = {"evacuatie voorbereiden"};
  a.partners = {"waterschap"};
  a.reason = "nieuwe prognose";
  return a;
}

std::string MessageOf(const Assessment& a) {
  const core::Status s = ValidateAssessment(a);
  CHECK(s.code() == core::StatusCode::kInvalidArgument);
  return s.message();
}

TEST_CASE("a complete assessment meets the rules, also without phase, analyst level, advice or partners",
          "[domain][assessment]") {
  CHECK(ValidateAssessment(Valid()).ok());
  Assessment a = Valid();
  a.phase.clear();
  a.analyst_level.reset();
  a.advice.clear();
  a.partners.clear();
  CHECK(ValidateAssessment(a).ok());
  a.analyst_level = 0;
  CHECK(ValidateAssessment(a).ok());
}

TEST_CASE("an assessment that breaks a rule is refused naming the field by its API path", "[domain][assessment]") {
  Assessment a = Valid();
  a.status = "open";
  CHECK_THAT(MessageOf(a), Catch::StartsWith("status: "));
  a = Valid();
  a.phase = "heet";
  CHECK_THAT(MessageOf(a), Catch::StartsWith("phase: "));
  a = Valid();
  a.analyst_level = 5;
  CHECK_THAT(MessageOf(a), Catch::StartsWith("analystLevel: "));
  a = Valid();
  a.real.likelihood = "F";
  CHECK_THAT(MessageOf(a), Catch::StartsWith("realCase.likelihood: "));
  a = Valid();
  a.best.impact = "";
  CHECK_THAT(MessageOf(a), Catch::StartsWith("bestCase.impact: "));
  a = Valid();
  a.worst.description.clear();
  CHECK_THAT(MessageOf(a), Catch::StartsWith("worstCase.description: required"));
  a = Valid();
  a.assessment = std::string(kMaxAssessmentText + 1, 'x');
  CHECK_THAT(MessageOf(a), Catch::StartsWith("assessment: longer than 10000 bytes"));
  a = Valid();
  a.advice = {"ok", std::string("bell\x07")};
  CHECK_THAT(MessageOf(a), Catch::StartsWith("advice[1]: control characters"));
  a = Valid();
  a.partners.assign(kMaxAssessmentItems + 1, "p");
  CHECK_THAT(MessageOf(a), Catch::StartsWith("partners: more than 50 items"));
  a = Valid();
  a.partners = {std::string("\xff\xfe")};
  CHECK_THAT(MessageOf(a), Catch::StartsWith("partners[0]: not valid UTF-8"));
  a = Valid();
  a.reason.clear();
  CHECK_THAT(MessageOf(a), Catch::StartsWith("reason: required"));
}

}  // namespace
}  // namespace vik::domain
