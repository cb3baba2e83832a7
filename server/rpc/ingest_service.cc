#include "rpc/ingest_service.h"

#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include <grpcpp/support/byte_buffer.h>
#include <nlohmann/json.hpp>

#include "rpc/grpc_boundary.h"
#include "rpc/grpc_status.h"
#include "wire/ingest_mapping.h"

namespace vik::rpc {

core::Result<auth::Caller> AuthenticateGrpc(const auth::Authenticator& auth, grpc::CallbackServerContext* context) {
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

constexpr std::string_view kSubmit = "/vik.v1.IngestService/Submit";
constexpr std::string_view kSubmitStream = "/vik.v1.IngestService/SubmitStream";
constexpr std::string_view kSubmitCap = "/vik.v1.IngestService/SubmitCap";

// Finishes `reactor` with the authentication failure `status` (retry-after when UNAVAILABLE).
void RefuseCaller(grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor, const core::Status& status) {
  if (status.code() == core::StatusCode::kUnavailable) {
    AddRetryAfter(context, std::chrono::seconds(1));
  }
  reactor->Finish(ToGrpcStatus(status));
}

}  // namespace

IngestService::IngestService(ingest::Pipeline& pipeline, ingest::CapIngest& cap, auth::Authenticator& auth,
                             std::size_t stream_window, auth::StreamLimits stream_limits)
    : pipeline_(pipeline),
      cap_(cap),
      auth_(auth),
      stream_window_(std::max<std::size_t>(1, stream_window)),
      streams_("SubmitStream streams", stream_limits) {
  streams_.FollowRevocations(auth_);
}

grpc::ServerUnaryReactor* IngestService::SubmitCap(grpc::CallbackServerContext* context,
                                                   const vik::v1::SubmitCapRequest* request,
                                                   vik::v1::SubmitCapResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = AuthenticateGrpc(auth_, context);
  if (!caller.ok()) {
    RefuseCaller(context, reactor, caller.status());
    return reactor;
  }
  cap_.Submit(*caller, request->document(), "grpc", [reactor, response, context](ingest::CapSubmitResult result) {
    GrpcUnaryBoundary(kSubmitCap, reactor, [&] {
      if (!result.status.ok()) {
        AddRetryAfter(context, result.retry_after);
        vik::v1::Error error;
        wire::ToProtoError(result.status, result.violations, &error);
        const grpc::Status status = ToGrpcStatus(result.status);
        reactor->Finish(grpc::Status(status.error_code(), status.error_message(), error.SerializeAsString()));
        return;
      }
      wire::ToProtoCapResponse(result, response);
      reactor->Finish(grpc::Status::OK);
    });
  });
  return reactor;
}

grpc::ServerUnaryReactor* IngestService::Submit(grpc::CallbackServerContext* context,
                                                const vik::v1::SubmitRequest* request,
                                                vik::v1::SubmitResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = AuthenticateGrpc(auth_, context);
  if (!caller.ok()) {
    RefuseCaller(context, reactor, caller.status());
    return reactor;
  }
  std::vector<ingest::IncomingSignal> signals;
  signals.reserve(static_cast<std::size_t>(request->signals_size()));
  for (const auto& s : request->signals()) {
    signals.push_back(wire::ToIncoming(s));
  }
  pipeline_.Submit(*caller, std::move(signals), "ingest.submit", true,
                   [reactor, response, context](ingest::SubmitResult result) {
                     GrpcUnaryBoundary(kSubmit, reactor, [&] {
                       if (!result.status.ok()) {
                         AddRetryAfter(context, result.retry_after);
                         reactor->Finish(ToGrpcStatus(result.status));
                         return;
                       }
                       for (const auto& r : result.receipts) {
                         wire::ToProtoReceipt(r, response->add_receipts());
                       }
                       reactor->Finish(grpc::Status::OK);
                     });
                   });
  return reactor;
}

// One SubmitStream call, on raw bytes: each message is decoded here (a message that does not decode
// ends the stream INVALID_ARGUMENT). Signals are submitted one by one as they are read; receipts are
// written in order. The stream ends with `end_` once set (client gone, token revoked, junk, internal
// error) as soon as no write is in flight, or OK once the client has half-closed and every receipt
// is written. The quota slot is given back in OnDone. The reactor deletes itself once gRPC is done
// with it (OnDone) and no submitted signal is still waiting for its outcome.
class IngestService::StreamReactor final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  StreamReactor(IngestService& service, grpc::CallbackServerContext* context) : service_(service) {
    GrpcBoundary(
        kSubmitStream, [&] { Begin(context); }, [this](const grpc::Status& s) { EndWith(s); });
  }

  ~StreamReactor() override { slot_.Release(); }  // first: no on_revoked may run on a dying reactor

  void OnReadDone(bool ok) override {
    GrpcBoundary(
        kSubmitStream, [&] { ReadDone(ok); }, [this](const grpc::Status& s) { EndWith(s); });
  }

  void OnWriteDone(bool ok) override {
    GrpcBoundary(
        kSubmitStream, [&] { WriteDone(ok); }, [this](const grpc::Status& s) { EndWith(s); });
  }

  void OnCancel() override {
    std::lock_guard lock(mu_);
    if (!end_) {
      end_ = grpc::Status(grpc::StatusCode::CANCELLED, "stream broken");
    }
  }

  void OnDone() override {
    // Copy what the audit record needs under the lock: once done_ is set and the lock released, the
    // last OnResult may delete this reactor on a writer thread.
    bool destroy = false;
    auth::Caller caller;
    std::string object;
    std::string outcome;
    ingest::Pipeline& pipeline = service_.pipeline_;
    slot_.Release();  // the client is gone: the slot is free at once
    {
      std::lock_guard lock(mu_);
      done_ = true;
      destroy = outstanding_ == 0;
      caller = caller_;
      object =
          nlohmann::json{
              {"signals", next_index_}, {"accepted", accepted_}, {"duplicate", duplicate_}, {"rejected", rejected_}}
              .dump();
      outcome = end_ ? std::string(core::StatusCodeName(static_cast<core::StatusCode>(end_->error_code()))) : "ok";
    }
    if (!caller.token_id.empty()) {
      GrpcBoundary(
          kSubmitStream, [&] { pipeline.Audit(caller, "ingest.stream", object, outcome); }, [](const grpc::Status&) {});
    }
    if (destroy) {
      delete this;
    }
  }

 private:
  struct Slot {
    std::size_t index;
    std::optional<grpc::ByteBuffer> response;
  };

  void Begin(grpc::CallbackServerContext* context) {
    auto caller = AuthenticateGrpc(service_.auth_, context);
    core::Status s = caller.ok() ? auth::Authenticator::RequireScope(*caller, "ingest") : caller.status();
    if (s.ok()) {
      auto slot = service_.streams_.Acquire(*caller, [this] { Revoke(); });
      if (slot.ok()) {
        slot_ = std::move(slot).value();
      } else {
        s = slot.status();
        AddRetryAfter(context, std::chrono::seconds(5));
      }
    }
    if (!s.ok()) {
      if (s.code() == core::StatusCode::kUnavailable) {
        AddRetryAfter(context, std::chrono::seconds(1));
      }
      Finish(ToGrpcStatus(s));
      return;
    }
    caller_ = std::move(caller).value();
    StartRead(&request_);
  }

  void ReadDone(bool ok) {
    std::unique_lock lock(mu_);
    if (!ok || end_) {
      reading_done_ = true;
      MaybeFinishLocked();
      return;
    }
    vik::v1::SubmitStreamRequest message;
    if (!grpc::SerializationTraits<vik::v1::SubmitStreamRequest>::Deserialize(&request_, &message).ok()) {
      reading_done_ = true;
      end_ = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "message " + std::to_string(next_index_) + " is not a valid SubmitStreamRequest");
      MaybeFinishLocked();
      return;
    }
    const std::size_t index = next_index_++;
    slots_.push_back({index, std::nullopt});
    ++outstanding_;
    lock.unlock();
    std::vector<ingest::IncomingSignal> one;
    one.push_back(wire::ToIncoming(message.signal()));
    service_.pipeline_.Submit(
        caller_, std::move(one), "ingest.stream", false,
        [this, index](ingest::SubmitResult result) { OnResult(index, std::move(result)); }, index);
    lock.lock();
    if (end_) {
      reading_done_ = true;
    } else if (slots_.size() < service_.stream_window_) {
      StartRead(&request_);
    } else {
      read_paused_ = true;  // resumed when a receipt has been written
    }
  }

  void WriteDone(bool ok) {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (!ok) {
      if (!end_) {
        end_ = grpc::Status(grpc::StatusCode::CANCELLED, "stream broken");
      }
      MaybeFinishLocked();
      return;
    }
    slots_.pop_front();
    if (read_paused_ && !reading_done_ && !end_) {
      read_paused_ = false;
      StartRead(&request_);
    }
    WriteNextLocked();
    MaybeFinishLocked();
  }

  // The token was revoked (called by the quota, with its lock held): end the stream.
  void Revoke() { EndWith(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "the token was revoked")); }

  void EndWith(const grpc::Status& status) {
    std::lock_guard lock(mu_);
    if (done_) {
      return;
    }
    if (!end_) {
      end_ = status;
    }
    MaybeFinishLocked();
  }

  void OnResult(std::size_t index, ingest::SubmitResult result) {
    bool destroy = false;
    {
      std::lock_guard lock(mu_);
      --outstanding_;
      if (done_) {
        destroy = outstanding_ == 0;
      } else {
        GrpcBoundary(
            kSubmitStream, [&] { TakeResultLocked(index, result); },
            [this](const grpc::Status& s) {
              if (!end_) {
                end_ = s;
              }
            });
        WriteNextLocked();
        MaybeFinishLocked();
      }
    }
    if (destroy) {
      delete this;
    }
  }

  // REQUIRES: mu_ held.
  void TakeResultLocked(std::size_t index, const ingest::SubmitResult& result) {
    vik::v1::SubmitStreamResponse response;
    auto* receipt = response.mutable_receipt();
    if (result.status.ok() && !result.receipts.empty()) {
      wire::ToProtoReceipt(result.receipts.front(), receipt);
      switch (result.receipts.front().outcome) {
        case ingest::ReceiptOutcome::kAccepted:
          ++accepted_;
          break;
        case ingest::ReceiptOutcome::kDuplicate:
          ++duplicate_;
          break;
        case ingest::ReceiptOutcome::kRejected:
          ++rejected_;
          break;
      }
    } else {
      // A whole-call failure of this one signal (rate limit, database down, ...).
      receipt->set_outcome(vik::v1::RECEIPT_OUTCOME_REJECTED);
      wire::ToProtoError(result.status, {}, receipt->mutable_error());
      ++rejected_;
    }
    receipt->set_index(static_cast<int>(index));
    grpc::ByteBuffer bytes;
    bool own = false;
    if (!grpc::SerializationTraits<vik::v1::SubmitStreamResponse>::Serialize(response, &bytes, &own).ok()) {
      throw std::runtime_error("cannot serialise a SubmitStream receipt");
    }
    for (auto& slot : slots_) {
      if (slot.index == index) {
        slot.response = std::move(bytes);
        break;
      }
    }
  }

  // REQUIRES: mu_ held.
  void WriteNextLocked() {
    if (writing_ || end_ || finished_ || slots_.empty() || !slots_.front().response) {
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
    if (end_ || (reading_done_ && slots_.empty())) {
      finished_ = true;
      Finish(end_ ? *end_ : grpc::Status::OK);
    }
  }

  IngestService& service_;
  auth::StreamQuota::Slot slot_;
  auth::Caller caller_;
  grpc::ByteBuffer request_;
  std::mutex mu_;
  std::deque<Slot> slots_;
  std::size_t next_index_ = 0;
  std::size_t outstanding_ = 0;
  std::size_t accepted_ = 0, duplicate_ = 0, rejected_ = 0;
  std::optional<grpc::Status> end_;
  bool reading_done_ = false;
  bool read_paused_ = false;
  bool writing_ = false;
  bool finished_ = false;
  bool done_ = false;
};

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* IngestService::SubmitStream(
    grpc::CallbackServerContext* context) {
  return new StreamReactor(*this, context);
}

}  // namespace vik::rpc
