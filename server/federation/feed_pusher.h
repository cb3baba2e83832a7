#pragma once

// Push instead of pull (docs/exchange.md, "Pushing to a node that cannot reach you"): on the leader,
// one loop per configured push target sends this node's change feed with
// rpc::ExchangeService/PushChanges, the same messages a puller would read. The receiver holds the cursor
// (it moves it in the transaction that applies a page, see push_receiver.h); every answer carries
// it, and the pusher always continues from the receiver's cursor: a lost answer, a restart or a
// failover on either side repeats at most a push the receiver then ignores. A receiver without a
// cursor, or one whose cursor this node's log no longer covers (retention, restore), gets snapshots
// first. Caught up, the loop sends an empty push every few seconds so the receiver sees it is alive.
// Pushes are bounded by count and by bytes (change_filters.h, wire::ToProtoPageBounded); a change or a
// snapshot too large for any push is an error the loop reports and retries with backoff.
// Thread-safety: Start and Stop from one thread (see peer_loop.h).

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <spdlog/logger.h>

#include "core/blocking_pool.h"
#include "federation/peer_loop.h"
#include "federation/peer_mirror.h"
#include "store/mirror_store.h"
#include "wire/picture_mapping.h"

namespace vik::federation {

struct PushOptions {
  LoopTiming timing;
  std::chrono::milliseconds heartbeat{5000};  // an empty push when nothing was sent for this long
  int page = 250;                             // at most this many changes per push
  // A push holds at most this many bytes (the receiver's grpc.max_message_bytes must be at least
  // this node's); halved per RESOURCE_EXHAUSTED answer (with the count), restored step by step.
  std::size_t max_message_bytes = 4 * 1024 * 1024;
  wire::StatusContext status;  // this node's region, for the pages and snapshots
};

class FeedPusher {
 public:
  FeedPusher(std::vector<PeerConfig> targets, PushOptions options, store::ChangeFeedStore& store,
             core::BlockingPool& blocking, boost::asio::io_context& ioc, PeerMirror::FenceSource fence,
             MirrorMetrics& metrics, std::shared_ptr<spdlog::logger> log, const StubFactory& stubs = {});
  ~FeedPusher();
  FeedPusher(const FeedPusher&) = delete;
  FeedPusher& operator=(const FeedPusher&) = delete;

  void Start();
  void Stop(std::chrono::milliseconds timeout);

 private:
  class Pusher;
  std::vector<std::shared_ptr<Pusher>> pushers_;
};

}  // namespace vik::federation
