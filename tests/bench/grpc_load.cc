#include "bench/grpc_load.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace vik::bench {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using vik::v1::IngestService;
using vik::v1::SubmitRequest;
using vik::v1::SubmitResponse;
using vik::v1::SubmitStreamRequest;
using vik::v1::SubmitStreamResponse;

constexpr auto kCallTimeout = std::chrono::seconds(30);
// A caller gives up after this many failed calls in a row (vikd gone): the phase then reports them.
constexpr int kMaxConsecutiveErrors = 1000;

// Counts down to zero; Wait returns then. Safe for concurrent use.
class Latch {
 public:
  explicit Latch(std::size_t n) : n_(n) {}
  void CountDown() {
    std::lock_guard lock(mu_);
    if (--n_ == 0) {
      cv_.notify_all();
    }
  }
  void Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return n_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::size_t n_;
};

void AccountReceipt(const vik::v1::Receipt& receipt, Recorder& rec) {
  if (receipt.outcome() == vik::v1::RECEIPT_OUTCOME_ACCEPTED) {
    ++rec.accepted;
    return;
  }
  rec.Error(
      vik::v1::ReceiptOutcome_Name(receipt.outcome()) + ": " + receipt.error().code() + " " + receipt.error().message(),
      1);
}

void AccountSubmit(const grpc::Status& status, const SubmitResponse& response, int batch, Recorder& rec) {
  if (!status.ok()) {
    rec.Error(CodeName(status.error_code()) + ": " + status.error_message(), static_cast<std::uint64_t>(batch));
    return;
  }
  for (const auto& receipt : response.receipts()) {
    AccountReceipt(receipt, rec);
  }
  if (response.receipts_size() != batch) {
    rec.Error("wrong number of receipts: " + std::to_string(response.receipts_size()), 0);
  }
}

// One closed-loop caller: sends a request, and when its answer arrives records it and sends the next,
// until `until` or `max_calls`. Runs on gRPC's callback threads; not thread-safe otherwise.
template <typename Request, typename Response>
class ClosedLoopCaller {
 public:
  using Prepare = std::function<void(Request&)>;
  using Invoke =
      std::function<void(grpc::ClientContext*, const Request*, Response*, std::function<void(grpc::Status)>)>;
  using Account = std::function<void(const grpc::Status&, const Response&, Recorder&)>;

  ClosedLoopCaller(Prepare prepare, Invoke invoke, Account account, const std::string& bearer, Clock::time_point until,
                   std::uint64_t max_calls, Latch& latch)
      : prepare_(std::move(prepare)),
        invoke_(std::move(invoke)),
        account_(std::move(account)),
        bearer_(bearer),
        until_(until),
        max_calls_(max_calls),
        latch_(latch) {}

  void Start() { Issue(); }
  Recorder& recorder() { return recorder_; }

 private:
  struct Call {
    grpc::ClientContext context;
    Request request;
    Response response;
    Clock::time_point sent;
  };

  void Issue() {
    // The call whose callback is running (if any) stays alive until the next one completes.
    previous_ = std::move(current_);
    current_ = std::make_unique<Call>();
    Call& c = *current_;
    if (!bearer_.empty()) {
      c.context.AddMetadata("authorization", bearer_);
    }
    c.context.set_deadline(std::chrono::system_clock::now() + kCallTimeout);
    prepare_(c.request);
    c.sent = Clock::now();
    invoke_(&c.context, &c.request, &c.response, [this](grpc::Status status) { OnDone(status); });
  }

  void OnDone(const grpc::Status& status) {
    const auto now = Clock::now();
    ++recorder_.calls;
    if (status.ok()) {
      recorder_.Latency(now - current_->sent);
    }
    account_(status, current_->response, recorder_);
    consecutive_errors_ = status.ok() ? 0 : consecutive_errors_ + 1;
    if (now < until_ && recorder_.calls < max_calls_ && consecutive_errors_ < kMaxConsecutiveErrors) {
      Issue();
    } else {
      latch_.CountDown();
    }
  }

  const Prepare prepare_;
  const Invoke invoke_;
  const Account account_;
  const std::string bearer_;
  const Clock::time_point until_;
  const std::uint64_t max_calls_;
  Latch& latch_;
  std::unique_ptr<Call> current_;
  std::unique_ptr<Call> previous_;
  Recorder recorder_;
  int consecutive_errors_ = 0;
};

// Runs `callers` closed-loop callers to completion and merges what they saw.
template <typename Request, typename Response>
Recorder RunClosedLoop(
    int callers,
    const std::function<std::unique_ptr<ClosedLoopCaller<Request, Response>>(int index, Latch& latch)>& make) {
  Latch latch(static_cast<std::size_t>(callers));
  std::vector<std::unique_ptr<ClosedLoopCaller<Request, Response>>> all;
  for (int i = 0; i < callers; ++i) {
    all.push_back(make(i, latch));
  }
  for (auto& caller : all) {
    caller->Start();
  }
  latch.Wait();
  Recorder merged;
  for (auto& caller : all) {
    merged.Merge(std::move(caller->recorder()));
  }
  return merged;
}

// One SubmitStream call: writes signals while fewer than `window` await their receipts, matches
// receipts to send times in order, half-closes at `until`. Reactions run on gRPC's threads.
class StreamCaller final : public grpc::ClientBidiReactor<SubmitStreamRequest, SubmitStreamResponse> {
 public:
  StreamCaller(IngestService::Stub& stub, SignalFactory& factory, const std::string& bearer, std::size_t window,
               Clock::time_point until, Latch& latch)
      : stub_(stub), factory_(factory), window_(window), until_(until), latch_(latch) {
    if (!bearer.empty()) {
      context_.AddMetadata("authorization", bearer);
    }
  }

  void Start() {
    stub_.async()->SubmitStream(&context_, this);
    StartRead(&response_);
    {
      std::lock_guard lock(mu_);
      WriteNextLocked();
    }
    StartCall();
  }

  Recorder& recorder() { return recorder_; }

  void OnWriteDone(bool ok) override {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (!ok) {
      closed_ = true;  // the stream is broken; OnDone reports why
      return;
    }
    WriteNextLocked();
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      return;  // no more receipts; OnDone follows
    }
    const auto now = Clock::now();
    {
      std::lock_guard lock(mu_);
      if (!sent_.empty()) {
        recorder_.Latency(now - sent_.front());
        sent_.pop_front();
      }
      ++recorder_.calls;
      AccountReceipt(response_.receipt(), recorder_);
      WriteNextLocked();
    }
    StartRead(&response_);
  }

  void OnDone(const grpc::Status& status) override {
    {
      std::lock_guard lock(mu_);
      if (!status.ok() || !sent_.empty()) {
        recorder_.Error("stream ended: " + CodeName(status.error_code()) + ": " + status.error_message(), sent_.size());
      }
    }
    latch_.CountDown();
  }

 private:
  // REQUIRES: mu_ held.
  void WriteNextLocked() {
    if (writing_ || closed_) {
      return;
    }
    if (Clock::now() >= until_) {
      closed_ = true;
      StartWritesDone();
      return;
    }
    if (sent_.size() >= window_) {
      return;  // resumed by the next receipt
    }
    request_.Clear();
    factory_.Fill(request_.mutable_signal());
    sent_.push_back(Clock::now());
    writing_ = true;
    StartWrite(&request_);
  }

  IngestService::Stub& stub_;
  SignalFactory& factory_;
  const std::size_t window_;
  const Clock::time_point until_;
  Latch& latch_;
  grpc::ClientContext context_;
  SubmitStreamRequest request_;
  SubmitStreamResponse response_;
  std::mutex mu_;
  std::deque<Clock::time_point> sent_;
  bool writing_ = false;
  bool closed_ = false;
  Recorder recorder_;
};

}  // namespace

std::string CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {
      "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
      "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
      "DATA_LOSS", "UNAUTHENTICATED"};
  const auto i = static_cast<std::size_t>(code);
  return i < std::size(kNames) ? kNames[i] : "CODE_" + std::to_string(i);
}

GrpcLoad::GrpcLoad(const std::string& target, const std::string& token, int channels) : bearer_("Bearer " + token) {
  for (int i = 0; i < std::max(1, channels); ++i) {
    grpc::ChannelArguments args;
    args.SetInt("vik.bench.channel", i);  // distinct arguments: a connection of its own
    args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
    auto channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
    ingest_.push_back(IngestService::NewStub(channel));
    health_.push_back(Health::NewStub(channel));
  }
}

bool GrpcLoad::WaitServing(Clock::duration timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    bool all = true;
    for (auto& stub : health_) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
      HealthCheckRequest request;
      HealthCheckResponse response;
      const grpc::Status s = stub->Check(&context, request, &response);
      all = all && s.ok() && response.status() == HealthCheckResponse::SERVING;
    }
    if (all) {
      return true;
    }
    if (Clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Recorder GrpcLoad::Unary(SignalFactory& factory, int callers, int batch, Clock::duration duration) {
  using Caller = ClosedLoopCaller<SubmitRequest, SubmitResponse>;
  const auto until = Clock::now() + duration;
  return RunClosedLoop<SubmitRequest, SubmitResponse>(callers, [&](int index, Latch& latch) {
    IngestService::Stub* stub = ingest_[static_cast<std::size_t>(index) % ingest_.size()].get();
    return std::make_unique<Caller>(
        [&factory, batch](SubmitRequest& request) {
          for (int i = 0; i < batch; ++i) {
            factory.Fill(request.add_signals());
          }
        },
        [stub](grpc::ClientContext* context, const SubmitRequest* request, SubmitResponse* response,
               std::function<void(grpc::Status)> done) {
          stub->async()->Submit(context, request, response, std::move(done));
        },
        [batch](const grpc::Status& status, const SubmitResponse& response, Recorder& rec) {
          AccountSubmit(status, response, batch, rec);
        },
        bearer_, until, UINT64_MAX, latch);
  });
}

Recorder GrpcLoad::Stream(SignalFactory& factory, int streams, int window, Clock::duration duration) {
  const auto until = Clock::now() + duration;
  Latch latch(static_cast<std::size_t>(streams));
  std::vector<std::unique_ptr<StreamCaller>> all;
  for (int i = 0; i < streams; ++i) {
    all.push_back(std::make_unique<StreamCaller>(*ingest_[static_cast<std::size_t>(i) % ingest_.size()], factory,
                                                 bearer_, static_cast<std::size_t>(window), until, latch));
  }
  for (auto& s : all) {
    s->Start();
  }
  latch.Wait();
  Recorder merged;
  for (auto& s : all) {
    merged.Merge(std::move(s->recorder()));
  }
  return merged;
}

Recorder GrpcLoad::Paced(SignalFactory& factory, double rate, Clock::duration duration) {
  struct Call {
    grpc::ClientContext context;
    SubmitRequest request;
    SubmitResponse response;
    Clock::time_point scheduled;
  };
  const auto n = static_cast<std::size_t>(rate * std::chrono::duration<double>(duration).count());
  const auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate));
  std::vector<std::unique_ptr<Call>> calls;  // kept until every callback has run
  calls.reserve(n);
  std::mutex mu;
  Recorder rec;
  Latch latch(n);
  const auto start = Clock::now() + std::chrono::milliseconds(10);
  for (std::size_t i = 0; i < n; ++i) {
    auto call = std::make_unique<Call>();
    call->scheduled = start + period * static_cast<Clock::rep>(i);
    call->context.AddMetadata("authorization", bearer_);
    call->context.set_deadline(std::chrono::system_clock::now() + kCallTimeout);
    std::this_thread::sleep_until(call->scheduled);
    factory.Fill(call->request.add_signals());
    Call* c = call.get();
    calls.push_back(std::move(call));
    ingest_[i % ingest_.size()]->async()->Submit(&c->context, &c->request, &c->response,
                                                 [c, &mu, &rec, &latch](grpc::Status status) {
                                                   const auto now = Clock::now();
                                                   {
                                                     std::lock_guard lock(mu);
                                                     ++rec.calls;
                                                     if (status.ok()) {
                                                       rec.Latency(now - c->scheduled);
                                                     }
                                                     AccountSubmit(status, c->response, 1, rec);
                                                   }
                                                   latch.CountDown();
                                                 });
  }
  latch.Wait();
  return rec;
}

Recorder GrpcLoad::HealthChecks(int count) {
  using Caller = ClosedLoopCaller<HealthCheckRequest, HealthCheckResponse>;
  Health::Stub* stub = health_.front().get();
  return RunClosedLoop<HealthCheckRequest, HealthCheckResponse>(1, [&](int, Latch& latch) {
    return std::make_unique<Caller>(
        [](HealthCheckRequest&) {},
        [stub](grpc::ClientContext* context, const HealthCheckRequest* request, HealthCheckResponse* response,
               std::function<void(grpc::Status)> done) {
          stub->async()->Check(context, request, response, std::move(done));
        },
        [](const grpc::Status& status, const HealthCheckResponse& response, Recorder& rec) {
          if (status.ok() && response.status() == HealthCheckResponse::SERVING) {
            ++rec.accepted;
          } else {
            rec.Error("health check: " + CodeName(status.error_code()) + " " + status.error_message(), 1);
          }
        },
        "", Clock::time_point::max(), static_cast<std::uint64_t>(count), latch);
  });
}

}  // namespace vik::bench
