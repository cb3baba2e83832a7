#pragma once

// Transaction building blocks shared by the ingest paths (pg_ingest.cc, pg_cap.cc). Store-internal:
// only server/store/ includes this (it includes libpqxx).

#include <string>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

#include "core/clock.h"
#include "core/status.h"
#include "store/cluster_records.h"
#include "store/ingest_records.h"

namespace vik::store {

// Inserts `rows` (ON CONFLICT DO NOTHING) and looks up the ones that were already stored: one result
// per row. A non-empty `cap_message_id` links the rows to that CAP message (SignalWrite::cap_info_index)
// whose identifier is `cap_identifier`. References parked for a new row end it on arrival.
std::vector<WriteResult> InsertSignals(pqxx::work& w, const std::vector<SignalWrite>& rows, const std::string& node_id,
                                       const std::string& cap_message_id = "", const std::string& cap_identifier = "");

// What a cancel or update does to the signals it references.
struct ReferenceEffect {
  std::string partner;  // the referrer's partner: only its signals are ended
  std::string source;
  std::string identifier;  // CAP identifier or signal external_id
  std::string action;      // "cancel" or "update"
  std::string status;      // the referrer's status: only signals of this status are ended
  std::string ended_by;    // "cap:<message id>" or "signal:<signal id>"
  core::WallTime ended_at;
};

struct ReferenceOutcome {
  int ended = 0;                     // signals cancelled or superseded now
  int parked = 0;                    // references to what has not arrived yet
  std::vector<std::size_t> dropped;  // indexes into `refs` not parked: the partner's quota was full
};

// `max_parked`: open parked references a partner may have (StoreOptions::max_pending_references).
ReferenceOutcome ApplyReferences(pqxx::work& w, const std::vector<ReferenceEffect>& refs, std::size_t max_parked);

// The receipt warning for `count` references of `partner` dropped by the quota.
std::string DroppedReferencesWarning(const std::string& path, std::size_t count, const std::string& partner,
                                     std::size_t max_parked);

// Marks the references parked for the CAP message (source, identifier) as resolved (its signals
// were ended on insert).
void ResolvePendingReferences(pqxx::work& w, const std::string& source, const std::string& identifier);

void InsertAudit(pqxx::work& w, const std::vector<AuditRecord>& audit);

// Share-locks the lease row for the rest of the transaction when `fence` still holds the lease;
// FencedStatus otherwise (the caller must not write then).
core::Status CheckFence(pqxx::work& w, const Fence& fence);

}  // namespace vik::store
