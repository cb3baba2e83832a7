#pragma once

// What the leader lease (cluster/leader_lease.h) needs of the database: take, extend and give up
// the lease. No libpqxx here; store::Store implements it (pg_cluster.cc), tests use an in-memory
// fake (tests/support/fakes/fake_lease_store.h).
// Thread-safety: implementations are safe for concurrent use; every call may block on the database.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "store/cluster_records.h"

namespace vik::store {

class LeaseStore {
 public:
  virtual ~LeaseStore() = default;

  // Takes the lease if it is free or expired (by the database clock): the new epoch, or nullopt
  // when another holder's term is still running. The acquisition is audited in the same transaction.
  virtual core::Result<std::optional<std::int64_t>> AcquireLease(const std::string& lease, const std::string& holder,
                                                                 std::chrono::milliseconds ttl) = 0;
  // Extends the term; false when the lease was lost (expired or taken over).
  virtual core::Result<bool> RenewLease(const Fence& fence, std::chrono::milliseconds ttl) = 0;
  // Ends the term of `fence` at once (nothing when it no longer holds).
  virtual core::Status ReleaseLease(const Fence& fence) = 0;
};

}  // namespace vik::store
