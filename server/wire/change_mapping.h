#pragma once

// The change feed's records (store/change_records.h) as vik.v1 messages (proto/vik/v1/exchange.proto),
// and the feed's cursor text. Pure functions; safe for concurrent use.

#include <cstddef>
#include <optional>
#include <string>

#include "core/result.h"
#include "store/change_records.h"
#include "vik/v1/exchange.pb.h"
#include "wire/picture_mapping.h"

namespace vik::wire {

// "<xid>.<seq>"; opaque to clients.
std::string FormatCursor(const store::ChangeCursor& c);
// nullopt for ""; INVALID_ARGUMENT naming `field` for anything that is not a cursor of this API.
core::Result<std::optional<store::ChangeCursor>> ParseCursor(const std::string& text, const std::string& field);

// One change with its body from `page`.
void ToProtoChange(const store::ChangePage& page, const store::ChangeRecord& change, vik::v1::Change* out);
void ToProtoPage(const store::ChangePage& page, vik::v1::ListChangesResponse* out);
void ToProtoSnapshot(const store::SnapshotRecord& s, const StatusContext& ctx, vik::v1::Snapshot* out);
// FAILED_PRECONDITION naming the picture and both sizes when `snapshot` is larger than a message
// may be (a snapshot is one message: it cannot be split).
core::Status CheckSnapshotSize(const vik::v1::Snapshot& snapshot, const std::string& picture,
                               std::size_t max_message_bytes);

}  // namespace vik::wire
