#pragma once

// Mirroring peers (docs/exchange.md, "Mirroring peers"): on the leader, one follower per configured
// peer reads the peer's change feed (vik.v1.ExchangeService/ListChanges) and applies each page to the
// local mirror with the peer's cursor in the same transaction (store::ApplyMirrorChanges), so a
// restart or failover continues exactly after the last committed page: nothing is skipped, nothing
// applied twice. A peer without a cursor (first contact, or its cursor fell out of its retention:
// OUT_OF_RANGE) is synchronised from its snapshots (GetSnapshot, actual then exercise) first.
//
// Each follower is an asynchronous loop that holds no thread while it waits: a timer on the
// runtime's io_context starts a gRPC call (callback API, with a deadline); the answer is applied on
// the blocking pool; then the next call is scheduled: at once while the peer says there is more,
// after `interval` when caught up, after a growing backoff (interval x 2^n, at most max_backoff,
// +-20% jitter) after failures. A down or slow peer delays no other peer. Every few seconds the
// follower also pulls the peer's regional status (counts, picture lag) for the national status.
// Followers run only while `fence()` yields a fence (this instance leads); on a follower instance
// they idle. Every write is fenced.
// Thread-safety: Start and Stop from one thread; everything else runs on the follower's strand,
// gRPC's callback threads and the blocking pool, one step at a time per follower.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <spdlog/logger.h>

#include "core/blocking_pool.h"
#include "federation/peer_loop.h"
#include "store/mirror_store.h"

namespace vik::federation {

struct MirrorOptions {
  LoopTiming timing;                                // interval: between calls to a caught-up peer
  std::chrono::milliseconds status_interval{5000};  // how often the peer's regional status is pulled
  int page = 1000;                                  // changes per ListChanges
  std::string own_region;                           // a peer serving this region is refused
};

class MirrorMetrics {
 public:
  explicit MirrorMetrics(prometheus::Registry& registry);
  prometheus::Counter& Applied(const std::string& peer);
  prometheus::Counter& Errors(const std::string& peer);
  prometheus::Counter& Snapshots(const std::string& peer);
  prometheus::Gauge& LastContact(const std::string& peer);
  prometheus::Gauge& Up(const std::string& peer);
  prometheus::Counter& Pushed(const std::string& peer);
  // Age of the newest change of each applied page at apply time (the peer's clock against ours).
  prometheus::Histogram& ChangeAge();

 private:
  prometheus::Family<prometheus::Counter>& applied_;
  prometheus::Family<prometheus::Counter>& errors_;
  prometheus::Family<prometheus::Counter>& snapshots_;
  prometheus::Family<prometheus::Gauge>& last_contact_;
  prometheus::Family<prometheus::Gauge>& up_;
  prometheus::Family<prometheus::Counter>& pushed_;
  prometheus::Histogram& change_age_;
};

class PeerMirror {
 public:
  using FenceSource = std::function<std::optional<store::Fence>()>;
  // Called (from any thread) when a write found the fence gone: the lease was lost.
  using OnFenced = std::function<void(const char* what)>;

  PeerMirror(std::vector<PeerConfig> peers, MirrorOptions options, store::MirrorStore& store,
             core::BlockingPool& blocking, boost::asio::io_context& ioc, FenceSource fence, OnFenced on_fenced,
             MirrorMetrics& metrics, std::shared_ptr<spdlog::logger> log, const StubFactory& stubs = {});
  ~PeerMirror();
  PeerMirror(const PeerMirror&) = delete;
  PeerMirror& operator=(const PeerMirror&) = delete;

  void Start();
  // Cancels timers and calls in flight and waits (at most `timeout`) until no follower step runs.
  void Stop(std::chrono::milliseconds timeout);

 private:
  class Follower;
  std::vector<std::shared_ptr<Follower>> followers_;
};

}  // namespace vik::federation
