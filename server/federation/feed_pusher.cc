#include "federation/feed_pusher.h"

#include <algorithm>

#include <grpcpp/grpcpp.h>

#include "core/logging.h"
#include "domain/picture.h"
#include "rpc/grpc_status.h"
#include "wire/change_filters.h"
#include "wire/change_mapping.h"

namespace vik::federation {

using std::chrono::milliseconds;

// One push target's loop. Members without a lock are touched only by the step that runs.
class FeedPusher::Pusher final : public PeerLoop {
 public:
  struct Deps {
    PushOptions options;
    store::ChangeFeedStore& store;
    core::BlockingPool& blocking;
    PeerMirror::FenceSource fence;
    MirrorMetrics& metrics;
    std::shared_ptr<spdlog::logger> log;
  };

  Pusher(PeerConfig config, Deps deps, boost::asio::io_context& ioc, const StubFactory& stubs)
      : PeerLoop(std::move(config), deps.options.timing, ioc, stubs), deps_(std::move(deps)) {}

 private:
  std::shared_ptr<Pusher> Self() { return std::static_pointer_cast<Pusher>(shared_from_this()); }

  void Step() override {
    if (!deps_.fence()) {
      known_ = false;  // not leading; the next leader asks the receiver where it stands
      Schedule(timing_.interval);
      return;
    }
    // The heartbeat says "alive and caught up": never while pushes fail, or it would make a
    // receiver that refuses them think the region fresh.
    if (!known_ || (failures_ == 0 && Clock::now() - last_sent_ >= deps_.options.heartbeat)) {
      Send(vik::v1::PushChangesRequest(), 0);
    } else if (cursor_.empty() || resync_) {
      Submit([self = Self()] { self->ReadSnapshots(); });
    } else {
      Submit([self = Self()] { self->ReadPage(); });
    }
  }

  void Submit(std::function<void()> task) {
    if (!deps_.blocking.TrySubmit(std::move(task))) {
      Schedule(timing_.interval);
    }
  }

  void ReadSnapshots() {
    const wire::StatusContext& ctx = deps_.options.status;
    auto actual = deps_.store.ReadSnapshot(ctx.region, std::string(domain::PictureName(domain::Picture::kActual)),
                                           ctx.lease, ctx.live_window);
    auto exercise =
        actual.ok() ? deps_.store.ReadSnapshot(ctx.region, std::string(domain::PictureName(domain::Picture::kExercise)),
                                               ctx.lease, ctx.live_window)
                    : actual.status();
    if (!exercise.ok()) {
      Failed("read own snapshot: " + exercise.status().message());
      return;
    }
    vik::v1::PushChangesRequest request;
    request.set_from_cursor(cursor_);
    wire::ToProtoSnapshot(*actual, ctx, request.mutable_snapshot());
    wire::ToProtoSnapshot(*exercise, ctx, request.mutable_exercise_snapshot());
    if (const std::size_t size = request.ByteSizeLong(); size > deps_.options.max_message_bytes) {
      Failed("push snapshots: they are " + std::to_string(size) + " bytes, more than a push may hold (" +
             std::to_string(deps_.options.max_message_bytes) + " bytes, grpc.max_message_bytes)");
      return;
    }
    core::LogInfo(*deps_.log, "pushing snapshots to a peer",
                  {{"peer", config_.name},
                   {"receiver_cursor", cursor_},
                   {"risks", static_cast<std::uint64_t>(request.snapshot().status().risks_size())}});
    Send(std::move(request), 0);
  }

  void ReadPage() {
    auto after = wire::ParseCursor(cursor_, "the receiver's cursor");
    if (!after.ok()) {
      resync_ = true;  // not a cursor of this node: start over from snapshots
      Schedule(milliseconds(0));
      return;
    }
    const int count = std::max(1, deps_.options.page >> shrink_);
    auto page = deps_.store.ReadChanges(*after, count, deps_.options.status.region);
    if (!page.ok()) {
      if (page.status().code() == core::StatusCode::kOutOfRange) {
        core::LogWarn(*deps_.log, "the receiver's cursor is outside this node's change log; pushing snapshots",
                      {{"peer", config_.name}, {"cursor", cursor_}, {"error", page.status().message()}});
        resync_ = true;
        Schedule(milliseconds(0));
      } else {
        Failed("read own changes: " + page.status().message());
      }
      return;
    }
    if (page->changes.empty()) {
      Schedule(timing_.interval);
      return;
    }
    vik::v1::PushChangesRequest request;
    request.set_from_cursor(cursor_);
    const std::size_t bytes = wire::PageBytesFor(deps_.options.max_message_bytes) >> shrink_;
    if (auto built = wire::ToProtoPageBounded(*page, {}, bytes, request.mutable_page()); !built.ok()) {
      Failed("push changes: " + built.status().message());
      return;
    }
    const int changes = request.page().changes_size();
    Send(std::move(request), changes);
  }

  void Send(vik::v1::PushChangesRequest request, int changes) {
    auto call = NewCall<vik::v1::PushChangesResponse>();
    auto shared = std::make_shared<vik::v1::PushChangesRequest>(std::move(request));
    stub().async()->PushChanges(&call->context, shared.get(), &call->response,
                                [self = Self(), call, shared, changes](grpc::Status s) {
                                  self->CallEnded();
                                  self->OnAnswer(*shared, call->response, s, changes);
                                });
  }

  void OnAnswer(const vik::v1::PushChangesRequest& request, const vik::v1::PushChangesResponse& response,
                const grpc::Status& s, int changes) {
    if (!s.ok()) {
      if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
        shrink_ = std::min(shrink_ + 1, 8u);  // the receiver's limit may be below ours, or it is busy
      }
      Failed("PushChanges: " + std::string(core::StatusCodeName(rpc::FromGrpcStatus(s).code())) + ": " +
             s.error_message().substr(0, 300));
      return;
    }
    known_ = true;
    failures_ = 0;
    last_sent_ = Clock::now();
    deps_.metrics.Up(config_.name).Set(1);
    deps_.metrics.LastContact(config_.name)
        .Set(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
    if (request.has_snapshot()) {
      resync_ = false;
      deps_.metrics.Snapshots(config_.name).Increment();
    } else if (changes > 0 && response.cursor() == request.page().next_cursor()) {
      deps_.metrics.Pushed(config_.name).Increment(changes);
      shrink_ = shrink_ > 0 ? shrink_ - 1 : 0;
    }
    // Continue from the receiver's cursor at once: the next read finds out whether there is more.
    cursor_ = response.cursor();
    Schedule(milliseconds(0));
  }

  void Failed(const std::string& error) {
    ++failures_;
    deps_.metrics.Errors(config_.name).Increment();
    deps_.metrics.Up(config_.name).Set(0);
    if (failures_ == 1 || failures_ % 20 == 0) {
      core::LogWarn(*deps_.log, "push to a peer failed; retrying with backoff",
                    {{"peer", config_.name}, {"error", error}, {"failures", static_cast<std::uint64_t>(failures_)}});
    }
    Schedule(Stopped() ? milliseconds(0) : Backoff(failures_));
  }

  Deps deps_;

  // The current step's state.
  bool known_ = false;   // the receiver's cursor is known (asked since this node leads)
  bool resync_ = false;  // send snapshots although the receiver has a cursor
  std::string cursor_;   // the receiver's cursor for this node
  unsigned failures_ = 0;
  unsigned shrink_ = 0;  // pushes hold page >> shrink_ changes and bytes >> shrink_
  Clock::time_point last_sent_{};
};

FeedPusher::FeedPusher(std::vector<PeerConfig> targets, PushOptions options, store::ChangeFeedStore& store,
                       core::BlockingPool& blocking, boost::asio::io_context& ioc, PeerMirror::FenceSource fence,
                       MirrorMetrics& metrics, std::shared_ptr<spdlog::logger> log, const StubFactory& stubs) {
  for (auto& target : targets) {
    pushers_.push_back(std::make_shared<Pusher>(
        std::move(target), Pusher::Deps{options, store, blocking, fence, metrics, log}, ioc, stubs));
  }
}

FeedPusher::~FeedPusher() = default;

void FeedPusher::Start() {
  for (auto& p : pushers_) {
    p->Start();
  }
}

void FeedPusher::Stop(std::chrono::milliseconds timeout) {
  for (auto& p : pushers_) {
    p->Stop();
  }
  const auto deadline = PeerLoop::Clock::now() + timeout;
  for (auto& p : pushers_) {
    p->WaitDone(deadline);
  }
}

}  // namespace vik::federation
