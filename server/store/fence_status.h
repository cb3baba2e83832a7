#pragma once

// The status of a singleton write refused because its fence no longer holds (another instance took
// the lease, or this one's term ended). Produced only here, by the store's fence checks
// (pg_cluster.cc, pg_cap.cc, pg_feeds.cc), and recognised by IsFenced: the one signal on which a
// singleton job stops and the instance steps down. FAILED_PRECONDITION alone does not mean fenced:
// constraint violations (SQLSTATE class 23 other than 23505, pg_errors.cc) map to it as well.
// No libpqxx here. Thread-safety: pure functions.

#include <string>
#include <string_view>

#include "core/status.h"
#include "store/cluster_records.h"

namespace vik::store {

// The message prefix that marks a fenced write. Store messages from libpqxx errors always begin
// with the operation ("mark feed entry: ..."), never with this.
inline constexpr std::string_view kFencedMarker = "fenced: ";

inline core::Status FencedStatus(const Fence& fence) {
  return core::FailedPrecondition(std::string(kFencedMarker) + fence.holder + " no longer holds lease \"" +
                                  fence.lease + "\" with epoch " + std::to_string(fence.epoch));
}

// True only for FencedStatus (also with context prepended by Status::WithContext).
inline bool IsFenced(const core::Status& s) {
  if (s.code() != core::StatusCode::kFailedPrecondition) {
    return false;
  }
  const std::string& m = s.message();
  return m.rfind(kFencedMarker, 0) == 0 || m.find(": " + std::string(kFencedMarker)) != std::string::npos;
}

}  // namespace vik::store
