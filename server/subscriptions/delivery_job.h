#pragma once

// The webhook delivery job (docs/exchange.md, "Subscriptions"): runs on the leader only, one round
// at a time, every write under the leader's fence.
//
// A round
//  1. reads the change log after the job's cursor (one cursor for all subscriptions; at most
//     `max_pages` pages), matches every subscription's filter (changes from the subscription's
//     creation on) and enqueues one delivery per match, together with the new cursor, in one
//     transaction per page: a failover neither loses nor duplicates an enqueue;
//  2. sends due deliveries in waves: each wave takes the head of every subscription's queue (its
//     oldest pending delivery, so a subscription's deliveries go out in cursor order and delivery
//     n+1 waits while n is pending retry), POSTs them in parallel on the sender pool (at most
//     `timeout` each) and records the outcomes in one fenced transaction. 2xx: delivered. Anything
//     else: retried after RetryDelay, dead after `max_attempts`. At most `max_deliveries` attempts
//     and `round_budget` per round;
//  3. every 30 rounds prunes delivered and dead deliveries finished more than `retention` ago.
// Delivery is at least once: a leader that dies between a receiver's 2xx and the record sends it
// again after failover, with the same Vik-Delivery-Id.
//
// Thread-safety: Round must not run concurrently with itself (the owner serialises rounds).

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <spdlog/logger.h>

#include "core/blocking_pool.h"
#include "core/clock.h"
#include "core/status.h"
#include "net/http_client.h"
#include "store/delivery_store.h"

namespace vik::subscriptions {

struct DeliveryOptions {
  std::string region;
  int page_limit = 500;                     // changes per read of the log
  int max_pages = 10;                       // reads per round
  int max_deliveries = 200;                 // attempts per round
  std::chrono::milliseconds timeout{5000};  // per POST, connect to last byte
  std::chrono::milliseconds round_budget{20000};
  int max_attempts = 10;  // then dead
  std::chrono::milliseconds min_backoff{1000};
  std::chrono::milliseconds max_backoff{600000};
  int max_pending = 10000;  // per subscription; beyond: enqueued dead ("queue full")
  std::chrono::milliseconds retention{7 * 24 * 3600 * 1000LL};
  std::size_t max_response_bytes = 64 * 1024;
  bool allow_private_destinations = false;  // false: webhooks only to public addresses
  std::string user_agent = "vikd";
};

class DeliveryMetrics {
 public:
  explicit DeliveryMetrics(prometheus::Registry& registry);
  prometheus::Family<prometheus::Counter>& deliveries;  // result: delivered, retry, dead
  prometheus::Histogram& delivery_seconds;
  prometheus::Counter& enqueued;
  prometheus::Counter& changes_skipped;  // the cursor fell out of the change log's retention
  prometheus::Gauge& pending;
  prometheus::Gauge& dead;
};

class DeliveryJob {
 public:
  // Sends one webhook POST (the receiver's answer, or why none came); called from the sender
  // pool's threads, so it must be safe for concurrent use. The default is net::HttpClient::Post.
  using Post = std::function<core::Result<net::PostResponse>(const net::PostRequest&)>;

  // `senders` runs the POSTs of a wave (its thread count bounds the concurrency). `post` replaces
  // the HTTP client (tests); empty: the real one, configured from `options`.
  DeliveryJob(store::DeliveryStore& store, core::BlockingPool& senders, const core::Clock& clock,
              DeliveryOptions options, std::shared_ptr<spdlog::logger> log, DeliveryMetrics& metrics, Post post = {});

  // One round as the holder of `fence`. FAILED_PRECONDITION ("fenced", store::IsFenced) when the
  // fence no longer holds: the caller steps down. Other errors: the next round tries again.
  // `keep_going` is asked between steps (shutdown, lost lease).
  core::Status Round(const store::Fence& fence, const std::function<bool()>& keep_going);

  // This instance does not lead: the leader-only gauges (pending, dead) go to 0, so that a former
  // leader does not keep exporting what it last saw. Safe for concurrent use with nothing else
  // (call it between rounds).
  void Idle();

 private:
  core::Status Enqueue(const store::Fence& fence, const std::function<bool()>& keep_going);
  core::Status Send(const store::Fence& fence, const std::function<bool()>& keep_going);
  // POSTs `due` in parallel on the sender pool; one outcome per delivery attempted.
  std::vector<store::DeliveryOutcome> SendWave(const std::vector<store::DueDelivery>& due,
                                               std::chrono::steady_clock::time_point deadline);
  store::DeliveryOutcome SendOne(const store::DueDelivery& delivery, std::chrono::steady_clock::time_point deadline);

  store::DeliveryStore& store_;
  core::BlockingPool& senders_;
  const core::Clock& clock_;
  const DeliveryOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  DeliveryMetrics& metrics_;
  net::HttpClient client_;
  Post post_;
  std::mutex random_mu_;
  std::mt19937_64 random_;
  unsigned rounds_ = 0;
  std::map<std::string, std::string> bad_filters_logged_;  // subscription -> filter text logged as unusable
};

}  // namespace vik::subscriptions
