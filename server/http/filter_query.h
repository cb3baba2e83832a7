#pragma once

// A change-feed filter (domain/change_filter.h) from query parameters, shared by GET /v1/changes
// and GET /v1/changes/stream: theme=2&theme=3.1&municipality=GM0796&minLevel=3&kind=risk.changed
// &picture=actual. theme, municipality and kind may repeat (or hold comma-separated lists). Pure.

#include <map>
#include <set>
#include <string>
#include <string_view>

#include "core/result.h"
#include "domain/change_filter.h"
#include "http/query.h"

namespace vik::http {

// The query parameter names of a filter (repeatable ones in kFilterListParams).
const std::set<std::string>& FilterParams();
const std::set<std::string>& FilterListParams();

// INVALID_ARGUMENT naming the query parameter for a malformed value.
core::Result<domain::ChangeFilter> FilterFromQuery(const std::map<std::string, std::string>& params);

// A feed request's query: the filter parameters and `others` (e.g. "after", "limit"), parsed and
// checked (unknown names, repeated names other than the lists, malformed filter values).
struct FeedQuery {
  std::map<std::string, std::string> params;
  domain::ChangeFilter filter;
};
core::Result<FeedQuery> ParseFeedQuery(const QueryParams& query, const std::set<std::string>& others);

}  // namespace vik::http
