#include "http/filter_query.h"

#include "domain/risk_scoring.h"
#include "http/query.h"

namespace vik::http {
namespace {

std::vector<std::string> SplitList(const std::map<std::string, std::string>& params, const char* name) {
  std::vector<std::string> out;
  const auto it = params.find(name);
  if (it == params.end()) {
    return out;
  }
  std::string::size_type start = 0;
  for (;;) {
    const auto comma = it->second.find(',', start);
    std::string item = it->second.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) {
      out.push_back(std::move(item));
    }
    if (comma == std::string::npos) {
      return out;
    }
    start = comma + 1;
  }
}

// The filter's field names (domain::ValidateFilter) as query parameter names.
std::string QueryMessage(const std::string& message) {
  for (const auto& [field, param] :
       {std::pair{"themes:", "theme:"}, std::pair{"municipalities:", "municipality:"}, std::pair{"kinds:", "kind:"}}) {
    if (message.rfind(field, 0) == 0) {
      return param + message.substr(std::string(field).size());
    }
  }
  return message;
}

}  // namespace

const std::set<std::string>& FilterParams() {
  static const std::set<std::string> names = {"theme", "municipality", "minLevel", "kind", "picture"};
  return names;
}

const std::set<std::string>& FilterListParams() {
  static const std::set<std::string> names = {"theme", "municipality", "kind"};
  return names;
}

core::Result<domain::ChangeFilter> FilterFromQuery(const std::map<std::string, std::string>& params) {
  domain::ChangeFilter f;
  f.themes = SplitList(params, "theme");
  f.municipalities = SplitList(params, "municipality");
  f.kinds = SplitList(params, "kind");
  if (const auto it = params.find("picture"); it != params.end()) {
    f.picture = it->second;
  }
  if (const auto it = params.find("minLevel"); it != params.end()) {
    auto level = ParseIntValue("minLevel", it->second, 0, domain::kMaxLevel);
    if (!level.ok()) {
      return level.status();
    }
    f.min_level = *level;
  }
  if (core::Status s = domain::ValidateFilter(f); !s.ok()) {
    return core::InvalidArgument(QueryMessage(s.message()));
  }
  return f;
}

core::Result<FeedQuery> ParseFeedQuery(const QueryParams& query, const std::set<std::string>& others) {
  std::set<std::string> names = FilterParams();
  names.insert(others.begin(), others.end());
  auto params = ParseQuery(query, names, FilterListParams());
  if (!params.ok()) {
    return params.status();
  }
  auto filter = FilterFromQuery(*params);
  if (!filter.ok()) {
    return filter.status();
  }
  return FeedQuery{std::move(params).value(), std::move(filter).value()};
}

}  // namespace vik::http
