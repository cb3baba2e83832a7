#pragma once

// Change-feed filters (domain/change_filter.h) over the feed's messages: the filter from its proto
// form, the facts a filter looks at in a vik.v1.Change, filtered pages, and a change as the
// protobuf JSON that SSE streams and webhooks send. Pure functions; safe for concurrent use.

#include <string>

#include "core/result.h"
#include "domain/change_filter.h"
#include "store/change_records.h"
#include "vik/v1/exchange.pb.h"

namespace vik::exchange {

// The filter, validated (INVALID_ARGUMENT naming the field as "filter.<field>").
core::Result<domain::ChangeFilter> FilterFromProto(const vik::v1::ChangeFilter& proto);
void FilterToProto(const domain::ChangeFilter& filter, vik::v1::ChangeFilter* out);

// Theme, municipalities and level of `change` as its body shows them (a risk's theme and
// municipality come from its id when it has no body).
domain::ChangeFacts FactsOf(const vik::v1::Change& change);

// The page's changes that match `filter`; next_cursor and more as for the unfiltered page (the
// reader moves past changes that do not match).
void ToProtoPageFiltered(const store::ChangePage& page, const domain::ChangeFilter& filter,
                         vik::v1::ListChangesResponse* out);

// The protobuf JSON mapping of `change` on one line (every field printed, defaults too).
std::string ChangeJson(const vik::v1::Change& change);

}  // namespace vik::exchange
