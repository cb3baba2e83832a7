#pragma once

// CAP feed polling, a singleton job of the leader. One Poll round handles every due feed (enabled,
// next_poll_at passed, by the database clock):
//   conditional GET (the stored ETag / Last-Modified) -> 304: nothing to do
//   -> parse the index (cap/feed.h) -> drop the entry versions already marked in cap_feed_entries
//   -> for each new entry: its inline alert, or GET its link (at most max_links_per_poll per feed
//      and round; the rest wait for the next round) -> CapIngest::Process with the entry mark and
//      the fence, so the message and the mark commit together or not at all
//   -> record the poll (validators, next poll) fenced.
// Entries refused for good (invalid CAP, a conflicting identifier) are marked "refused" so they are
// not fetched again; entries that failed for a passing reason (network, database, a sender not
// registered yet) are not marked and the feed's validators are not stored, so the next round
// fetches the index in full and tries them again. Errors back off exponentially (the feed's
// interval doubled per consecutive error, at most max_backoff, with jitter).
// A failover neither skips nor re-ingests: marks and messages commit together under the fence, and
// the next leader starts from the same rows.
// Thread-safety: Poll may be called from any thread; concurrent calls are skipped (one round at a
// time). Blocks on the network and the database (a blocking-pool thread).

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "cap/feed.h"
#include "core/status.h"
#include "ingest/cap_ingest.h"
#include "ingest/feed_fetcher.h"
#include "store/store.h"

namespace vik::ingest {

struct FeedPollerOptions {
  FetchOptions fetch;
  cap::FeedLimits limits;
  std::size_t max_links_per_poll = 50;
  std::chrono::milliseconds max_backoff{15 * 60 * 1000};
};

struct FeedMetrics {
  explicit FeedMetrics(prometheus::Registry& registry);
  prometheus::Family<prometheus::Gauge>& last_success;        // feed
  prometheus::Family<prometheus::Counter>& polls;             // feed, result
  prometheus::Family<prometheus::Counter>& entries;           // feed, outcome
  prometheus::Family<prometheus::Gauge>& consecutive_errors;  // feed
};

// The delay before the next attempt after `consecutive_errors` (>= 1) errors in a row: the interval
// doubled per error, at most `max`, then scaled by `jitter` in [0.75, 1]. Pure.
std::chrono::milliseconds Backoff(std::chrono::milliseconds interval, int consecutive_errors,
                                  std::chrono::milliseconds max, double jitter);

class FeedPoller {
 public:
  FeedPoller(FeedPollerOptions options, store::Store& store, CapIngest& ingest, prometheus::Registry& registry,
             std::string node_id);

  // One round under `fence`. `keep_going` is asked between feeds and entries (stop when draining or
  // no longer leader). FAILED_PRECONDITION when a write was fenced (the caller steps down); other
  // errors are per feed and recorded, not returned.
  core::Status Poll(const store::Fence& fence, const std::function<bool()>& keep_going);

 private:
  core::Status PollFeed(const store::FeedRecord& feed, const store::Fence& fence,
                        const std::function<bool()>& keep_going);
  core::Status Fail(const store::FeedRecord& feed, const store::Fence& fence, const char* result,
                    const std::string& error);

  const FeedPollerOptions options_;
  store::Store& store_;
  CapIngest& ingest_;
  FeedMetrics metrics_;
  const std::string node_id_;
  FeedFetcher fetcher_;
  std::atomic<bool> running_{false};
  std::mt19937 rng_;  // used by the one running round only
};

}  // namespace vik::ingest
