#pragma once

// The options each module gets from the configuration, where they are more than one section of
// Config as it is: what is derived (a user agent, a limit taken from another setting, a unit
// conversion) is derived here, once, so Runtime::StartUp only hands the results over.
// Pure functions of the configuration.

#include "app/config.h"
#include "core/blocking_pool.h"
#include "federation/peer_loop.h"
#include "ingest/cap_ingest.h"
#include "ingest/feed_poller.h"
#include "ingest/pipeline.h"
#include "subscriptions/delivery_job.h"

namespace vik::app {

// "vikd/VERSION": the User-Agent of feed fetches, webhooks and peer calls.
std::string UserAgent();

// The read API's pool: one worker per pooled connection ("api"), refusing (429 with Retry-After)
// once its queue is full or its oldest task waited runtime.blocking_max_queue_wait, its workers
// niced so that rendering big pages yields the CPU to the io threads and the lease.
core::BlockingPoolOptions ReadPoolOptions(const Config& config);

ingest::PipelineOptions PipelineOptionsOf(const Config& config);
ingest::CapIngestOptions CapIngestOptionsOf(const Config& config);
ingest::FeedPollerOptions FeedPollerOptionsOf(const Config& config);
subscriptions::DeliveryOptions DeliveryOptionsOf(const Config& config);
// What peers send is bounded by their grpc.max_message_bytes; the loops take at least as much as ours.
federation::LoopTiming PeerTimingOf(const Config& config);
// A peer's contact is recorded (and a pushed feed's heartbeat sent) at least this often, so that a
// healthy peer never looks stale: a third of peers.stale_after, at most 5 s.
std::chrono::milliseconds PeerStatusInterval(const Config& config);

}  // namespace vik::app
