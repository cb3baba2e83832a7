#pragma once

// What CAP ingest (ingest/cap_ingest.h) needs of the store: a CAP message with its signals in one
// transaction, and audit records for the calls refused before that. Implemented by store::Store
// (pg_cap.cc, pg_ingest.cc). No libpqxx.
// Thread-safety: implementations are safe for concurrent use; every call blocks on the database.

#include <string>
#include <vector>

#include "core/result.h"
#include "store/ingest_records.h"

namespace vik::store {

class CapStore {
 public:
  virtual ~CapStore() = default;

  // Stores the message verbatim and its signals, applies its references (cancel/update) and any
  // parked references to it, and appends `audit`, all in one transaction. The same (source,
  // identifier) again: kDuplicate with the stored signals when the bytes are identical, kConflict
  // otherwise (nothing written but the audit). Whole-call errors as SignalWriter::WriteSignals. With
  // `message.fence` set, FAILED_PRECONDITION ("fenced", store::IsFenced) and nothing written when
  // the fence no longer holds; with `message.feed_entry` set, the entry is marked (accepted,
  // duplicate, or refused for a conflict) in the same transaction.
  virtual core::Result<CapWriteResult> WriteCapMessage(const CapMessageWrite& message,
                                                       const std::vector<AuditRecord>& audit,
                                                       const std::string& node_id) = 0;
  // Appends audit records in one transaction.
  virtual core::Status AppendAudit(const std::vector<AuditRecord>& audit) = 0;
};

}  // namespace vik::store
