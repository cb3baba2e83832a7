#pragma once

// Records of the mirrors of peer nodes (migrations/0012_peer_mirror.sql; docs/exchange.md,
// "Mirroring peers"). Bodies are the peer's protobuf messages in binary form, opaque to the store;
// the fields beside them are what the store filters and sorts on. Times in microseconds since the
// Unix epoch, 0: never.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vik::store {

// What the node knows of one followed peer.
struct PeerRecord {
  std::string name;
  std::string endpoint;
  std::string region;  // empty until the first snapshot
  std::string region_name;
  std::string cursor;  // the peer's cursor after the last applied change; empty: (re)synchronise
  std::int64_t synced_us = 0;
  int snapshots = 0;
  std::int64_t changes_applied = 0;
  std::int64_t last_contact_us = 0;
  std::int64_t last_change_us = 0;
  std::string last_error;
  std::int64_t last_error_us = 0;
  int consecutive_errors = 0;
  std::string status;  // the peer's last vik.v1.RegionalStatus (binary), empty: none yet
  std::int64_t status_us = 0;
};

struct MirrorSignalRow {
  std::string id;
  std::string status;
  std::string state;
  std::int64_t received_us = 0;
  std::int64_t ended_us = 0;
  std::string body;  // vik.v1.StoredSignal
};

struct MirrorRiskRow {
  std::string picture;
  std::string id;
  std::string theme;
  std::string municipality;
  int level = 0;
  int priority = 0;
  bool in_picture = false;
  std::string body;  // vik.v1.Risk
};

struct MirrorRegionStateRow {
  std::string region;
  int version = 0;
  std::string grip_level;
  std::string phase;
  std::int64_t set_us = 0;
  std::string body;  // vik.v1.RegionState
};

// A snapshot of a peer: replaces the peer's mirrored risks and region state and sets the cursor to
// follow from. Mirrored signals are kept (the feed brings the ones after the snapshot).
struct MirrorSnapshot {
  std::string peer;
  std::optional<std::string> from_cursor;  // when set: applied only while this is the stored cursor
  std::string region;
  std::string region_name;
  std::string cursor;
  std::vector<MirrorRiskRow> risks;
  std::optional<MirrorRegionStateRow> region_state;
};

// One page of a peer's feed, applied in one transaction with the cursor after it.
struct MirrorApply {
  std::string peer;
  std::string from_cursor;  // the cursor the page was read after: must still be the stored one
  std::string next_cursor;
  int changes = 0;  // changes the page covers (counted once each)
  std::int64_t newest_change_us = 0;
  std::vector<MirrorSignalRow> signals;
  std::vector<MirrorRiskRow> risks;
  std::optional<MirrorRegionStateRow> region_state;
};

// The mirrored picture of one peer for the national status.
struct MirrorPeerView {
  PeerRecord peer;
  std::string region_state;             // vik.v1.RegionState (binary), empty: never set
  std::vector<std::string> top_risks;   // vik.v1.Risk (binary), priority order
  std::array<int, 5> risks_by_level{};  // risks in the picture per level 0..4
};

// A theme's presence in one peer's picture.
struct MirrorThemeRow {
  std::string peer;
  std::string theme;
  int max_level = 0;
  int risks = 0;
  std::string label;  // the theme's label in this node's reference data
};

struct MirrorOverview {
  std::vector<MirrorPeerView> peers;  // the peers asked for that have a row, by region
  std::vector<MirrorThemeRow> themes;
};

}  // namespace vik::store
