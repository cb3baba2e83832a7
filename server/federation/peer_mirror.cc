#include "federation/peer_mirror.h"

#include <algorithm>

#include <grpcpp/grpcpp.h>

#include "core/logging.h"
#include "metrics/declare.h"
#include "rpc/grpc_status.h"
#include "store/fence_status.h"
#include "vik/v1/exchange.grpc.pb.h"
#include "wire/mirror_mapping.h"

namespace vik::federation {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What a failed call is remembered as: the method, the code, the peer's message (untrusted: cut short).
std::string Describe(const char* method, const grpc::Status& s) {
  std::string out = std::string(method) + ": " + std::string(core::StatusCodeName(rpc::FromGrpcStatus(s).code()));
  if (!s.error_message().empty()) {
    out += ": " + s.error_message().substr(0, 300);
  }
  return out;
}

}  // namespace

MirrorMetrics::MirrorMetrics(prometheus::Registry& registry)
    : applied_(metrics::CounterFamily(registry, "vik_peer_changes_applied_total",
                                      "Changes of a peer's feed applied to the local mirror (leader only), by peer")),
      errors_(metrics::CounterFamily(registry, "vik_peer_errors_total",
                                     "Failed calls to a peer or failed applies of its changes, by peer")),
      snapshots_(metrics::CounterFamily(registry, "vik_peer_snapshots_total",
                                        "Times a peer's mirror was (re)synchronised from its snapshot, by peer")),
      last_contact_(metrics::GaugeFamily(registry, "vik_peer_last_contact_timestamp_seconds",
                                         "Unix time of the last successful call to a peer (leader only), by peer")),
      up_(metrics::GaugeFamily(registry, "vik_peer_up",
                               "1 when the last call to the peer succeeded, 0 when it failed (leader only), by peer")),
      pushed_(metrics::CounterFamily(
          registry, "vik_peer_changes_pushed_total",
          "Changes of this node's feed pushed to a peer and applied there (leader only), by peer")),
      change_age_(metrics::Histogram(registry, "vik_peer_change_age_seconds",
                                     "Age of the newest change of an applied page of a peer's feed when it was applied "
                                     "(propagation delay; the peer's clock against this node's)",
                                     metrics::Buckets{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300})) {}

prometheus::Counter& MirrorMetrics::Applied(const std::string& peer) { return applied_.Add({{"peer", peer}}); }
prometheus::Counter& MirrorMetrics::Errors(const std::string& peer) { return errors_.Add({{"peer", peer}}); }
prometheus::Counter& MirrorMetrics::Snapshots(const std::string& peer) { return snapshots_.Add({{"peer", peer}}); }
prometheus::Gauge& MirrorMetrics::LastContact(const std::string& peer) { return last_contact_.Add({{"peer", peer}}); }
prometheus::Gauge& MirrorMetrics::Up(const std::string& peer) { return up_.Add({{"peer", peer}}); }
prometheus::Counter& MirrorMetrics::Pushed(const std::string& peer) { return pushed_.Add({{"peer", peer}}); }
prometheus::Histogram& MirrorMetrics::ChangeAge() { return change_age_; }

// One peer's follow loop (the scaffolding in peer_loop.h). Members without a lock are touched only
// by the step that runs.
class PeerMirror::Follower final : public PeerLoop {
 public:
  struct Deps {
    MirrorOptions options;
    store::MirrorStore& store;
    core::BlockingPool& blocking;
    FenceSource fence;
    OnFenced on_fenced;
    MirrorMetrics& metrics;
    std::shared_ptr<spdlog::logger> log;
  };

  Follower(PeerConfig config, Deps deps, boost::asio::io_context& ioc, const StubFactory& stubs)
      : PeerLoop(std::move(config), deps.options.timing, ioc, stubs), deps_(std::move(deps)) {}

 private:
  std::shared_ptr<Follower> Self() { return std::static_pointer_cast<Follower>(shared_from_this()); }
  milliseconds Backoff() { return PeerLoop::Backoff(failures_); }

  void Step() override {
    auto fence = deps_.fence();
    if (!fence) {
      loaded_ = false;  // not leading: the next leader's follower starts from the stored cursor
      Schedule(timing_.interval);
      return;
    }
    if (!loaded_) {
      Submit([self = Self()] { self->Load(); });
      return;
    }
    if (cursor_.empty()) {
      StartSnapshot(*fence, false, nullptr);
    } else if (Clock::now() >= next_status_at_) {
      StartStatus(*fence);
    } else {
      StartList(*fence);
    }
  }

  // Runs `task` on the blocking pool; when the pool refuses (full or stopping), tries again later.
  void Submit(std::function<void()> task) {
    if (!deps_.blocking.TrySubmit(std::move(task))) {
      Schedule(timing_.interval);
    }
  }

  void Load() {
    auto peers = deps_.store.ReadPeers({config_.name});
    if (!peers.ok()) {
      ++failures_;
      Schedule(Backoff());
      return;
    }
    cursor_ = peers->empty() ? std::string() : peers->front().cursor;
    region_ = !config_.region.empty() || peers->empty() ? config_.region : peers->front().region;
    loaded_ = true;
    next_status_at_ = Clock::now();
    Schedule(milliseconds(0));
  }

  void StartList(const store::Fence& fence) {
    auto call = NewCall<vik::v1::ListChangesResponse>();
    auto request = std::make_shared<vik::v1::ListChangesRequest>();
    request->set_after(cursor_);
    request->set_limit(page_);
    stub().async()->ListChanges(&call->context, request.get(), &call->response,
                                [self = Self(), call, request, fence](grpc::Status s) {
                                  self->CallEnded();
                                  self->OnList(fence, call->response, s);
                                });
  }

  void OnList(const store::Fence& fence, const vik::v1::ListChangesResponse& page, const grpc::Status& s) {
    if (!s.ok()) {
      feed_ok_ = false;
      if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
        page_ = std::max(1, page_ / 2);  // too large a page, or a busy peer: ask for fewer
      }
      Failed(fence, Describe("ListChanges", s), s.error_code() == grpc::StatusCode::OUT_OF_RANGE);
      return;
    }
    Contacted();
    if (page.changes().empty()) {
      feed_ok_ = true;
      Schedule(timing_.interval);
      return;
    }
    auto apply = wire::MirrorApplyOf(config_.name, region_, cursor_, page);
    if (!apply.ok()) {
      feed_ok_ = false;
      Failed(fence, "ListChanges: " + apply.status().message(), false);
      return;
    }
    const bool more = page.more();
    Submit([self = Self(), fence, apply = std::move(*apply), more]() mutable {
      self->Apply(fence, std::move(apply), more);
    });
  }

  void Apply(const store::Fence& fence, store::MirrorApply apply, bool more) {
    const core::Status s = deps_.store.ApplyMirrorChanges(fence, config_.endpoint, apply);
    if (!s.ok()) {
      StoreFailed(s, "apply peer changes");
      return;
    }
    cursor_ = apply.next_cursor;
    failures_ = 0;
    feed_ok_ = true;
    page_ = std::min(deps_.options.page, page_ * 2);
    deps_.metrics.Applied(config_.name).Increment(apply.changes);
    if (apply.newest_change_us > 0) {
      deps_.metrics.ChangeAge().Observe(static_cast<double>(NowMicros() - apply.newest_change_us) / 1e6);
    }
    Schedule(more ? milliseconds(0) : timing_.interval);
  }

  void StartSnapshot(const store::Fence& fence, bool exercise, std::shared_ptr<vik::v1::Snapshot> actual) {
    auto call = NewCall<vik::v1::Snapshot>();
    auto request = std::make_shared<vik::v1::GetSnapshotRequest>();
    request->set_exercise(exercise);
    stub().async()->GetSnapshot(&call->context, request.get(), &call->response,
                                [self = Self(), call, request, fence, actual](grpc::Status s) {
                                  self->CallEnded();
                                  self->OnSnapshot(fence, call, actual, s);
                                });
  }

  void OnSnapshot(const store::Fence& fence, const std::shared_ptr<Call<vik::v1::Snapshot>>& call,
                  const std::shared_ptr<vik::v1::Snapshot>& actual, const grpc::Status& s) {
    if (!s.ok()) {
      feed_ok_ = false;
      Failed(fence, Describe("GetSnapshot", s), false);
      return;
    }
    if (!actual) {  // the actual picture first (its cursor is followed), then the exercise picture
      StartSnapshot(fence, true, std::shared_ptr<vik::v1::Snapshot>(call, &call->response));
      return;
    }
    auto snapshot = wire::MirrorSnapshotOf(config_.name, region_, *actual, &call->response);
    if (!snapshot.ok()) {
      feed_ok_ = false;
      Failed(fence, "GetSnapshot: " + snapshot.status().message(), false);
      return;
    }
    if (!deps_.options.own_region.empty() && snapshot->region == deps_.options.own_region) {
      feed_ok_ = false;
      Failed(fence, "GetSnapshot: the peer serves this node's own region " + snapshot->region + "; not mirrored",
             false);
      return;
    }
    Contacted();
    Submit([self = Self(), fence, snapshot = std::move(*snapshot)] {
      const core::Status written = self->deps_.store.ApplyMirrorSnapshot(fence, self->config_.endpoint, snapshot);
      if (!written.ok()) {
        if (written.code() == core::StatusCode::kAlreadyExists) {
          self->Failed(fence, written.message(), false);
        } else {
          self->StoreFailed(written, "apply peer snapshot");
        }
        return;
      }
      self->cursor_ = snapshot.cursor;
      self->region_ = snapshot.region;
      self->failures_ = 0;
      self->feed_ok_ = true;
      self->next_status_at_ = Clock::now();
      self->deps_.metrics.Snapshots(self->config_.name).Increment();
      core::LogInfo(*self->deps_.log, "peer mirror synchronised from a snapshot",
                    {{"peer", self->config_.name},
                     {"region", snapshot.region},
                     {"risks", static_cast<std::uint64_t>(snapshot.risks.size())},
                     {"cursor", snapshot.cursor}});
      self->Schedule(milliseconds(0));
    });
  }

  void StartStatus(const store::Fence& fence) {
    auto call = NewCall<vik::v1::RegionalStatus>();
    auto request = std::make_shared<vik::v1::GetRegionalStatusRequest>();
    request->set_limit(1);
    stub().async()->GetRegionalStatus(&call->context, request.get(), &call->response,
                                      [self = Self(), call, request, fence](grpc::Status s) {
                                        self->CallEnded();
                                        self->OnStatus(fence, call->response, s);
                                      });
  }

  void OnStatus(const store::Fence& fence, const vik::v1::RegionalStatus& status, const grpc::Status& s) {
    if (!s.ok()) {
      Failed(fence, Describe("GetRegionalStatus", s), false);
      return;
    }
    auto summary = wire::StatusSummaryOf(region_, status);
    if (!summary.ok()) {
      Failed(fence, "GetRegionalStatus: " + summary.status().message(), false);
      return;
    }
    next_status_at_ = Clock::now() + deps_.options.status_interval;
    // Contact means the feed moves: while it fails, the status is kept but the peer goes stale.
    if (feed_ok_) {
      Contacted();
    }
    Submit([self = Self(), fence, bytes = std::move(*summary), progressing = feed_ok_] {
      const core::Status w =
          progressing ? self->deps_.store.RecordPeerContact(fence, self->config_.name, self->config_.endpoint, bytes)
                      : self->deps_.store.RecordPeerStatus(fence, self->config_.name, self->config_.endpoint, bytes);
      if (!w.ok()) {
        self->StoreFailed(w, "record peer contact");
        return;
      }
      self->Schedule(milliseconds(0));
    });
  }

  void Contacted() {
    deps_.metrics.Up(config_.name).Set(1);
    deps_.metrics.LastContact(config_.name).Set(static_cast<double>(NowMicros()) / 1e6);
  }

  // A call failed or the peer's answer was unusable: remembered (fenced), retried after a backoff;
  // `resync` forgets the cursor (the peer no longer has changes after it).
  void Failed(const store::Fence& fence, const std::string& error, bool resync) {
    if (Stopped()) {
      Schedule(milliseconds(0));
      return;
    }
    ++failures_;
    deps_.metrics.Errors(config_.name).Increment();
    deps_.metrics.Up(config_.name).Set(0);
    if (resync) {
      core::LogWarn(*deps_.log, "peer's feed no longer has changes after our cursor; resynchronising from a snapshot",
                    {{"peer", config_.name}, {"cursor", cursor_}, {"error", error}});
      cursor_.clear();
    } else if (failures_ == 1 || failures_ % 20 == 0) {
      core::LogWarn(*deps_.log, "peer call failed; retrying with backoff",
                    {{"peer", config_.name}, {"error", error}, {"failures", static_cast<std::uint64_t>(failures_)}});
    }
    const milliseconds next = resync ? milliseconds(0) : Backoff();
    Submit([self = Self(), fence, error, resync, next] {
      const core::Status written =
          self->deps_.store.RecordPeerError(fence, self->config_.name, self->config_.endpoint, error, resync);
      if (store::IsFenced(written)) {
        self->deps_.on_fenced("peer mirror");
        self->loaded_ = false;
      }
      self->Schedule(next);
    });
  }

  // A store write failed: fenced (lost the lease), ABORTED (the cursor moved: reload), or the
  // database is unavailable (back off).
  void StoreFailed(const core::Status& s, const char* what) {
    loaded_ = false;
    if (store::IsFenced(s)) {
      deps_.on_fenced("peer mirror");
      Schedule(timing_.interval);
      return;
    }
    if (s.code() == core::StatusCode::kAborted) {
      Schedule(milliseconds(0));
      return;
    }
    ++failures_;
    deps_.metrics.Errors(config_.name).Increment();
    if (failures_ == 1 || failures_ % 20 == 0) {
      core::LogWarn(*deps_.log, "peer mirror write failed; retrying",
                    {{"peer", config_.name}, {"what", what}, {"error", s.message()}});
    }
    Schedule(Backoff());
  }

  Deps deps_;

  // The current step's state.
  bool loaded_ = false;
  std::string cursor_;
  std::string region_;             // the region the peer speaks for; empty until known
  int page_ = deps_.options.page;  // changes asked for: halved after RESOURCE_EXHAUSTED, doubled back
  bool feed_ok_ = true;            // the last feed call (list, snapshot) and its check succeeded
  unsigned failures_ = 0;
  Clock::time_point next_status_at_{};
};

PeerMirror::PeerMirror(std::vector<PeerConfig> peers, MirrorOptions options, store::MirrorStore& store,
                       core::BlockingPool& blocking, boost::asio::io_context& ioc, FenceSource fence,
                       OnFenced on_fenced, MirrorMetrics& metrics, std::shared_ptr<spdlog::logger> log,
                       const StubFactory& stubs) {
  for (auto& peer : peers) {
    followers_.push_back(std::make_shared<Follower>(
        std::move(peer), Follower::Deps{options, store, blocking, fence, on_fenced, metrics, log}, ioc, stubs));
  }
}

PeerMirror::~PeerMirror() = default;

void PeerMirror::Start() {
  for (auto& f : followers_) {
    f->Start();
  }
}

void PeerMirror::Stop(std::chrono::milliseconds timeout) {
  for (auto& f : followers_) {
    f->Stop();
  }
  const auto deadline = Clock::now() + timeout;
  for (auto& f : followers_) {
    f->WaitDone(deadline);
  }
}

}  // namespace vik::federation
