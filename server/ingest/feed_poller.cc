#include "ingest/feed_poller.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/logging.h"

namespace vik::ingest {
namespace {

double UnixSeconds(core::WallTime t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

double NowUnix() { return UnixSeconds(std::chrono::system_clock::now()); }

bool Fenced(const core::Status& s) { return s.code() == core::StatusCode::kFailedPrecondition; }

}  // namespace

FeedMetrics::FeedMetrics(prometheus::Registry& registry)
    : last_success(prometheus::BuildGauge()
                       .Name("vik_feed_last_success_timestamp_seconds")
                       .Help("When the feed was last fetched and handled successfully (200 or 304)")
                       .Register(registry)),
      polls(prometheus::BuildCounter()
                .Name("vik_feed_polls_total")
                .Help("Feed polls by result: ok, not_modified, error (fetch), invalid (unparseable index)")
                .Register(registry)),
      entries(prometheus::BuildCounter()
                  .Name("vik_feed_entries_total")
                  .Help("Feed entries handled, by outcome: accepted, duplicate, refused, conflict, "
                        "foreign_sender, fetch_error, failed, deferred")
                  .Register(registry)),
      consecutive_errors(prometheus::BuildGauge()
                             .Name("vik_feed_consecutive_errors")
                             .Help("Failed polls in a row (0 after a success)")
                             .Register(registry)) {}

std::chrono::milliseconds Backoff(std::chrono::milliseconds interval, int consecutive_errors,
                                  std::chrono::milliseconds max, double jitter) {
  const int doublings = std::clamp(consecutive_errors - 1, 0, 20);
  const double raw = static_cast<double>(interval.count()) * std::pow(2.0, doublings);
  const double capped = std::min(raw, static_cast<double>(max.count()));
  return std::chrono::milliseconds(static_cast<std::int64_t>(capped * std::clamp(jitter, 0.75, 1.0)));
}

FeedPoller::FeedPoller(FeedPollerOptions options, store::Store& store, CapIngest& ingest,
                       prometheus::Registry& registry, std::string node_id)
    : options_(std::move(options)),
      store_(store),
      ingest_(ingest),
      metrics_(registry),
      node_id_(std::move(node_id)),
      fetcher_(options_.fetch),
      rng_(std::random_device{}()) {}

core::Status FeedPoller::Poll(const store::Fence& fence, const std::function<bool()>& keep_going) {
  if (running_.exchange(true)) {
    return core::Status::Ok();
  }
  struct Done {
    std::atomic<bool>& flag;
    ~Done() { flag = false; }
  } done{running_};

  auto due = store_.ListFeeds(/*due_only=*/true);
  if (!due.ok()) {
    return core::Status::Ok();  // the database is away; the next round tries again
  }
  for (const auto& feed : *due) {
    if (!keep_going()) {
      break;
    }
    const prometheus::Labels labels{{"feed", feed.config.name}};
    if (feed.last_success_at) {
      metrics_.last_success.Add(labels).Set(UnixSeconds(*feed.last_success_at));
    }
    metrics_.consecutive_errors.Add(labels).Set(feed.consecutive_errors);
    if (core::Status s = PollFeed(feed, fence, keep_going); Fenced(s)) {
      return s;
    }
  }
  return core::Status::Ok();
}

core::Status FeedPoller::Fail(const store::FeedRecord& feed, const store::Fence& fence, const char* result,
                              const std::string& error) {
  const int errors = feed.consecutive_errors + 1;
  std::uniform_real_distribution<double> jitter(0.75, 1.0);
  store::FeedPollRecord poll;
  poll.feed = feed.config.name;
  poll.ok = false;
  poll.error = error;
  poll.next_poll_in =
      Backoff(std::chrono::seconds(feed.config.interval_s), errors, options_.max_backoff, jitter(rng_));
  const prometheus::Labels labels{{"feed", feed.config.name}};
  metrics_.polls.Add({{"feed", feed.config.name}, {"result", result}}).Increment();
  metrics_.consecutive_errors.Add(labels).Set(errors);
  if (errors == 1 || errors % 10 == 0) {
    core::LogWarn(*core::ModuleLogger("ingest"), "feed poll failed",
                  {{"feed", feed.config.name},
                   {"error", error},
                   {"consecutive_errors", errors},
                   {"retry_in_ms", static_cast<std::int64_t>(poll.next_poll_in.count())}});
  }
  return store_.RecordFeedPoll(fence, poll);
}

core::Status FeedPoller::PollFeed(const store::FeedRecord& feed, const store::Fence& fence,
                                  const std::function<bool()>& keep_going) {
  const std::string& name = feed.config.name;
  auto count = [&](const char* outcome) {
    metrics_.entries.Add({{"feed", name}, {"outcome", outcome}}).Increment();
  };
  auto fetched = fetcher_.Get({feed.config.url, feed.etag, feed.last_modified});
  if (!fetched.ok()) {
    return Fail(feed, fence, "error", fetched.status().message());
  }
  store::FeedPollRecord poll;
  poll.feed = name;
  poll.ok = true;
  poll.next_poll_in = std::chrono::seconds(feed.config.interval_s);
  if (fetched->not_modified) {
    poll.etag = feed.etag;
    poll.last_modified = feed.last_modified;
    if (core::Status s = store_.RecordFeedPoll(fence, poll); !s.ok()) {
      return s;
    }
    metrics_.polls.Add({{"feed", name}, {"result", "not_modified"}}).Increment();
    metrics_.last_success.Add({{"feed", name}}).Set(NowUnix());
    metrics_.consecutive_errors.Add({{"feed", name}}).Set(0);
    return core::Status::Ok();
  }
  auto parsed = cap::ParseFeed(fetched->body, options_.limits);
  if (!parsed.ok()) {
    return Fail(feed, fence, "invalid", parsed.status().message());
  }

  std::vector<std::string> keys;
  for (const auto& e : parsed->entries) {
    keys.push_back(e.Key());
  }
  auto seen = store_.SeenFeedEntries(name, keys);
  if (!seen.ok()) {
    return Fail(feed, fence, "error", seen.status().message());
  }
  const auto base = ParseUrl(fetched->url);
  bool complete = true;  // every entry handled for good: the validators may be kept
  std::size_t links = 0;
  std::set<std::string> handled = *seen;
  for (const auto& entry : parsed->entries) {
    const std::string key = entry.Key();
    if (handled.count(key) > 0) {
      continue;
    }
    if (!keep_going()) {
      complete = false;
      break;
    }
    std::string bytes;
    if (entry.inline_cap) {
      bytes = *entry.inline_cap;
    } else {
      if (links >= options_.max_links_per_poll) {
        count("deferred");
        complete = false;
        continue;
      }
      ++links;
      const std::string url = base.ok() ? ResolveUrl(*base, entry.link) : entry.link;
      auto doc = fetcher_.Get({url, "", ""});
      if (!doc.ok() || doc->not_modified) {
        count("fetch_error");
        complete = false;
        continue;
      }
      bytes = std::move(doc->body);
    }
    FeedEntryContext context{{name, key, entry.id, "", ""}, fence};
    const std::string via = "feed:" + name;
    CapSubmitResult r = ingest_.Process(feed.config.partner, via, "feed", bytes, via, &context);
    handled.insert(key);
    const core::StatusCode code = r.status.code();
    if (r.status.ok()) {
      // (CapIngest marks the sender fresh: vik_ingest_last_signal_timestamp_seconds.)
      count(r.outcome == ReceiptOutcome::kDuplicate ? "duplicate" : "accepted");
    } else if (Fenced(r.status)) {
      return r.status;
    } else if (code == core::StatusCode::kAlreadyExists) {
      count("conflict");  // marked "refused" by the store with the message
    } else if (code == core::StatusCode::kInvalidArgument || code == core::StatusCode::kResourceExhausted) {
      count("refused");
      store::FeedEntryMark mark{name, key, entry.id, "refused", r.status.message()};
      if (core::Status s = store_.MarkFeedEntry(fence, mark, node_id_); !s.ok()) {
        if (Fenced(s)) {
          return s;
        }
        complete = false;
      }
    } else if (code == core::StatusCode::kPermissionDenied) {
      count("foreign_sender");  // not marked: registering the sender later lets it in
      complete = false;
    } else {
      count("failed");
      complete = false;
    }
  }
  if (complete) {
    poll.etag = fetched->etag;
    poll.last_modified = fetched->last_modified;
  }
  if (core::Status s = store_.RecordFeedPoll(fence, poll); !s.ok()) {
    return s;
  }
  metrics_.polls.Add({{"feed", name}, {"result", "ok"}}).Increment();
  metrics_.last_success.Add({{"feed", name}}).Set(NowUnix());
  metrics_.consecutive_errors.Add({{"feed", name}}).Set(0);
  return core::Status::Ok();
}

}  // namespace vik::ingest
