#include "domain/change_filter.h"

#include <algorithm>
#include <cctype>

namespace vik::domain {
namespace {

bool IsThemeCode(const std::string& code) {
  if (code.empty() || code.size() > 32 || code.front() == '.' || code.back() == '.') {
    return false;
  }
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c == '.') {
      if (code[i - 1] == '.') {
        return false;
      }
    } else if (std::isdigit(static_cast<unsigned char>(c)) == 0) {
      return false;
    }
  }
  return true;
}

bool IsMunicipalityCode(const std::string& code) {
  return code.size() == 6 && code[0] == 'G' && code[1] == 'M' &&
         std::all_of(code.begin() + 2, code.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

core::Status CheckSize(const std::vector<std::string>& list, const char* field) {
  if (list.size() > static_cast<std::size_t>(kMaxFilterEntries)) {
    return core::InvalidArgument(std::string(field) + ": at most " + std::to_string(kMaxFilterEntries) +
                                 " entries, got " + std::to_string(list.size()));
  }
  return core::Status::Ok();
}

}  // namespace

const std::vector<std::string>& ChangeKinds() {
  static const std::vector<std::string> kinds = {"signal.accepted", "signal.ended", "risk.changed", "risk.assessed",
                                                 "region.state"};
  return kinds;
}

core::Status ValidateFilter(const ChangeFilter& filter) {
  for (const auto& [list, field] :
       {std::pair{&filter.themes, "themes"}, std::pair{&filter.municipalities, "municipalities"},
        std::pair{&filter.kinds, "kinds"}}) {
    if (core::Status s = CheckSize(*list, field); !s.ok()) {
      return s;
    }
  }
  for (const auto& t : filter.themes) {
    if (!IsThemeCode(t)) {
      return core::InvalidArgument("themes: \"" + t +
                                   "\" is not a theme code (digits separated by dots, e.g. \"2.1\")");
    }
  }
  for (const auto& m : filter.municipalities) {
    if (!IsMunicipalityCode(m)) {
      return core::InvalidArgument("municipalities: \"" + m + "\" is not a CBS municipality code (GM and four digits)");
    }
  }
  if (filter.min_level < 0 || filter.min_level > 4) {
    return core::InvalidArgument("minLevel: expected 0 (any) to 4, got " + std::to_string(filter.min_level));
  }
  for (const auto& k : filter.kinds) {
    if (!Contains(ChangeKinds(), k)) {
      return core::InvalidArgument(
          "kinds: unknown kind \"" + k +
          "\" (known: signal.accepted, signal.ended, risk.changed, risk.assessed, region.state)");
    }
  }
  if (!filter.picture.empty() && filter.picture != "actual" && filter.picture != "exercise") {
    return core::InvalidArgument("picture: expected actual or exercise, got \"" + filter.picture + "\"");
  }
  return core::Status::Ok();
}

bool ThemeWithin(const std::string& code, const std::string& prefix) {
  return code.size() >= prefix.size() && code.compare(0, prefix.size(), prefix) == 0 &&
         (code.size() == prefix.size() || code[prefix.size()] == '.');
}

bool Matches(const ChangeFilter& filter, const ChangeFacts& change) {
  if (!filter.kinds.empty() && !Contains(filter.kinds, change.kind)) {
    return false;
  }
  if (change.kind == "region.state") {
    return true;
  }
  if (!filter.picture.empty() && change.picture != filter.picture) {
    return false;
  }
  if (!filter.themes.empty() && std::none_of(filter.themes.begin(), filter.themes.end(), [&](const std::string& t) {
        return !change.theme.empty() && ThemeWithin(change.theme, t);
      })) {
    return false;
  }
  if (!filter.municipalities.empty() && !change.municipalities.empty() &&
      std::none_of(change.municipalities.begin(), change.municipalities.end(),
                   [&](const std::string& m) { return Contains(filter.municipalities, m); })) {
    return false;
  }
  if (filter.min_level > 0 && change.kind.rfind("risk.", 0) == 0) {
    return change.level && *change.level >= filter.min_level;
  }
  return true;
}

RiskKeyParts SplitRiskId(const std::string& id) {
  const auto at = id.find('@');
  if (at == std::string::npos) {
    return {id, ""};
  }
  const std::string where = id.substr(at + 1);
  return {id.substr(0, at), where == "region" ? std::string() : where};
}

}  // namespace vik::domain
