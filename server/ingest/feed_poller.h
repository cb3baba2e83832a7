#pragma once

// CAP feed polling, a singleton job of the leader. One Poll round handles every due feed (enabled,
// next_poll_at passed, by the database clock):
//   conditional GET (the stored ETag / Last-Modified) -> 304: nothing to do
//   -> parse the index (cap/feed.h) -> drop the entry versions already marked in cap_feed_entries
//   -> for each new entry: its inline alert, or GET its link (at most max_links_per_poll per feed
//      and round, within the feed's time budget; the rest wait for the next round)
//      -> CapIngest::Process with the entry mark and the fence, so the message and the mark commit
//      together or not at all
//   -> record the poll (validators, next poll) fenced.
// Links are resolved against the feed's URL (RFC 3986) and fetched only on the feed's own origin
// or a host the feed allows (LinkPolicy), redirects included and never from https to http: the
// feed's publisher does not choose what this server connects to.
// Entries refused for good (invalid CAP, a conflicting identifier, a link not allowed, a link that
// failed max_link_attempts times) are marked "refused" so they are not fetched again; entries that
// failed for a passing reason (network, database, a sender not registered yet) are not marked and
// the feed's validators are not stored, so the next round fetches the index in full and tries them
// again. Errors back off exponentially (the feed's interval doubled per consecutive error, at most
// max_backoff, with jitter). Due feeds are polled longest-waiting first, so a slow feed (bounded
// by its budget) cannot starve the others.
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
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "cap/feed.h"
#include "core/status.h"
#include "ingest/cap_ingest.h"
#include "net/http_client.h"
#include "store/feed_store.h"
#include "store/fence_status.h"

namespace vik::ingest {

struct FeedPollerOptions {
  net::FetchOptions fetch;
  cap::FeedLimits limits;
  std::size_t max_links_per_poll = 50;
  // The most one poll of one feed may take (index and linked documents); the entries not reached
  // wait for the next poll.
  std::chrono::milliseconds feed_budget{60 * 1000};
  // Failed fetches of an entry's link before it is marked refused.
  int max_link_attempts = 5;
  std::chrono::milliseconds max_backoff{15 * 60 * 1000};
};

// Which URLs a feed may make this server fetch (its index's redirects, its entries' links and their
// redirects): those on the feed's own origin (scheme, host and port of its configured URL; an http
// feed's host over https on 443 too), and those on an allowed host ("host" or "*.domain", any
// port), but from an https feed only over https. Where a redirect was served from grants nothing.
struct LinkPolicy {
  LinkPolicy(const std::string& feed_url, std::vector<std::string> allow_hosts);
  // OK, or PERMISSION_DENIED naming the origin and why.
  core::Status Check(const net::Url& link) const;

  std::vector<std::string> origins;  // lower case
  std::vector<std::string> allow_hosts;
  bool https_only = false;
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
  FeedPoller(FeedPollerOptions options, store::FeedStore& store, CapIngest& ingest, prometheus::Registry& registry,
             std::string node_id);

  // One round under `fence`. `keep_going` is asked between feeds and entries (stop when draining or
  // no longer leader). A store::IsFenced status when a write was fenced (the caller steps down);
  // other errors (a constraint violation when the feed is removed mid-poll, the network, the
  // database) are per entry or feed and recorded, not returned.
  core::Status Poll(const store::Fence& fence, const std::function<bool()>& keep_going);

 private:
  core::Status PollFeed(const store::FeedRecord& feed, const store::Fence& fence,
                        const std::function<bool()>& keep_going);
  core::Status Fail(const store::FeedRecord& feed, const store::Fence& fence, const char* result,
                    const std::string& error);

  const FeedPollerOptions options_;
  store::FeedStore& store_;
  CapIngest& ingest_;
  FeedMetrics metrics_;
  const std::string node_id_;
  net::HttpClient http_;
  std::atomic<bool> running_{false};
  std::mt19937 rng_;  // used by the one running round only
};

}  // namespace vik::ingest
