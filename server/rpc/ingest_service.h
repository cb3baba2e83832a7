#pragma once

// vik.v1.IngestService over gRPC (callback API). Reactions never block: the pipeline completes
// calls from the group-commit writer threads.
//
// Submit: one call, one SubmitResponse (or a whole-call status; RESOURCE_EXHAUSTED and UNAVAILABLE
// carry "retry-after" trailing metadata in seconds).
// SubmitStream: receipts in the order of the signals; at most `stream_window` signals are read ahead
// of the receipts sent (flow control: the client's writes block when the window is full). Transient
// failures of one signal come back as a REJECTED receipt with the error code (UNAVAILABLE, ...);
// authentication failures end the stream. At most `streams.per_partner` streams per partner and
// `streams.per_instance` in all (beyond: RESOURCE_EXHAUSTED naming the quota, with retry-after); a
// stream whose token is revoked ends UNAUTHENTICATED within auth.refresh_interval; a message that is
// not a valid SubmitStreamRequest ends the stream INVALID_ARGUMENT (the method is registered raw so
// that vik, not gRPC, decodes each message). One audit record per stream.
// Thread-safety: safe for concurrent use.

#include <cstddef>

#include "auth/authenticator.h"
#include "auth/stream_quota.h"
#include "ingest/cap_ingest.h"
#include "ingest/pipeline.h"
#include "vik/v1/ingest.grpc.pb.h"

namespace vik::rpc {

using IngestServiceBase =
    vik::v1::IngestService::WithCallbackMethod_Submit<vik::v1::IngestService::WithRawCallbackMethod_SubmitStream<
        vik::v1::IngestService::WithCallbackMethod_SubmitCap<vik::v1::IngestService::Service>>>;

class IngestService final : public IngestServiceBase {
 public:
  IngestService(ingest::Pipeline& pipeline, ingest::CapIngest& cap, auth::Authenticator& auth,
                std::size_t stream_window, auth::StreamLimits stream_limits = {});

  grpc::ServerUnaryReactor* Submit(grpc::CallbackServerContext* context, const vik::v1::SubmitRequest* request,
                                   vik::v1::SubmitResponse* response) override;
  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* SubmitStream(
      grpc::CallbackServerContext* context) override;

  const auth::StreamQuota& stream_quota() const { return streams_; }
  grpc::ServerUnaryReactor* SubmitCap(grpc::CallbackServerContext* context, const vik::v1::SubmitCapRequest* request,
                                      vik::v1::SubmitCapResponse* response) override;

 private:
  class StreamReactor;

  ingest::Pipeline& pipeline_;
  ingest::CapIngest& cap_;
  auth::Authenticator& auth_;
  const std::size_t stream_window_;
  auth::StreamQuota streams_;
};

// Authenticates a gRPC call from its "authorization" metadata.
core::Result<auth::Caller> AuthenticateGrpc(const auth::Authenticator& auth, grpc::CallbackServerContext* context);

}  // namespace vik::rpc
