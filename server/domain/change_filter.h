#pragma once

// Filters on the change feed (docs/exchange.md, "Filters"): which changes a reader, an SSE stream
// or a webhook subscription wants. Pure functions over values; safe for concurrent use.
//
// A change matches when every part of the filter that is set matches (an empty list or 0 is "any"):
//   kinds           the change's kind is one of them (exact: "risk.changed", ...)
//   picture         the change's picture ("actual" or "exercise")
//   themes          the change's theme is one of them or lies below one ("2" matches "2" and "2.1",
//                   not "21"); an unclassified change (no theme) matches no theme filter
//   municipalities  the change concerns one of them; a region-wide change (no municipality)
//                   concerns every municipality and matches
//   min_level       risks only: the risk's level (0..4, as read) is at least min_level; a risk
//                   without a level (no row yet) does not match. Signals have no level of their
//                   own and pass on theme and municipality alone.
// A `region.state` change concerns the whole region: it matches whenever `kinds` admits it.

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace vik::domain {

inline constexpr int kMaxFilterEntries = 50;  // per list

struct ChangeFilter {
  std::vector<std::string> themes;          // theme codes, e.g. "2", "3.1"
  std::vector<std::string> municipalities;  // CBS codes, e.g. "GM0796"
  int min_level = 0;                        // 0: any; 1..4
  std::vector<std::string> kinds;           // empty: all kinds
  std::string picture;                      // "": both; "actual" or "exercise"

  bool empty() const {
    return themes.empty() && municipalities.empty() && min_level == 0 && kinds.empty() && picture.empty();
  }
};

// What a filter looks at in one change.
struct ChangeFacts {
  std::string kind;
  std::string picture;
  std::string theme;                        // "" unclassified
  std::vector<std::string> municipalities;  // empty: region-wide
  std::optional<int> level;                 // risks with a row only
};

// The change kinds of the feed.
const std::vector<std::string>& ChangeKinds();

// INVALID_ARGUMENT naming the field ("themes", "municipalities", "minLevel", "kinds", "picture")
// for a malformed theme code (digits separated by single dots), a municipality code that is not
// GM followed by four digits, a level outside 0..4, an unknown kind, an unknown picture, or more
// than kMaxFilterEntries entries in a list. Names are those of the JSON/query form.
core::Status ValidateFilter(const ChangeFilter& filter);

// True when `code` is `prefix` or lies below it ("2.1" below "2").
bool ThemeWithin(const std::string& code, const std::string& prefix);

bool Matches(const ChangeFilter& filter, const ChangeFacts& change);

// The theme and municipality named by a risk id "<theme>@<municipality>" ("@region": region-wide).
struct RiskKeyParts {
  std::string theme;
  std::string municipality;  // "" region-wide
};
RiskKeyParts SplitRiskId(const std::string& id);

}  // namespace vik::domain
