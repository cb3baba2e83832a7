#pragma once

// The scaffolding shared by the per-peer loops of mirroring (peer_mirror.h: pull a peer's feed) and
// pushing (feed_pusher.h: push the own feed to a peer): a gRPC stub for the peer, a timer on a
// strand of the runtime's io_context, one step at a time (Step, then a gRPC callback or a
// blocking-pool task, then Schedule), backoff with jitter, and a stop that cancels the call in
// flight and waits for the step that runs to end.
// Thread-safety: Start, Stop and WaitDone from the owner; Schedule from whichever thread runs the
// current step. State of a subclass touched only by its steps needs no lock (steps never overlap).

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include <grpcpp/client_context.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "vik/v1/exchange.grpc.pb.h"

namespace vik::federation {

// One peer as configured. The token is a secret: never logged.
struct PeerConfig {
  std::string name;      // [A-Za-z0-9_-], 1-64: the mirror's namespace
  std::string endpoint;  // gRPC host:port
  std::string token;     // bearer token issued by the peer (scope read to pull, push to push)
  bool tls = false;      // TLS with the system's roots (else plaintext, e.g. behind a tunnel)
  std::string region;    // peer.NAME.region: the only region the peer may speak for; empty: the
                         // region its first snapshot names (then fixed)
};

struct LoopTiming {
  std::chrono::milliseconds interval{250};       // between steps of a caught-up loop
  std::chrono::milliseconds call_timeout{5000};  // deadline of one call
  std::chrono::milliseconds max_backoff{30000};
  // Largest message received from or sent to the peer. Above any peer's grpc.max_message_bytes
  // (at most 256 MiB) would be needless: pages are bounded by the sender's limit.
  std::size_t max_message_bytes = 64 << 20;
  std::string user_agent = "vikd";
};

// The seam to the peer: makes the stub a loop calls its peer through (only its callback API,
// async(), is used). Empty: a real channel to PeerConfig::endpoint with LoopTiming's limits; tests
// pass a fake stub that answers what they script (garbage, errors, timeouts).
using StubFactory = std::function<std::unique_ptr<vik::v1::ExchangeService::StubInterface>(const PeerConfig&)>;

class PeerLoop : public std::enable_shared_from_this<PeerLoop> {
 public:
  using Clock = std::chrono::steady_clock;

  PeerLoop(PeerConfig config, LoopTiming timing, boost::asio::io_context& ioc, const StubFactory& stubs = {});
  virtual ~PeerLoop() = default;
  PeerLoop(const PeerLoop&) = delete;
  PeerLoop& operator=(const PeerLoop&) = delete;

  const std::string& name() const { return config_.name; }
  void Start();
  // Cancels the call in flight and the timer; the step that runs ends with its Schedule.
  void Stop();
  // True once a stopped loop has finished its last step (false at `deadline`).
  bool WaitDone(Clock::time_point deadline);

 protected:
  template <typename Response>
  struct Call {
    grpc::ClientContext context;
    Response response;
  };

  // The step: starts exactly one call or blocking task that ends with Schedule (or calls Schedule).
  virtual void Step() = 0;

  // Ends the current step: the next one after `delay` (or, once stopped, none).
  void Schedule(std::chrono::milliseconds delay);
  bool Stopped();
  // interval x 2^failures, at most max_backoff, +-20% jitter.
  std::chrono::milliseconds Backoff(unsigned failures);

  // A call with the deadline and the bearer token, cancelled by Stop; CallEnded when it completes.
  template <typename Response>
  std::shared_ptr<Call<Response>> NewCall() {
    auto call = std::make_shared<Call<Response>>();
    call->context.set_deadline(std::chrono::system_clock::now() + timing_.call_timeout);
    call->context.AddMetadata("authorization", "Bearer " + config_.token);
    std::lock_guard lock(mu_);
    call_context_ = &call->context;
    if (stopped_) {
      call->context.TryCancel();
    }
    return call;
  }
  void CallEnded();

  vik::v1::ExchangeService::StubInterface& stub() { return *stub_; }

  const PeerConfig config_;
  const LoopTiming timing_;

 private:
  bool Finished();

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer timer_;
  std::unique_ptr<vik::v1::ExchangeService::StubInterface> stub_;
  std::mt19937 random_;

  std::mutex mu_;
  std::condition_variable done_cv_;
  bool started_ = false;
  bool stopped_ = false;
  bool done_ = false;
  grpc::ClientContext* call_context_ = nullptr;
};

}  // namespace vik::federation
