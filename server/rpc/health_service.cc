#include "rpc/health_service.h"

#include "rpc/grpc_boundary.h"

namespace vik::rpc {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

namespace {
constexpr std::string_view kWatch = "/grpc.health.v1.Health/Watch";
}  // namespace

// One Watch stream. At most one write is outstanding; the newest status wins. StartWrite and Finish
// may be called with HealthService::mu_ held: gRPC runs reactions (OnWriteDone, OnDone) from its
// completion threads, never inline in the caller of StartWrite/Finish.
class HealthService::Watcher final : public grpc::ServerWriteReactor<HealthCheckResponse> {
 public:
  Watcher(HealthService& service, std::string name) : service_(service), name_(std::move(name)) {}

  const std::string& name() const { return name_; }

  // Called (with the service's lock held) whenever the status may have changed.
  void Publish(HealthCheckResponse::ServingStatus status, bool finish) {
    {
      std::lock_guard lock(mu_);
      wanted_ = status;
      finish_ = finish_ || finish;
    }
    Pump();
  }

  void OnWriteDone(bool ok) override {
    {
      std::lock_guard lock(mu_);
      writing_ = false;
      if (!ok) {
        finish_ = true;  // the client is gone
      }
    }
    GrpcBoundary(
        kWatch, [this] { Pump(); }, [this](const grpc::Status& s) { FinishOnce(s); });
  }

  void OnCancel() override {
    {
      std::lock_guard lock(mu_);
      finish_ = true;
    }
    GrpcBoundary(
        kWatch, [this] { Pump(); }, [this](const grpc::Status& s) { FinishOnce(s); });
  }

  void OnDone() override {
    service_.Remove(this);
    delete this;
  }

 private:
  // Starts the next write, or finishes the stream, outside the lock.
  void Pump() {
    enum { kNothing, kWrite, kFinish } action = kNothing;
    {
      std::lock_guard lock(mu_);
      if (writing_ || finished_) {
        return;
      }
      if (!sent_ || wanted_ != last_sent_) {
        response_.set_status(wanted_);
        last_sent_ = wanted_;
        sent_ = true;
        writing_ = true;
        action = kWrite;
      } else if (finish_) {
        finished_ = true;
        action = kFinish;
      }
    }
    if (action == kWrite) {
      StartWrite(&response_);
    } else if (action == kFinish) {
      Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "server is shutting down"));
    }
  }

  // Ends the stream with `status` unless it is ended already (a write in flight ends it anyway).
  void FinishOnce(const grpc::Status& status) {
    {
      std::lock_guard lock(mu_);
      if (finished_ || writing_) {
        return;
      }
      finished_ = true;
    }
    Finish(status);
  }

  HealthService& service_;
  const std::string name_;
  std::mutex mu_;
  HealthCheckResponse response_;
  HealthCheckResponse::ServingStatus wanted_ = HealthCheckResponse::UNKNOWN;
  HealthCheckResponse::ServingStatus last_sent_ = HealthCheckResponse::UNKNOWN;
  bool sent_ = false;
  bool writing_ = false;
  bool finish_ = false;
  bool finished_ = false;
};

HealthService::HealthService(core::ReadinessState& readiness, std::set<std::string> service_names, int max_watchers)
    : readiness_(readiness),
      services_(std::move(service_names)),
      max_watchers_(static_cast<std::size_t>(std::max(1, max_watchers))) {
  subscription_ = readiness_.Subscribe([this](bool ready) { OnReadiness(ready); });
}

HealthService::~HealthService() { readiness_.Unsubscribe(subscription_); }

HealthCheckResponse::ServingStatus HealthService::StatusFor(const std::string& service) const {
  if (!service.empty() && services_.count(service) == 0) {
    return HealthCheckResponse::SERVICE_UNKNOWN;
  }
  return serving_ && !shut_down_ ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING;
}

grpc::ServerUnaryReactor* HealthService::Check(grpc::CallbackServerContext* context, const HealthCheckRequest* request,
                                               HealthCheckResponse* response) {
  auto* reactor = context->DefaultReactor();
  HealthCheckResponse::ServingStatus status;
  {
    std::lock_guard lock(mu_);
    status = StatusFor(request->service());
  }
  if (status == HealthCheckResponse::SERVICE_UNKNOWN) {
    reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service \"" + request->service() + "\""));
    return reactor;
  }
  response->set_status(status);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerWriteReactor<HealthCheckResponse>* HealthService::Watch(grpc::CallbackServerContext* context,
                                                                    const HealthCheckRequest* request) {
  std::lock_guard lock(mu_);
  if (watchers_.size() >= max_watchers_) {
    class Refused final : public grpc::ServerWriteReactor<HealthCheckResponse> {
     public:
      Refused() {
        Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                            "too many Health.Watch streams on this instance (grpc.max_health_watchers); use Check"));
      }
      void OnDone() override { delete this; }
    };
    context->AddTrailingMetadata("retry-after", "5");
    return new Refused();
  }
  auto* watcher = new Watcher(*this, request->service());
  watchers_.insert(watcher);
  watcher->Publish(StatusFor(request->service()), shut_down_);
  return watcher;
}

void HealthService::OnReadiness(bool ready) {
  std::lock_guard lock(mu_);
  serving_ = ready;
  for (Watcher* w : watchers_) {
    w->Publish(StatusFor(w->name()), shut_down_);
  }
}

void HealthService::Shutdown() {
  std::lock_guard lock(mu_);
  shut_down_ = true;
  for (Watcher* w : watchers_) {
    w->Publish(StatusFor(w->name()), true);
  }
}

std::size_t HealthService::watchers() const {
  std::lock_guard lock(mu_);
  return watchers_.size();
}

void HealthService::Remove(Watcher* w) {
  std::lock_guard lock(mu_);
  watchers_.erase(w);
}

}  // namespace vik::rpc
