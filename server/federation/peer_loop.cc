#include "federation/peer_loop.h"

#include <algorithm>

#include <grpcpp/grpcpp.h>
#include <boost/asio/post.hpp>

namespace vik::federation {

using std::chrono::milliseconds;

PeerLoop::PeerLoop(PeerConfig config, LoopTiming timing, boost::asio::io_context& ioc, const StubFactory& stubs)
    : config_(std::move(config)),
      timing_(std::move(timing)),
      strand_(boost::asio::make_strand(ioc)),
      timer_(strand_),
      random_(std::random_device{}()) {
  if (stubs) {
    stub_ = stubs(config_);
    return;
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(static_cast<int>(timing_.max_message_bytes));
  args.SetMaxSendMessageSize(static_cast<int>(timing_.max_message_bytes));
  args.SetUserAgentPrefix(timing_.user_agent);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  auto credentials =
      config_.tls ? grpc::SslCredentials(grpc::SslCredentialsOptions()) : grpc::InsecureChannelCredentials();
  stub_ = vik::v1::ExchangeService::NewStub(grpc::CreateCustomChannel(config_.endpoint, credentials, args));
}

void PeerLoop::Start() {
  {
    std::lock_guard lock(mu_);
    started_ = true;
  }
  Schedule(milliseconds(0));
}

void PeerLoop::Stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    done_ = done_ || !started_;  // a loop never started has no step to finish
    if (call_context_ != nullptr) {
      call_context_->TryCancel();
    }
  }
  boost::asio::post(strand_, [self = shared_from_this()] { self->timer_.cancel(); });
}

bool PeerLoop::WaitDone(Clock::time_point deadline) {
  std::unique_lock lock(mu_);
  return done_cv_.wait_until(lock, deadline, [this] { return done_; });
}

void PeerLoop::Schedule(milliseconds delay) {
  boost::asio::post(strand_, [self = shared_from_this(), delay] {
    if (self->Finished()) {
      return;
    }
    self->timer_.expires_after(delay);
    self->timer_.async_wait([self](const boost::system::error_code&) {
      if (!self->Finished()) {
        self->Step();
      }
    });
  });
}

bool PeerLoop::Stopped() {
  std::lock_guard lock(mu_);
  return stopped_;
}

bool PeerLoop::Finished() {
  std::lock_guard lock(mu_);
  if (stopped_ && !done_) {
    done_ = true;
    done_cv_.notify_all();
  }
  return stopped_;
}

milliseconds PeerLoop::Backoff(unsigned failures) {
  const auto base = std::min<milliseconds>(timing_.max_backoff, timing_.interval * (1u << std::min(failures, 10u)));
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  return milliseconds(static_cast<std::int64_t>(static_cast<double>(base.count()) * jitter(random_)));
}

void PeerLoop::CallEnded() {
  std::lock_guard lock(mu_);
  call_context_ = nullptr;
}

}  // namespace vik::federation
