#pragma once

// What the picture keeper (picture/picture_keeper.h) needs of the database: its warm-up, the
// sources, the change log after its cursor and the fenced write of a round. No libpqxx here;
// store::Store implements it (pg_picture.cc), tests use an in-memory fake
// (tests/support/fakes/fake_picture_store.h).
// Thread-safety: implementations are safe for concurrent use; every call may block on the database.

#include "core/clock.h"
#include "core/result.h"
#include "store/cluster_records.h"
#include "store/picture_records.h"

namespace vik::store {

class PictureStore {
 public:
  virtual ~PictureStore() = default;

  // Warm-up: one consistent snapshot of the signals that can contribute (window end after
  // `expiring_after`, open-ended signals starting after `open_after`), analyst levels, source
  // freshness, the risks as last written and the keeper's cursor.
  virtual core::Result<PictureWarmup> LoadPictureWarmup(core::WallTime expiring_after, core::WallTime open_after) = 0;
  // Every registered source with its expected interval and last signal (never: the epoch).
  virtual core::Result<std::vector<SourceSeen>> ReadPictureSources() = 0;
  // Final change-log rows after `after` (at most `limit`), with the signals and analyst levels they
  // name as stored now.
  virtual core::Result<PictureBatch> ReadPictureChanges(const ChangeCursor& after, int limit) = 0;
  // Writes one round (risks, level history and change-log rows, source freshness, counts, cursor)
  // in one transaction; FencedStatus (store/fence_status.h) and nothing written when `fence` no
  // longer holds the lease. UNKNOWN: in doubt (the round may or may not have been committed).
  virtual core::Status WritePicture(const Fence& fence, const PictureWrite& write) = 0;
};

}  // namespace vik::store
