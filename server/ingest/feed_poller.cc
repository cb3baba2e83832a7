#include "ingest/feed_poller.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "core/logging.h"
#include "metrics/declare.h"

namespace vik::ingest {
namespace {

double UnixSeconds(core::WallTime t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

double NowUnix() { return UnixSeconds(std::chrono::system_clock::now()); }

using store::IsFenced;
using Clock = std::chrono::steady_clock;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool HostAllowed(const std::string& host, const std::string& pattern) {
  const std::string h = Lower(host);
  const std::string p = Lower(pattern);
  if (p.rfind("*.", 0) == 0) {
    const std::string suffix = p.substr(1);  // ".domain"
    return h.size() > suffix.size() && h.compare(h.size() - suffix.size(), suffix.size(), suffix) == 0;
  }
  return h == p;
}

}  // namespace

LinkPolicy::LinkPolicy(const std::string& feed_url, std::vector<std::string> allowed)
    : allow_hosts(std::move(allowed)) {
  if (auto parsed = net::ParseUrl(feed_url); parsed.ok()) {
    origins.push_back(Lower(parsed->Origin()));
    https_only = parsed->https;
    if (!parsed->https) {
      // The same host upgraded to https (a common redirect) is the feed's own, too.
      net::Url upgraded = *parsed;
      upgraded.https = true;
      upgraded.port = "443";
      origins.push_back(Lower(upgraded.Origin()));
    }
  }
}

core::Status LinkPolicy::Check(const net::Url& link) const {
  const std::string origin = Lower(link.Origin());
  if (std::find(origins.begin(), origins.end(), origin) != origins.end()) {
    return core::Status::Ok();
  }
  for (const auto& pattern : allow_hosts) {
    if (HostAllowed(link.host, pattern)) {
      if (https_only && !link.https) {
        return core::PermissionDenied("link " + link.Origin() + link.target + " refused: http from an https feed");
      }
      return core::Status::Ok();
    }
  }
  return core::PermissionDenied("link " + link.Origin() + link.target + " refused: not on the feed's origin (" +
                                (origins.empty() ? std::string("?") : origins.front()) +
                                ") nor on a host allowed for the feed (vikd feed add --allow-hosts)");
}

FeedMetrics::FeedMetrics(prometheus::Registry& registry)
    : last_success(metrics::GaugeFamily(registry, "vik_feed_last_success_timestamp_seconds",
                                        "When the feed was last fetched and handled successfully (200 or 304)")),
      polls(
          metrics::CounterFamily(registry, "vik_feed_polls_total",
                                 "Feed polls by result: ok, not_modified, error (fetch), invalid (unparseable index)")),
      entries(metrics::CounterFamily(registry, "vik_feed_entries_total",
                                     "Feed entries handled, by outcome: accepted, duplicate, refused, conflict, "
                                     "foreign_sender, fetch_error, failed, deferred")),
      consecutive_errors(
          metrics::GaugeFamily(registry, "vik_feed_consecutive_errors", "Failed polls in a row (0 after a success)")) {}

std::chrono::milliseconds Backoff(std::chrono::milliseconds interval, int consecutive_errors,
                                  std::chrono::milliseconds max, double jitter) {
  const int doublings = std::clamp(consecutive_errors - 1, 0, 20);
  const double raw = static_cast<double>(interval.count()) * std::pow(2.0, doublings);
  const double capped = std::min(raw, static_cast<double>(max.count()));
  return std::chrono::milliseconds(static_cast<std::int64_t>(capped * std::clamp(jitter, 0.75, 1.0)));
}

FeedPoller::FeedPoller(FeedPollerOptions options, store::FeedStore& store, CapIngest& ingest,
                       prometheus::Registry& registry, std::string node_id)
    : options_(std::move(options)),
      store_(store),
      ingest_(ingest),
      metrics_(registry),
      node_id_(std::move(node_id)),
      http_(options_.fetch),
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
  // Longest-waiting first (ListFeeds orders by name): a feed that used its whole budget in the last
  // round is due again later than the feeds it delayed, so every feed gets its turn.
  std::stable_sort(due->begin(), due->end(), [](const store::FeedRecord& a, const store::FeedRecord& b) {
    return a.next_poll_at < b.next_poll_at;
  });
  for (const auto& feed : *due) {
    if (!keep_going()) {
      break;
    }
    const prometheus::Labels labels{{"feed", feed.config.name}};
    if (feed.last_success_at) {
      metrics_.last_success.Add(labels).Set(UnixSeconds(*feed.last_success_at));
    }
    metrics_.consecutive_errors.Add(labels).Set(feed.consecutive_errors);
    if (core::Status s = PollFeed(feed, fence, keep_going); IsFenced(s)) {
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
  poll.next_poll_in = Backoff(std::chrono::seconds(feed.config.interval_s), errors, options_.max_backoff, jitter(rng_));
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
  auto count = [&](const char* outcome) { metrics_.entries.Add({{"feed", name}, {"outcome", outcome}}).Increment(); };
  const auto deadline = Clock::now() + options_.feed_budget;  // this feed's budget for this poll
  // Every redirect of the index, every link and every redirect of a link must stay on the feed's
  // configured origin or a host allowed for the feed: a feed cannot make vikd fetch its own
  // /metrics, a private address or a cloud metadata service (the URL the index was finally served
  // from grants nothing).
  const LinkPolicy policy(feed.config.url, feed.config.allow_hosts);
  auto check = [&policy](const net::Url& u) { return policy.Check(u); };
  auto fetched = http_.Get({feed.config.url, feed.etag, feed.last_modified, check, deadline});
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
  const auto base = net::ParseUrl(fetched->url);  // parsed before it was fetched
  bool complete = true;                           // every entry handled for good: the validators may be kept
  std::size_t links = 0;
  std::set<std::string> handled = *seen;
  // Marks an entry refused for good; `fenced` is set when that write was fenced.
  core::Status fenced;
  auto refuse = [&](const cap::FeedEntry& entry, const std::string& key, const std::string& why) {
    count("refused");
    store::FeedEntryMark mark{name, key, entry.id, "refused", why};
    if (core::Status s = store_.MarkFeedEntry(fence, mark, node_id_); !s.ok()) {
      if (IsFenced(s)) {
        fenced = s;
      }
      complete = false;
    }
  };
  for (const auto& entry : parsed->entries) {
    const std::string key = entry.Key();
    if (handled.count(key) > 0) {
      continue;
    }
    if (!keep_going()) {
      complete = false;
      break;
    }
    handled.insert(key);
    std::string bytes;
    if (entry.inline_cap) {
      bytes = *entry.inline_cap;
    } else {
      if (links >= options_.max_links_per_poll || Clock::now() >= deadline) {
        count("deferred");
        complete = false;
        continue;
      }
      ++links;
      const std::string url = base.ok() ? net::ResolveUrl(*base, entry.link) : entry.link;
      auto link = net::ParseUrl(url);
      core::Status allowed = link.ok() ? policy.Check(*link) : link.status();
      if (!allowed.ok()) {
        refuse(entry, key, allowed.message());
        if (!fenced.ok()) {
          return fenced;
        }
        continue;
      }
      auto doc = http_.Get({url, "", "", check, deadline});
      if (doc.ok() && doc->not_modified) {
        doc = core::Unavailable("GET " + url + ": 304 to an unconditional request");
      }
      if (!doc.ok()) {
        const core::Status& error = doc.status();
        if (error.code() == core::StatusCode::kPermissionDenied) {  // a redirect not allowed
          refuse(entry, key, error.message());
          if (!fenced.ok()) {
            return fenced;
          }
          continue;
        }
        complete = false;
        if (error.code() == core::StatusCode::kDeadlineExceeded && Clock::now() >= deadline) {
          count("deferred");  // cut short by the budget: not the link's fault
          continue;
        }
        store::FeedEntryMark failure{name, key, entry.id, "", error.message()};
        auto attempts = store_.RecordFeedEntryFailure(fence, failure, options_.max_link_attempts, node_id_);
        if (!attempts.ok() && IsFenced(attempts.status())) {
          return attempts.status();
        }
        const bool gave_up = attempts.ok() && *attempts >= options_.max_link_attempts;
        count(gave_up ? "refused" : "fetch_error");
        if (gave_up) {
          core::LogWarn(*core::ModuleLogger("ingest"), "feed entry refused after repeated fetch failures",
                        {{"feed", name}, {"entry", entry.id}, {"attempts", *attempts}, {"error", error.message()}});
        }
        continue;
      }
      bytes = std::move(doc->body);
    }
    FeedEntryContext context{{name, key, entry.id, "", ""}, fence};
    const std::string via = "feed:" + name;
    CapSubmitResult r = ingest_.Process(feed.config.partner, via, "feed", bytes, via, &context);
    const core::StatusCode code = r.status.code();
    if (r.status.ok()) {
      // (CapIngest marks the sender fresh: vik_ingest_last_signal_timestamp_seconds.)
      count(r.outcome == ReceiptOutcome::kDuplicate ? "duplicate" : "accepted");
    } else if (IsFenced(r.status)) {
      return r.status;
    } else if (code == core::StatusCode::kAlreadyExists) {
      count("conflict");  // marked "refused" by the store with the message
    } else if (code == core::StatusCode::kInvalidArgument || code == core::StatusCode::kResourceExhausted) {
      refuse(entry, key, r.status.message());
      if (!fenced.ok()) {
        return fenced;
      }
    } else if (code == core::StatusCode::kPermissionDenied) {
      count("foreign_sender");  // not marked: registering the sender later lets it in
      complete = false;
    } else {
      // The database, or a constraint (the feed removed meanwhile): this entry only, next poll.
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
