#pragma once

// What the group-commit writer (ingest/batch_writer.h) needs of the store: one transaction per batch
// of signals. Implemented by store::Store (pg_ingest.cc); faked in tests/support/fakes/. No libpqxx.
// Thread-safety: implementations are safe for concurrent use; the call blocks on the database.

#include <string>
#include <vector>

#include "core/result.h"
#include "store/ingest_records.h"

namespace vik::store {

class SignalWriter {
 public:
  virtual ~SignalWriter() = default;

  // Stores `rows` and `audit` in one transaction: one result per row, in order. Rows already stored
  // come back as kDuplicate (same content hash) or kConflict (different content), with the original's
  // id. When the batch fails because of one row, each row is retried in its own transaction so that
  // one bad row never fails its neighbours (kFailed with the reason). A whole-batch error status
  // (UNAVAILABLE, UNKNOWN for an in-doubt commit, ...) means nothing of the batch is acknowledged
  // (an in-doubt batch may have been stored: the same rows again come back as kDuplicate).
  virtual core::Result<std::vector<WriteResult>> WriteSignals(const std::vector<SignalWrite>& rows,
                                                              const std::vector<AuditRecord>& audit,
                                                              const std::string& node_id) = 0;
};

}  // namespace vik::store
