#pragma once

// Records of the public change feed (migrations 0010 and 0011; docs/exchange.md).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/ingest_records.h"
#include "store/picture_records.h"

namespace vik::store {

struct ChangeRecord {
  ChangeCursor cursor;
  std::int64_t at_us = 0;
  std::string picture;
  std::string kind;
  std::string object;
};

// A signal's body in the feed: the canonical payload and its lifecycle.
struct StoredSignalRecord {
  std::string id;
  std::string status;
  std::string state;
  std::string payload;  // the canonical vik.v1.Signal
  std::int64_t received_us = 0;
  std::string ended_by;
  std::int64_t ended_us = 0;  // 0: not ended
};

// One page of the feed with the bodies of the objects it names, as stored when read.
struct ChangePage {
  std::vector<ChangeRecord> changes;
  ChangeCursor next;                                  // after the last change returned; the request's cursor when none
  bool more = false;                                  // the page was full
  std::map<std::string, StoredSignalRecord> signals;  // by signal id
  std::map<std::pair<std::string, std::string>, RiskRecord> risks;  // by (picture, risk id)
  std::optional<RegionState> region_state;                          // when a page names it
};

// GetSnapshot: the status with every risk, and the cursor to follow the feed from.
struct SnapshotRecord {
  RegionalStatusRecord status;
  ChangeCursor cursor;
};

}  // namespace vik::store
