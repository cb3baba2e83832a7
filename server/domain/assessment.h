#pragma once

// An analysts' assessment of a risk (worst/real/best case with likelihood and impact classes A-E of
// the national risk diagram, interpretation, advice, partners, status, phase, analyst level) and
// the rules it must meet whichever transport brought it. Pure.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vik::domain {

struct Scenario {
  std::string description;
  std::string likelihood;  // class code, e.g. "C"
  std::string impact;
};

struct Assessment {
  std::string status;                // monitoring, active, closed
  std::string phase;                 // "" for none; koud, lauw, warm, nafase
  std::optional<int> analyst_level;  // 0..kMaxLevel; nullopt: the computed level stands
  Scenario worst;
  Scenario real;
  Scenario best;
  std::string assessment;  // the analysts' interpretation
  std::vector<std::string> advice;
  std::vector<std::string> partners;
  std::string reason;  // why the assessment changes
};

inline constexpr std::size_t kMaxAssessmentText = 10000;  // description, assessment
inline constexpr std::size_t kMaxAssessmentShort = 2000;  // an advice item, the reason
inline constexpr std::size_t kMaxPartnerName = 64;
inline constexpr std::size_t kMaxAssessmentItems = 50;  // advice, partners

// OK, or INVALID_ARGUMENT naming the first field that breaks a rule by its API path
// ("status", "worstCase.likelihood", "advice[2]") and saying what was expected.
core::Status ValidateAssessment(const Assessment& a);

// One free-text field: at most `max` bytes of UTF-8 without control characters other than tab,
// CR and LF; not empty when `required`. INVALID_ARGUMENT names `path`.
core::Status CheckFreeText(std::string_view text, const std::string& path, std::size_t max, bool required);

}  // namespace vik::domain
