#include "rpc/exchange_service.h"

#include <deque>
#include <memory>
#include <mutex>

#include <grpcpp/alarm.h>

#include "rpc/grpc_boundary.h"
#include "rpc/grpc_status.h"
#include "rpc/ingest_service.h"
#include "usecases/push_receiver.h"
#include "usecases/regional_status.h"
#include "wire/change_filters.h"

namespace vik::rpc {
namespace {

core::Status ReaderScope(const auth::Caller& caller) {
  if (caller.HasScope("read") || caller.HasScope("analyst") || caller.HasScope("admin")) {
    return core::Status::Ok();
  }
  return core::PermissionDenied("token " + caller.token_id + " lacks the \"read\", \"analyst\" or \"admin\" scope");
}

}  // namespace

ExchangeService::ExchangeService(store::Store& store, auth::Authenticator& auth, core::BlockingPool& blocking,
                                 wire::StatusContext ctx, ExchangeOptions options, usecases::NationalSource national)
    : store_(store),
      auth_(auth),
      blocking_(blocking),
      ctx_(std::move(ctx)),
      options_(options),
      national_(std::move(national)),
      watchers_("WatchChanges streams", options_.watch_limits) {
  watchers_.FollowRevocations(auth_);
}

core::Status ExchangeService::RegionalOnly() const {
  if (national_.national.role == domain::NodeRole::kNational) {
    return core::FailedPrecondition(
        "this is a national node: it has no regional picture or change feed of its own (use GetNationalStatus)");
  }
  return core::Status::Ok();
}

std::optional<auth::Caller> ExchangeService::Admit(grpc::CallbackServerContext* context,
                                                   grpc::ServerUnaryReactor* reactor, bool regional) {
  auto caller = AuthenticateGrpc(auth_, context);
  core::Status s = caller.ok() ? ReaderScope(*caller) : caller.status();
  if (s.ok() && regional) {
    s = RegionalOnly();
  }
  if (s.ok()) {
    return std::move(caller).value();
  }
  if (s.code() == core::StatusCode::kUnavailable) {
    context->AddTrailingMetadata("retry-after", "1");
  }
  reactor->Finish(ToGrpcStatus(s));
  return std::nullopt;
}

void ExchangeService::Run(grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor,
                          const auth::Caller& caller, std::function<void()> task) {
  auto guarded = [reactor, task = std::move(task)] {
    GrpcUnaryBoundary("vik.v1.ExchangeService (pool task)", reactor, task);
  };
  // Shed like an HTTP read when it waited in the queue longer than runtime.blocking_max_queue_wait
  // (the shed callback runs instead of the task: nothing else touches the call).
  auto shed = [this, context, reactor, partner = caller.partner] {
    context->AddTrailingMetadata("retry-after", "1");
    reactor->Finish(ToGrpcStatus(blocking_.RefusalStatus(core::PoolRefusal::kShed, partner)));
  };
  if (const auto refused = blocking_.Offer(std::move(guarded), std::move(shed), caller.partner)) {
    context->AddTrailingMetadata("retry-after", "1");
    reactor->Finish(ToGrpcStatus(blocking_.RefusalStatus(*refused, caller.partner)));
  }
}

grpc::ServerUnaryReactor* ExchangeService::GetRegionalStatus(grpc::CallbackServerContext* context,
                                                             const vik::v1::GetRegionalStatusRequest* request,
                                                             vik::v1::RegionalStatus* response) {
  auto* reactor = context->DefaultReactor();
  const auto caller = Admit(context, reactor);
  if (!caller) {
    return reactor;
  }
  const auto limit = usecases::StatusRisksOf(request->limit());  // before a pool slot is taken
  if (!limit.ok()) {
    reactor->Finish(ToGrpcStatus(limit.status()));
    return reactor;
  }
  const auto picture = request->exercise() ? domain::Picture::kExercise : domain::Picture::kActual;
  Run(context, reactor, *caller, [this, reactor, response, limit = *limit, picture] {
    auto status = usecases::ReadRegionalStatus(store_, ctx_, picture, limit);
    if (!status.ok()) {
      reactor->Finish(ToGrpcStatus(status.status()));
      return;
    }
    *response = std::move(status).value();
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* ExchangeService::ListChanges(grpc::CallbackServerContext* context,
                                                       const vik::v1::ListChangesRequest* request,
                                                       vik::v1::ListChangesResponse* response) {
  auto* reactor = context->DefaultReactor();
  const auto caller = Admit(context, reactor);
  if (!caller) {
    return reactor;
  }
  auto after = wire::ParseCursor(request->after(), "after");
  if (!after.ok()) {
    reactor->Finish(ToGrpcStatus(after.status()));
    return reactor;
  }
  if (request->limit() < 0 || request->limit() > 1000) {
    reactor->Finish(ToGrpcStatus(core::InvalidArgument("limit: expected 0 (default 100) to 1000")));
    return reactor;
  }
  auto filter = wire::FilterFromProto(request->filter());
  if (!filter.ok()) {
    reactor->Finish(ToGrpcStatus(filter.status()));
    return reactor;
  }
  const int limit = request->limit() == 0 ? 100 : request->limit();
  Run(context, reactor, *caller, [this, reactor, response, after = *after, limit, filter = *filter] {
    auto page = store_.ReadChanges(after, limit, ctx_.region);
    if (!page.ok()) {
      reactor->Finish(ToGrpcStatus(page.status()));
      return;
    }
    const auto built =
        wire::ToProtoPageBounded(*page, filter, wire::PageBytesFor(options_.max_message_bytes), response);
    reactor->Finish(built.ok() ? grpc::Status::OK : ToGrpcStatus(built.status()));
  });
  return reactor;
}

grpc::ServerUnaryReactor* ExchangeService::GetSnapshot(grpc::CallbackServerContext* context,
                                                       const vik::v1::GetSnapshotRequest* request,
                                                       vik::v1::Snapshot* response) {
  auto* reactor = context->DefaultReactor();
  const auto caller = Admit(context, reactor);
  if (!caller) {
    return reactor;
  }
  const std::string picture = request->exercise() ? "exercise" : "actual";
  Run(context, reactor, *caller, [this, reactor, response, picture] {
    auto snapshot = store_.ReadSnapshot(ctx_.region, picture, ctx_.lease, ctx_.live_window);
    if (!snapshot.ok()) {
      reactor->Finish(ToGrpcStatus(snapshot.status()));
      return;
    }
    wire::ToProtoSnapshot(*snapshot, ctx_, response);
    const core::Status fits = wire::CheckSnapshotSize(*response, picture, options_.max_message_bytes);
    reactor->Finish(fits.ok() ? grpc::Status::OK : ToGrpcStatus(fits));
  });
  return reactor;
}

grpc::ServerUnaryReactor* ExchangeService::GetNationalStatus(grpc::CallbackServerContext* context,
                                                             const vik::v1::GetNationalStatusRequest* request,
                                                             vik::v1::NationalStatus* response) {
  auto* reactor = context->DefaultReactor();
  const auto caller = Admit(context, reactor, false);
  if (!caller) {
    return reactor;
  }
  Run(context, reactor, *caller, [this, reactor, response, top = request->top(), min_level = request->min_level()] {
    auto status = usecases::ReadNationalStatus(store_, national_, top, min_level);
    if (!status.ok()) {
      reactor->Finish(ToGrpcStatus(status.status()));
      return;
    }
    *response = std::move(*status);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* ExchangeService::PushChanges(grpc::CallbackServerContext* context,
                                                       const vik::v1::PushChangesRequest* request,
                                                       vik::v1::PushChangesResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = AuthenticateGrpc(auth_, context);
  core::Status s = caller.ok() ? auth::Authenticator::RequireScope(*caller, "push") : caller.status();
  if (s.ok() && options_.push_peers.count(caller->partner) == 0) {
    s = core::PermissionDenied("partner " + caller->partner +
                               " is not a peer this node takes pushes from (configure peer.NAME.push = true)");
  }
  if (!s.ok()) {
    if (s.code() == core::StatusCode::kUnavailable) {
      context->AddTrailingMetadata("retry-after", "1");
    }
    reactor->Finish(ToGrpcStatus(s));
    return reactor;
  }
  Run(context, reactor, *caller, [this, reactor, request, response, peer = caller->partner] {
    auto answer = usecases::ReceivePush(store_, peer, options_.push_peers.at(peer), options_.own_region, *request);
    if (!answer.ok()) {
      reactor->Finish(ToGrpcStatus(answer.status()));
      return;
    }
    *response = std::move(*answer);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

// One WatchChanges stream: read a page on the blocking pool, write its changes one by one, read the
// next page at once when the last was full, else after `watch_poll`. At most one operation (read,
// write, wait) is outstanding at a time; `mu_` guards the state shared with pool threads and gRPC
// callbacks. `end_` is how the stream is to end (client gone, token revoked, internal error): once
// set, the stream finishes as soon as no operation is outstanding (a wait is cut short). Finish is
// called exactly once; the quota slot is given back in OnDone, which deletes the reactor.
class ExchangeService::WatchReactor final : public grpc::ServerWriteReactor<vik::v1::Change> {
 public:
  WatchReactor(ExchangeService& service, std::string partner, std::optional<store::ChangeCursor> after,
               domain::ChangeFilter filter)
      : service_(service), partner_(std::move(partner)), filter_(std::move(filter)), cursor_(after) {}

  ~WatchReactor() override { slot_.Release(); }  // first: no on_revoked may run on a dying reactor

  // `slot`: this stream's place in the quota, held until OnDone.
  void Start(auth::StreamQuota::Slot slot) {
    slot_ = std::move(slot);
    Guarded([this] {
      slot_.OnRevoked([this] { Revoke(); });  // may end the stream at once
      std::lock_guard lock(mu_);
      if (!end_) {
        PollLocked();
      }
    });
  }

  void OnWriteDone(bool ok) override {
    Guarded([this, ok] {
      std::lock_guard lock(mu_);
      busy_ = false;
      if (!ok) {
        EndLocked(grpc::Status(grpc::StatusCode::CANCELLED, "the stream ended"));
        return;
      }
      queue_.pop_front();
      NextLocked();
    });
  }

  void OnCancel() override { End(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled")); }

  // The token was revoked (called by the quota, with its lock held).
  void Revoke() { End(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "the token was revoked")); }

  void OnDone() override {
    slot_.Release();
    delete this;
  }

 private:
  template <typename Body>
  void Guarded(Body&& body) {
    GrpcBoundary("/vik.v1.ExchangeService/WatchChanges", std::forward<Body>(body),
                 [this](const grpc::Status& s) { End(s); });
  }

  void End(const grpc::Status& status) {
    std::lock_guard lock(mu_);
    EndLocked(status);
  }

  void EndLocked(const grpc::Status& status) {
    if (!end_) {
      end_ = status;
    }
    if (alarm_ && busy_) {
      alarm_->Cancel();  // its callback finishes
    } else if (!busy_) {
      FinishLocked(*end_);
    }
  }

  void NextLocked() {
    if (end_) {
      FinishLocked(*end_);
    } else if (!queue_.empty()) {
      busy_ = true;
      StartWrite(&queue_.front());
    } else if (more_) {
      PollLocked();
    } else {
      busy_ = true;
      alarm_ = std::make_unique<grpc::Alarm>();
      alarm_->Set(std::chrono::system_clock::now() + service_.options_.watch_poll, [this](bool fired) {
        Guarded([this, fired] {
          std::lock_guard lock(mu_);
          busy_ = false;
          if (!fired && !end_) {
            end_ = grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
          }
          if (end_) {
            FinishLocked(*end_);
            return;
          }
          PollLocked();
        });
      });
    }
  }

  void PollLocked() {
    busy_ = true;
    // Counted against the partner's quota of the pool (runtime.blocking_per_partner) like its
    // unary calls.
    const auto refused = service_.blocking_.Offer(
        [this] {
          Guarded([this] {
            auto page = service_.store_.ReadChanges(cursor_, service_.options_.page_limit, service_.ctx_.region);
            std::lock_guard lock(mu_);
            busy_ = false;
            alarm_.reset();
            if (!page.ok()) {
              FinishLocked(ToGrpcStatus(page.status()));
              return;
            }
            vik::v1::ListChangesResponse matching;
            const std::size_t bound = wire::PageBytesFor(service_.options_.max_message_bytes);
            const auto next = wire::ToProtoPageBounded(*page, filter_, bound, &matching);
            if (!next.ok()) {
              FinishLocked(ToGrpcStatus(next.status()));
              return;
            }
            for (auto& c : *matching.mutable_changes()) {
              queue_.emplace_back().Swap(&c);
            }
            cursor_ = *next;
            more_ = matching.more();
            NextLocked();
          });
        },
        {}, partner_);
    if (refused == core::PoolRefusal::kOwnerQuota) {
      busy_ = false;  // the partner's own reads hold its share: read again after watch_poll
      more_ = false;
      NextLocked();
    } else if (refused) {
      busy_ = false;
      FinishLocked(ToGrpcStatus(core::ResourceExhausted("the server is busy; reconnect with your last cursor")));
    }
  }

  void FinishLocked(const grpc::Status& status) {
    if (!finished_) {
      finished_ = true;
      Finish(status);
    }
  }

  ExchangeService& service_;
  auth::StreamQuota::Slot slot_;
  const std::string partner_;  // whose reads these are, in the pool
  const domain::ChangeFilter filter_;
  std::mutex mu_;
  std::optional<store::ChangeCursor> cursor_;
  std::deque<vik::v1::Change> queue_;
  std::unique_ptr<grpc::Alarm> alarm_;
  std::optional<grpc::Status> end_;
  bool more_ = false;
  bool busy_ = false;
  bool finished_ = false;
};

grpc::ServerWriteReactor<vik::v1::Change>* ExchangeService::WatchChanges(grpc::CallbackServerContext* context,
                                                                         const vik::v1::WatchChangesRequest* request) {
  auto refuse = [](const core::Status& s) {
    class Refused final : public grpc::ServerWriteReactor<vik::v1::Change> {
     public:
      explicit Refused(const grpc::Status& s) { Finish(s); }
      void OnDone() override { delete this; }
    };
    return new Refused(ToGrpcStatus(s));
  };
  auto caller = AuthenticateGrpc(auth_, context);
  if (!caller.ok()) {
    return refuse(caller.status());
  }
  if (core::Status s = ReaderScope(*caller); !s.ok()) {
    return refuse(s);
  }
  if (core::Status s = RegionalOnly(); !s.ok()) {
    return refuse(s);
  }
  auto after = wire::ParseCursor(request->after(), "after");
  if (!after.ok()) {
    return refuse(after.status());
  }
  auto filter = wire::FilterFromProto(request->filter());
  if (!filter.ok()) {
    return refuse(filter.status());
  }
  auto slot = watchers_.Acquire(*caller);
  if (!slot.ok()) {
    context->AddTrailingMetadata("retry-after", "5");
    return refuse(slot.status());
  }
  auto* reactor = new WatchReactor(*this, caller->partner, *after, *filter);
  reactor->Start(std::move(slot).value());
  return reactor;
}

}  // namespace vik::rpc
