#pragma once

// A peer's exchange messages (proto/vik/v1/exchange.proto) as mirror records (store/mirror_records.h),
// and the mirrored pictures as the national status. What a peer sends is untrusted input: every
// change is checked before anything of its page is stored (INVALID_ARGUMENT naming the change and
// the field; a region code of another region refuses it too: a peer speaks only for its own).
// Pure functions; safe for concurrent use.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <google/protobuf/message.h>

#include "core/result.h"
#include "domain/node_role.h"
#include "store/mirror_records.h"
#include "store/picture_records.h"
#include "vik/v1/exchange.pb.h"

namespace vik::wire {

// A peer speaks only for its own region: `region` is the region it serves (peer.NAME.region, or
// the one its first snapshot named; empty: not known yet). PERMISSION_DENIED naming `field` when a
// region code the peer sent (`got`) is another one.
core::Status CheckPeerRegion(const std::string& region, const std::string& got, const std::string& field);

// Every string in `message` (recursively, bytes fields aside) is valid UTF-8 without NUL and
// control characters other than tab, line feed and carriage return: what the mirror stores it
// gives out again. INVALID_ARGUMENT naming the field as `path`.<field>[<index>]... and the byte.
core::Status CheckTexts(const google::protobuf::Message& message, const std::string& path);

// The page of `peer`'s feed read after `from_cursor`, ready to apply. Changes of unknown kinds are
// skipped (a newer peer) but counted and passed by the cursor. Every change is checked: known
// pictures, bounded ids, levels 0..4, texts (CheckTexts), region codes of `region` (CheckPeerRegion:
// region states and the object of region.state changes).
core::Result<store::MirrorApply> MirrorApplyOf(const std::string& peer, const std::string& region,
                                               const std::string& from_cursor,
                                               const vik::v1::ListChangesResponse& page);

// A peer's snapshots (the actual picture and, when taken, the exercise picture) as one reset of its
// mirror; the cursor to follow from is the actual snapshot's (taken first: the feed from there
// repeats at most what the later snapshot shows). INVALID_ARGUMENT when the peer names no safety
// region or bodies are malformed; PERMISSION_DENIED when a status or region state names a region
// other than `region` (empty: the actual snapshot's region is taken, and the exercise snapshot and
// region state must name the same).
core::Result<store::MirrorSnapshot> MirrorSnapshotOf(const std::string& peer, const std::string& region,
                                                     const vik::v1::Snapshot& actual,
                                                     const vik::v1::Snapshot* exercise);

// The peer's regional status, checked (its region is `region`, texts as CheckTexts), without its
// risks (what the national status shows of it), serialised.
core::Result<std::string> StatusSummaryOf(const std::string& region, const vik::v1::RegionalStatus& status);

// What the national status is built from besides the mirror.
struct NationalContext {
  domain::NodeRole role = domain::NodeRole::kRegional;
  std::string region;  // own region at the regional role
  std::chrono::milliseconds stale_after{30000};
};

// The national status from the mirror overview and, at the regional role, the node's own status
// (every risk of its picture). `now_us`: the reading instant. Regions are listed own first, then by
// region code; cross-regional themes (present at >= min_level in two regions or more) highest
// level first.
vik::v1::NationalStatus BuildNationalStatus(const NationalContext& ctx, const store::MirrorOverview& overview,
                                            const vik::v1::RegionalStatus* own, int top, int min_level,
                                            std::int64_t now_us);

}  // namespace vik::wire
