#include "app/module_options.h"

#include <algorithm>

#include "app/build_info.h"

namespace vik::app {

std::string UserAgent() { return std::string("vikd/") + Version(); }

core::BlockingPoolOptions ReadPoolOptions(const Config& config) {
  core::BlockingPoolOptions o;
  o.threads = config.store.pool_size;
  o.max_queued = config.runtime.blocking_queue;
  o.max_queue_wait = config.runtime.blocking_max_queue_wait;
  o.nice = config.runtime.blocking_nice;
  o.max_per_owner = config.runtime.blocking_per_partner;
  o.owner_kind = "partner";
  o.owner_quota_setting = "runtime.blocking_per_partner";
  return o;
}

ingest::PipelineOptions PipelineOptionsOf(const Config& config) {
  ingest::PipelineOptions o;
  o.max_batch = config.ingest.max_batch;
  o.limits.max_future_skew = std::chrono::duration_cast<std::chrono::seconds>(config.ingest.max_future_skew);
  return o;
}

ingest::CapIngestOptions CapIngestOptionsOf(const Config& config) {
  ingest::CapIngestOptions o;
  o.signal_limits = PipelineOptionsOf(config).limits;
  o.limits.max_bytes = config.cap.max_bytes;
  return o;
}

ingest::FeedPollerOptions FeedPollerOptionsOf(const Config& config) {
  ingest::FeedPollerOptions o;
  o.fetch.total_timeout = config.feeds.fetch_timeout;
  o.fetch.connect_timeout = std::min(config.feeds.fetch_timeout, std::chrono::milliseconds(5000));
  o.fetch.max_bytes = config.feeds.max_bytes;
  o.fetch.user_agent = UserAgent();
  o.limits.max_bytes = config.feeds.max_bytes;
  o.max_links_per_poll = config.feeds.max_links_per_poll;
  o.feed_budget = config.feeds.round_budget;
  o.max_link_attempts = static_cast<int>(config.feeds.max_link_attempts);
  return o;
}

subscriptions::DeliveryOptions DeliveryOptionsOf(const Config& config) {
  subscriptions::DeliveryOptions o = config.subscriptions.delivery;
  o.region = config.region;
  o.user_agent = UserAgent();
  return o;
}

federation::LoopTiming PeerTimingOf(const Config& config) {
  federation::LoopTiming o = config.peers.timing;
  o.user_agent = UserAgent();
  o.max_message_bytes = std::max(o.max_message_bytes, static_cast<std::size_t>(config.grpc.max_message_bytes));
  return o;
}

std::chrono::milliseconds PeerStatusInterval(const Config& config) {
  return std::min<std::chrono::milliseconds>(std::chrono::seconds(5), config.peers.stale_after / 3);
}

}  // namespace vik::app
