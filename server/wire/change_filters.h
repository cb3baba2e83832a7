#pragma once

// Change-feed filters (domain/change_filter.h) over the feed's messages: the filter from its proto
// form, the facts a filter looks at in a vik.v1.Change, filtered pages, and a change as the
// protobuf JSON that SSE streams and webhooks send. Pure functions; safe for concurrent use.

#include <cstddef>
#include <string>

#include "core/result.h"
#include "domain/change_filter.h"
#include "store/change_records.h"
#include "vik/v1/exchange.pb.h"

namespace vik::wire {

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

// A page of at most `max_bytes` (its protobuf encoding, the size of `out` when sent) made of the
// page's changes that match `filter`, in order: changes are taken while they fit; the first one
// that does not ends the page before it (next_cursor is then the cursor of the last change read
// before it, more is true). A page always holds at least one matching change when there is one:
// FAILED_PRECONDITION naming the change and both sizes when that change alone exceeds `max_bytes`
// (nothing could ever pass it). Otherwise next_cursor and more as for ToProtoPageFiltered. Returns
// the cursor next_cursor names.
core::Result<store::ChangeCursor> ToProtoPageBounded(const store::ChangePage& page, const domain::ChangeFilter& filter,
                                                     std::size_t max_bytes, vik::v1::ListChangesResponse* out);

// What a page of a ListChangesResponse may hold for a message limit of `max_message_bytes`: the
// limit less room for next_cursor, more and the framing.
std::size_t PageBytesFor(std::size_t max_message_bytes);

// The protobuf JSON mapping of `change` on one line (every field printed, defaults too).
std::string ChangeJson(const vik::v1::Change& change);

}  // namespace vik::wire
