#include "exchange/ingest_service.h"

#include <deque>
#include <mutex>
#include <optional>

#include <nlohmann/json.hpp>

#include "exchange/grpc_status.h"
#include "exchange/ingest_mapping.h"

namespace vik::exchange {

core::Result<ingest::Caller> AuthenticateGrpc(const ingest::Authenticator& auth, grpc::CallbackServerContext* context) {
  const auto& metadata = context->client_metadata();
  auto it = metadata.find("authorization");
  std::string_view value;
  if (it != metadata.end()) {
    value = std::string_view(it->second.data(), it->second.size());
  }
  return auth.Authenticate(value, context->peer());
}

namespace {

void AddRetryAfter(grpc::CallbackServerContext* context, std::chrono::seconds after) {
  if (after.count() > 0) {
    context->AddTrailingMetadata("retry-after", std::to_string(after.count()));
  }
}

}  // namespace

IngestService::IngestService(ingest::Pipeline& pipeline, ingest::CapIngest& cap, ingest::Authenticator& auth,
                             std::size_t stream_window)
    : pipeline_(pipeline), cap_(cap), auth_(auth), stream_window_(std::max<std::size_t>(1, stream_window)) {}

grpc::ServerUnaryReactor* IngestService::SubmitCap(grpc::CallbackServerContext* context,
                                                   const vik::v1::SubmitCapRequest* request,
                                                   vik::v1::SubmitCapResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = AuthenticateGrpc(auth_, context);
  if (!caller.ok()) {
    if (caller.status().code() == core::StatusCode::kUnavailable) {
      AddRetryAfter(context, std::chrono::seconds(1));
    }
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  cap_.Submit(*caller, request->document(), "grpc", [reactor, response, context](ingest::CapSubmitResult result) {
    if (!result.status.ok()) {
      AddRetryAfter(context, result.retry_after);
      vik::v1::Error error;
      ToProtoError(result.status, result.violations, &error);
      const grpc::Status status = ToGrpcStatus(result.status);
      reactor->Finish(grpc::Status(status.error_code(), status.error_message(), error.SerializeAsString()));
      return;
    }
    ToProtoCapResponse(result, response);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* IngestService::Submit(grpc::CallbackServerContext* context,
                                                const vik::v1::SubmitRequest* request,
                                                vik::v1::SubmitResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = AuthenticateGrpc(auth_, context);
  if (!caller.ok()) {
    if (caller.status().code() == core::StatusCode::kUnavailable) {
      AddRetryAfter(context, std::chrono::seconds(1));
    }
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  std::vector<ingest::IncomingSignal> signals;
  signals.reserve(static_cast<std::size_t>(request->signals_size()));
  for (const auto& s : request->signals()) {
    signals.push_back(ToIncoming(s));
  }
  pipeline_.Submit(*caller, std::move(signals), "ingest.submit", true,
                   [reactor, response, context](ingest::SubmitResult result) {
                     if (!result.status.ok()) {
                       AddRetryAfter(context, result.retry_after);
                       reactor->Finish(ToGrpcStatus(result.status));
                       return;
                     }
                     for (const auto& r : result.receipts) {
                       ToProtoReceipt(r, response->add_receipts());
                     }
                     reactor->Finish(grpc::Status::OK);
                   });
  return reactor;
}

// One SubmitStream call. Signals are submitted one by one as they are read; receipts are written in
// order. The reactor deletes itself once gRPC is done with it (OnDone) and no submitted signal is
// still waiting for its outcome.
class IngestService::StreamReactor final
    : public grpc::ServerBidiReactor<vik::v1::SubmitStreamRequest, vik::v1::SubmitStreamResponse> {
 public:
  StreamReactor(IngestService& service, grpc::CallbackServerContext* context) : service_(service) {
    auto caller = AuthenticateGrpc(service_.auth_, context);
    if (!caller.ok()) {
      Finish(ToGrpcStatus(caller.status()));
      return;
    }
    if (core::Status s = ingest::Authenticator::RequireScope(*caller, "ingest"); !s.ok()) {
      Finish(ToGrpcStatus(s));
      return;
    }
    caller_ = std::move(caller).value();
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      std::lock_guard lock(mu_);
      reading_done_ = true;
      MaybeFinishLocked();
      return;
    }
    std::size_t index = 0;
    {
      std::lock_guard lock(mu_);
      index = next_index_++;
      slots_.push_back({index, std::nullopt});
      ++outstanding_;
    }
    std::vector<ingest::IncomingSignal> one;
    one.push_back(ToIncoming(request_.signal()));
    service_.pipeline_.Submit(
        caller_, std::move(one), "ingest.stream", false,
        [this, index](ingest::SubmitResult result) { OnResult(index, std::move(result)); }, index);
    std::lock_guard lock(mu_);
    if (slots_.size() < service_.stream_window_) {
      StartRead(&request_);
    } else {
      read_paused_ = true;  // resumed when a receipt has been written
    }
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (!ok) {
      broken_ = true;
      MaybeFinishLocked();
      return;
    }
    slots_.pop_front();
    if (read_paused_ && !reading_done_) {
      read_paused_ = false;
      StartRead(&request_);
    }
    WriteNextLocked();
    MaybeFinishLocked();
  }

  void OnCancel() override {
    std::lock_guard lock(mu_);
    broken_ = true;
  }

  void OnDone() override {
    // Copy what the audit record needs under the lock: once done_ is set and the lock released, the
    // last OnResult may delete this reactor on a writer thread.
    bool destroy = false;
    ingest::Caller caller;
    nlohmann::json object;
    bool broken = false;
    ingest::Pipeline& pipeline = service_.pipeline_;
    {
      std::lock_guard lock(mu_);
      done_ = true;
      destroy = outstanding_ == 0;
      caller = caller_;
      object = {{"signals", next_index_}, {"accepted", accepted_}, {"duplicate", duplicate_}, {"rejected", rejected_}};
      broken = broken_;
    }
    if (!caller.token_id.empty()) {
      pipeline.Audit(caller, "ingest.stream", object.dump(), broken ? "CANCELLED" : "ok");
    }
    if (destroy) {
      delete this;
    }
  }

 private:
  struct Slot {
    std::size_t index;
    std::optional<vik::v1::SubmitStreamResponse> response;
  };

  void OnResult(std::size_t index, ingest::SubmitResult result) {
    bool destroy = false;
    {
      std::lock_guard lock(mu_);
      --outstanding_;
      if (done_) {
        destroy = outstanding_ == 0;
      } else {
        vik::v1::SubmitStreamResponse response;
        auto* receipt = response.mutable_receipt();
        if (result.status.ok() && !result.receipts.empty()) {
          ToProtoReceipt(result.receipts.front(), receipt);
          switch (result.receipts.front().outcome) {
            case ingest::ReceiptOutcome::kAccepted: ++accepted_; break;
            case ingest::ReceiptOutcome::kDuplicate: ++duplicate_; break;
            case ingest::ReceiptOutcome::kRejected: ++rejected_; break;
          }
        } else {
          // A whole-call failure of this one signal (rate limit, database down, ...).
          receipt->set_outcome(vik::v1::RECEIPT_OUTCOME_REJECTED);
          ToProtoError(result.status, {}, receipt->mutable_error());
          ++rejected_;
        }
        receipt->set_index(static_cast<int>(index));
        for (auto& slot : slots_) {
          if (slot.index == index) {
            slot.response = std::move(response);
            break;
          }
        }
        WriteNextLocked();
        MaybeFinishLocked();
      }
    }
    if (destroy) {
      delete this;
    }
  }

  // REQUIRES: mu_ held.
  void WriteNextLocked() {
    if (writing_ || broken_ || finished_ || slots_.empty() || !slots_.front().response) {
      return;
    }
    writing_ = true;
    StartWrite(&*slots_.front().response);
  }

  // REQUIRES: mu_ held.
  void MaybeFinishLocked() {
    if (finished_ || writing_) {
      return;
    }
    if (broken_ || (reading_done_ && slots_.empty())) {
      finished_ = true;
      Finish(broken_ ? grpc::Status(grpc::StatusCode::CANCELLED, "stream broken") : grpc::Status::OK);
    }
  }

  IngestService& service_;
  ingest::Caller caller_;
  vik::v1::SubmitStreamRequest request_;
  std::mutex mu_;
  std::deque<Slot> slots_;
  std::size_t next_index_ = 0;
  std::size_t outstanding_ = 0;
  std::size_t accepted_ = 0, duplicate_ = 0, rejected_ = 0;
  bool reading_done_ = false;
  bool read_paused_ = false;
  bool writing_ = false;
  bool broken_ = false;
  bool finished_ = false;
  bool done_ = false;
};

grpc::ServerBidiReactor<vik::v1::SubmitStreamRequest, vik::v1::SubmitStreamResponse>* IngestService::SubmitStream(
    grpc::CallbackServerContext* context) {
  return new StreamReactor(*this, context);
}

}  // namespace vik::exchange
