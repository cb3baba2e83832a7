#pragma once

// The status of a singleton write refused because its fence no longer holds (another instance took
// the lease, or this one's term ended). Produced only here, by the store's fence checks
// (pg_cluster.cc, pg_cap.cc, pg_feeds.cc), and recognised by IsFenced through its typed reason
// (core::StatusReason::kFenced): the one signal on which a singleton job stops and the instance
// steps down. FAILED_PRECONDITION alone does not mean fenced:
// constraint violations (SQLSTATE class 23 other than 23505, pg_errors.cc) map to it as well.
// No libpqxx here. Thread-safety: pure functions.

#include <string>

#include "core/status.h"
#include "store/cluster_records.h"

namespace vik::store {

inline core::Status FencedStatus(const Fence& fence) {
  return {core::StatusCode::kFailedPrecondition, core::StatusReason::kFenced,
          "fenced: " + fence.holder + " no longer holds lease \"" + fence.lease + "\" with epoch " +
              std::to_string(fence.epoch)};
}

// True only for FencedStatus (also with context prepended by Status::WithContext): decided on the
// typed reason, never on the message.
inline bool IsFenced(const core::Status& s) { return s.reason() == core::StatusReason::kFenced; }

}  // namespace vik::store
