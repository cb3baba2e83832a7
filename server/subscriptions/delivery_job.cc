#include "subscriptions/delivery_job.h"

#include <condition_variable>
#include <mutex>

#include <google/protobuf/util/json_util.h>

#include "core/logging.h"
#include "domain/change_filter.h"
#include "metrics/declare.h"
#include "store/fence_status.h"
#include "subscriptions/retry_schedule.h"
#include "subscriptions/webhook_signature.h"
#include "wire/change_filters.h"
#include "wire/change_mapping.h"

namespace vik::subscriptions {
namespace {

net::FetchOptions ClientOptions(const DeliveryOptions& o) {
  net::FetchOptions f;
  f.total_timeout = o.timeout;
  f.connect_timeout = o.timeout;
  f.max_bytes = o.max_response_bytes;
  f.max_redirects = 0;
  f.user_agent = o.user_agent;
  return f;
}

struct Subscriber {
  std::string id;
  domain::ChangeFilter filter;
  std::int64_t created_us = 0;
};

}  // namespace

DeliveryMetrics::DeliveryMetrics(prometheus::Registry& registry)
    : deliveries(metrics::CounterFamily(
          registry, "vik_webhook_deliveries_total",
          "Webhook delivery attempts by result: delivered, retry (failed, tried again later), dead")),
      delivery_seconds(metrics::Histogram(
          registry, "vik_webhook_delivery_seconds", "Duration of one webhook POST, connect to response",
          metrics::Buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30})),
      enqueued(metrics::Counter(registry, "vik_webhook_enqueued_total",
                                "Webhook deliveries enqueued (a change matching a subscription)")),
      changes_skipped(
          metrics::Counter(registry, "vik_webhook_cursor_resets_total",
                           "Times the delivery job's cursor fell out of the change log and restarted at the "
                           "oldest change kept (changes in between were not delivered)")),
      pending(metrics::Gauge(registry, "vik_webhook_pending",
                             "Webhook deliveries waiting to be sent or retried (leader only)")),
      dead(metrics::Gauge(registry, "vik_webhook_dead",
                          "Webhook deliveries given up (dead letters kept, re-queueable; leader only)")) {
  for (const char* result : {"delivered", "retry", "dead"}) {
    deliveries.Add({{"result", result}});
  }
}

DeliveryJob::DeliveryJob(store::DeliveryStore& store, core::BlockingPool& senders, const core::Clock& clock,
                         DeliveryOptions options, std::shared_ptr<spdlog::logger> log, DeliveryMetrics& metrics,
                         Post post)
    : store_(store),
      senders_(senders),
      clock_(clock),
      options_(std::move(options)),
      log_(std::move(log)),
      metrics_(metrics),
      client_(ClientOptions(options_)),
      post_(std::move(post)),
      random_(std::random_device{}()) {
  if (!post_) {
    post_ = [this](const net::PostRequest& request) { return client_.Post(request); };
  }
}

core::Status DeliveryJob::Round(const store::Fence& fence, const std::function<bool()>& keep_going) {
  if (core::Status s = Enqueue(fence, keep_going); !s.ok()) {
    return s;
  }
  if (core::Status s = Send(fence, keep_going); !s.ok()) {
    return s;
  }
  if (rounds_++ % 30 == 0 && options_.retention.count() > 0) {
    auto pruned = store_.PruneDeliveries(fence, clock_.Now() - options_.retention, 10000);
    if (!pruned.ok()) {
      return pruned.status();
    }
  }
  auto counts = store_.CountDeliveries();
  if (!counts.ok()) {
    return counts.status();
  }
  metrics_.pending.Set(static_cast<double>(counts->pending));
  metrics_.dead.Set(static_cast<double>(counts->dead));
  return core::Status::Ok();
}

void DeliveryJob::Idle() {
  metrics_.pending.Set(0);
  metrics_.dead.Set(0);
}

core::Status DeliveryJob::Enqueue(const store::Fence& fence, const std::function<bool()>& keep_going) {
  auto records = store_.ListSubscriptionFilters();
  if (!records.ok()) {
    return records.status();
  }
  std::vector<Subscriber> subscribers;
  for (const auto& r : *records) {
    vik::v1::ChangeFilter proto;
    auto filter = google::protobuf::util::JsonStringToMessage(r.filter_json, &proto).ok()
                      ? wire::FilterFromProto(proto)
                      : core::Result<domain::ChangeFilter>(core::InvalidArgument("not a ChangeFilter"));
    if (!filter.ok()) {
      // Stored filters are validated on creation; one that no longer parses is skipped, logged once.
      if (bad_filters_logged_[r.id] != r.filter_json) {
        bad_filters_logged_[r.id] = r.filter_json;
        core::LogError(*log_, "subscription filter unusable; skipping the subscription",
                       {{"subscription", r.id}, {"error", filter.status().message()}});
      }
      continue;
    }
    subscribers.push_back({r.id, std::move(filter).value(), r.created_us});
  }
  auto cursor = store_.ReadSubscriptionCursor();
  if (!cursor.ok()) {
    return cursor.status();
  }
  std::optional<store::ChangeCursor> from = *cursor;
  for (int page_no = 0; page_no < options_.max_pages && keep_going(); ++page_no) {
    auto page = store_.ReadChanges(from, options_.page_limit, options_.region);
    if (!page.ok() && page.status().code() == core::StatusCode::kOutOfRange) {
      metrics_.changes_skipped.Increment();
      core::LogError(*log_, "webhook cursor is outside the change log; restarting at the oldest change kept",
                     {{"error", page.status().message()}});
      from.reset();
      page = store_.ReadChanges(from, options_.page_limit, options_.region);
    }
    if (!page.ok()) {
      return page.status();
    }
    std::vector<store::DeliveryEnqueue> deliveries;
    vik::v1::Change change;
    for (const auto& c : page->changes) {
      change.Clear();
      wire::ToProtoChange(*page, c, &change);
      const domain::ChangeFacts facts = wire::FactsOf(change);
      std::string body;
      for (const auto& s : subscribers) {
        if (c.at_us < s.created_us || !domain::Matches(s.filter, facts)) {
          continue;
        }
        if (body.empty()) {
          body = wire::ChangeJson(change);
        }
        deliveries.push_back({s.id, c.cursor, c.at_us, c.kind, c.object, body});
      }
    }
    if (page->next == from && deliveries.empty()) {
      break;  // nothing new
    }
    if (core::Status s = store_.EnqueueDeliveries(fence, page->next, deliveries, options_.max_pending); !s.ok()) {
      return s;
    }
    metrics_.enqueued.Increment(static_cast<double>(deliveries.size()));
    from = page->next;
    if (!page->more) {
      break;
    }
  }
  return core::Status::Ok();
}

core::Status DeliveryJob::Send(const store::Fence& fence, const std::function<bool()>& keep_going) {
  const auto deadline = std::chrono::steady_clock::now() + options_.round_budget;
  int attempted = 0;
  while (attempted < options_.max_deliveries && std::chrono::steady_clock::now() < deadline && keep_going()) {
    auto due = store_.ReadDueDeliveries(std::min(options_.max_deliveries - attempted, 100));
    if (!due.ok()) {
      return due.status();
    }
    if (due->empty()) {
      break;
    }
    const auto outcomes = SendWave(*due, deadline);
    if (outcomes.empty()) {
      break;  // the sender pool refused everything (shutting down)
    }
    attempted += static_cast<int>(outcomes.size());
    if (core::Status s = store_.RecordDeliveries(fence, outcomes, options_.max_attempts); !s.ok()) {
      return s;
    }
    for (const auto& o : outcomes) {
      const char* result = o.delivered ? "delivered" : o.retry_after_ms < 0 ? "dead" : "retry";
      metrics_.deliveries.Add({{"result", result}}).Increment();
    }
  }
  return core::Status::Ok();
}

std::vector<store::DeliveryOutcome> DeliveryJob::SendWave(const std::vector<store::DueDelivery>& due,
                                                          std::chrono::steady_clock::time_point deadline) {
  std::mutex mu;
  std::condition_variable done;
  std::vector<std::optional<store::DeliveryOutcome>> results(due.size());
  std::size_t outstanding = 0;
  for (std::size_t i = 0; i < due.size(); ++i) {
    ++outstanding;
    const bool queued = senders_.TrySubmit([&, i] {
      auto outcome = SendOne(due[i], deadline);
      std::lock_guard lock(mu);
      results[i] = std::move(outcome);
      if (--outstanding == 0) {
        done.notify_one();
      }
    });
    if (!queued) {
      std::lock_guard lock(mu);
      --outstanding;
    }
  }
  std::unique_lock lock(mu);
  done.wait(lock, [&] { return outstanding == 0; });
  std::vector<store::DeliveryOutcome> out;
  for (auto& r : results) {
    if (r) {
      out.push_back(std::move(*r));
    }
  }
  return out;
}

store::DeliveryOutcome DeliveryJob::SendOne(const store::DueDelivery& d,
                                            std::chrono::steady_clock::time_point deadline) {
  const std::string timestamp =
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count());
  net::PostRequest request;
  request.url = d.url;
  request.body = d.body;
  request.headers = {{"Vik-Delivery-Id", d.id},
                     {"Vik-Subscription-Id", d.subscription},
                     {"Vik-Timestamp", timestamp},
                     {"Vik-Signature", SignatureHeader(d.secret, timestamp, d.body)}};
  request.deadline = deadline;
  request.public_only = !options_.allow_private_destinations;
  const auto started = std::chrono::steady_clock::now();
  auto response = post_(request);
  metrics_.delivery_seconds.Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  store::DeliveryOutcome outcome;
  outcome.id = d.id;
  if (response.ok() && response->status >= 200 && response->status < 300) {
    outcome.delivered = true;
    return outcome;
  }
  outcome.error = response.ok() ? "HTTP " + std::to_string(response->status) : response.status().message();
  const int failed = d.attempts + 1;
  if (failed >= options_.max_attempts) {
    outcome.retry_after_ms = -1;  // dead; the store decides by the same count
    return outcome;
  }
  double unit = 0;
  {
    std::lock_guard lock(random_mu_);
    unit = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
  }
  outcome.retry_after_ms = RetryDelay(failed, options_.min_backoff, options_.max_backoff, unit).count();
  return outcome;
}

}  // namespace vik::subscriptions
