#pragma once

// What the CAP feed poller (ingest/feed_poller.h) needs of the store: the due feeds, which entries
// are marked already, and its fenced writes (entry marks, failures, poll outcomes). Implemented by
// store::Store (pg_feeds.cc). No libpqxx. (Adding and removing feeds is administration, not here.)
// Thread-safety: implementations are safe for concurrent use; every call blocks on the database.

#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/cluster_records.h"
#include "store/ingest_records.h"

namespace vik::store {

class FeedStore {
 public:
  virtual ~FeedStore() = default;

  // All feeds with their state, or (`due_only`) the enabled ones whose next poll is due (by the
  // database clock).
  virtual core::Result<std::vector<FeedRecord>> ListFeeds(bool due_only) = 0;
  // The entry keys among `keys` that `feed` has marked already.
  virtual core::Result<std::set<std::string>> SeenFeedEntries(const std::string& feed,
                                                              const std::vector<std::string>& keys) = 0;
  // Marks an entry without a message (refused). FAILED_PRECONDITION ("fenced", store::IsFenced)
  // when `fence` no longer holds the lease; nothing is written then. (Entries with a message are
  // marked by CapStore::WriteCapMessage, CapMessageWrite::feed_entry.)
  virtual core::Status MarkFeedEntry(const Fence& fence, const FeedEntryMark& mark, const std::string& node_id) = 0;
  // Records a poll's outcome (validators, errors, next poll), fenced like MarkFeedEntry.
  virtual core::Status RecordFeedPoll(const Fence& fence, const FeedPollRecord& poll) = 0;
  // Counts a failed attempt at an entry (`mark.detail`: the error), fenced; after `max_attempts`
  // the entry is marked "refused" (giving up, with the error) in the same transaction. Returns the
  // attempts so far.
  virtual core::Result<int> RecordFeedEntryFailure(const Fence& fence, const FeedEntryMark& mark, int max_attempts,
                                                   const std::string& node_id) = 0;
};

}  // namespace vik::store
