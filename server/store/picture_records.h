#pragma once

// Records of the risk picture (migrations/0010_risk_picture.sql) as the store reads and writes them.
// Plain values; times as microseconds since the Unix epoch unless typed.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "domain/assessment.h"
#include "domain/risk_engine.h"
#include "store/ingest_records.h"

namespace vik::store {

// A position in the change log: rows (xid, seq) after it have not been read. Ordered.
struct ChangeCursor {
  std::uint64_t xid = 0;
  std::int64_t seq = 0;
  auto operator<=>(const ChangeCursor&) const = default;
};

// The analyst level of a risk's current assessment (nullopt: none set or never assessed).
struct AnalystLevelRecord {
  std::string picture;  // "actual" or "exercise"
  std::string risk_id;
  std::optional<int> level;
};

// When a source last delivered and how often it is expected to.
struct SourceSeen {
  std::string source;
  core::WallTime last_signal_at{};
  std::chrono::seconds expected_interval{0};
};

// One row of `risks`: a risk as the leader's keeper last wrote it.
struct RiskRow {
  std::string picture;
  std::string id;
  std::string theme;
  std::string municipality;
  bool in_picture = false;
  int priority = 0;
  domain::RiskLevels levels;
  std::optional<int> analyst_level;
  int effective_level = 0;
  std::string worst_severity;
  int sources = 0;
  int breadth = 0;
  int signals_in_effect = 0;
  int signals_upcoming = 0;
  std::vector<std::string> signal_ids;
  std::int64_t computed_us = 0;

  // Equal in everything shown (computed_us aside).
  bool SameAs(const RiskRow& o) const {
    return in_picture == o.in_picture && priority == o.priority && levels == o.levels &&
           analyst_level == o.analyst_level && effective_level == o.effective_level &&
           worst_severity == o.worst_severity && sources == o.sources && breadth == o.breadth &&
           signals_in_effect == o.signals_in_effect && signals_upcoming == o.signals_upcoming &&
           signal_ids == o.signal_ids;
  }
};

// What the keeper reads after its cursor: the changed signals as stored now and the current
// analyst levels of assessed risks (only the pictures actual and exercise).
struct PictureBatch {
  std::vector<domain::RiskSignal> signals;
  std::vector<AnalystLevelRecord> levels;
  std::vector<SourceSeen> sources;     // newest signal per source among the rows read
  ChangeCursor next;                   // the cursor after the last row read
  int rows = 0;                        // change rows read
  std::int64_t oldest_unread_us = -1;  // when the oldest committed row after `next` was written; -1: none
};

// What a new leader's keeper starts from: the signals that can contribute now (in effect, upcoming,
// or ended within the look-back), analyst levels, source freshness, the risks as last written, and
// the cursor those were written at. `sources` lists every registered source (never delivered:
// last_signal_at is the epoch).
struct PictureWarmup {
  ChangeCursor cursor;
  // True when the stored cursor lay beyond every transaction id of this database (restored from a
  // dump, or a new cluster): `cursor` then starts at the snapshot's xmin, whose changes the
  // snapshot holds.
  bool cursor_reset = false;
  std::vector<domain::RiskSignal> signals;
  std::vector<AnalystLevelRecord> levels;
  std::vector<SourceSeen> sources;
  std::vector<RiskRow> risks;
};

// One round of the keeper: written in one transaction under the fence.
struct PictureWrite {
  ChangeCursor cursor;
  std::vector<RiskRow> rows;                            // upserted
  std::vector<std::size_t> level_changes;               // indexes into rows whose levels changed: history + change log
  std::vector<SourceSeen> sources;                      // source_health, newest wins
  std::map<std::string, domain::PictureCounts> counts;  // per picture
  double lag_seconds = 0;                               // age of the oldest committed change not yet applied
  std::string node_id;
};

// --- reads for the API ---

using ScenarioRecord = domain::Scenario;

// A stored version of an assessment: its content (domain/assessment.h) and who set it when.
struct AssessmentRecord : domain::Assessment {
  int version = 0;
  std::string set_by;
  std::int64_t set_us = 0;
};

struct RiskRecord {
  RiskRow row;
  std::string theme_label;
  std::string municipality_name;
  std::optional<AssessmentRecord> assessment;  // the current version
};

struct RiskQuery {
  std::string picture = "actual";
  std::string theme;             // "" any; otherwise this theme and its sub-themes
  std::string municipality;      // "" any
  int min_level = 0;             // effective level at least
  std::string status;            // "" any; "new" (never assessed), monitoring, active, closed
  bool include_removed = false;  // also risks no longer in the picture
  // Keyset: risks after (after_priority, after_id) in (in_picture desc, priority, id) order.
  std::optional<std::pair<int, std::string>> after;
  int limit = 50;
};

struct RiskLevelPoint {
  std::int64_t at_us = 0;
  domain::RiskLevels levels;
  std::optional<int> analyst_level;
  int effective_level = 0;
};

struct RiskSignalSummary {
  std::string id;
  std::string source;
  std::string external_id;
  std::string kind;
  std::string severity;
  std::string certainty;
  std::string urgency;
  std::string headline;
  std::string state;
  std::int64_t sent_us = 0;
  std::int64_t onset_us = -1;    // -1: none
  std::int64_t expires_us = -1;  // -1: none
};

struct RiskDetail {
  RiskRecord risk;
  std::vector<AssessmentRecord> assessments;  // newest first
  std::vector<RiskLevelPoint> levels;         // newest first
  std::vector<RiskSignalSummary> signals;     // the risk's listed signals, strongest first
};

struct PictureStateRecord {
  std::string picture;
  std::int64_t computed_us = 0;  // 0: never computed
  std::string computed_by;
  std::int64_t epoch = 0;
  domain::PictureCounts counts;
  int risks_in_picture = 0;
  double lag_seconds = 0;
};

struct SourceFreshnessRecord {
  std::string source;
  std::string partner;
  std::int64_t expected_interval_s = 0;
  std::optional<std::int64_t> last_signal_us;
};

// Everything GetRegionalStatus shows, read in one snapshot.
struct RegionalStatusRecord {
  std::string region;
  std::string region_name;
  std::int64_t now_us = 0;  // the database's clock
  PictureStateRecord picture;
  std::optional<RegionState> state;
  std::vector<RiskRecord> risks;  // in priority order
  std::vector<SourceFreshnessRecord> sources;
  LeaseInfo lease;
  int live_instances = 0;
};

}  // namespace vik::store
