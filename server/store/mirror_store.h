#pragma once

// What the leader's peer followers need of the database: the mirror of each followed peer
// (federation/peer_mirror.h) and this node's own feed for the peers it pushes to
// (federation/feed_pusher.h). No libpqxx here; store::Store implements both (pg_mirror.cc,
// pg_changes.cc), tests use in-memory fakes (tests/support/fakes/fake_mirror_store.h).
// Thread-safety: implementations are safe for concurrent use; every call may block on the database.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/change_records.h"
#include "store/cluster_records.h"
#include "store/mirror_records.h"

namespace vik::store {

// The mirror's side of a peer follower. Every write creates the peer's row when missing and, with
// `fence`, is refused (FencedStatus, nothing written) when the fence no longer holds the lease.
class MirrorStore {
 public:
  virtual ~MirrorStore() = default;

  // The peers named in `names` that have a row.
  virtual core::Result<std::vector<PeerRecord>> ReadPeers(const std::vector<std::string>& names) = 0;
  // Replaces the peer's risks and region state and sets its cursor; ABORTED when
  // `snapshot.from_cursor` is set and the stored cursor is another; ALREADY_EXISTS when another
  // peer already mirrors the same region.
  virtual core::Status ApplyMirrorSnapshot(const std::optional<Fence>& fence, const std::string& endpoint,
                                           const MirrorSnapshot& snapshot) = 0;
  // Applies a page and moves the cursor in one transaction; ABORTED (nothing written) when the
  // stored cursor is no longer `apply.from_cursor`.
  virtual core::Status ApplyMirrorChanges(const std::optional<Fence>& fence, const std::string& endpoint,
                                          const MirrorApply& apply) = 0;
  // A successful call with nothing to apply; `status` (binary vik.v1.RegionalStatus) when fetched.
  virtual core::Status RecordPeerContact(const std::optional<Fence>& fence, const std::string& peer,
                                         const std::string& endpoint, const std::optional<std::string>& status) = 0;
  // The peer's status fetched while its feed fails: stored, but neither contact nor error changes.
  virtual core::Status RecordPeerStatus(const Fence& fence, const std::string& peer, const std::string& endpoint,
                                        const std::string& status) = 0;
  // A failed call; `resync` forgets the cursor so that the next attempt starts from a snapshot.
  virtual core::Status RecordPeerError(const std::optional<Fence>& fence, const std::string& peer,
                                       const std::string& endpoint, const std::string& error, bool resync) = 0;
};

// This node's own change feed as a pusher reads it (docs/exchange.md).
class ChangeFeedStore {
 public:
  virtual ~ChangeFeedStore() = default;

  // At most `limit` final changes after `after` (none: from the oldest kept), with their bodies.
  // OUT_OF_RANGE when `after` is outside the change log.
  virtual core::Result<ChangePage> ReadChanges(const std::optional<ChangeCursor>& after, int limit,
                                               const std::string& region) = 0;
  // The status of `picture` with every risk, and the cursor to follow the feed from.
  virtual core::Result<SnapshotRecord> ReadSnapshot(const std::string& region, const std::string& picture,
                                                    const std::string& lease, std::chrono::seconds live_window) = 0;
};

}  // namespace vik::store
