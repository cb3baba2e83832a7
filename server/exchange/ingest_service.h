#pragma once

// vik.v1.IngestService over gRPC (callback API). Reactions never block: the pipeline completes
// calls from the group-commit writer threads.
//
// Submit: one call, one SubmitResponse (or a whole-call status; RESOURCE_EXHAUSTED and UNAVAILABLE
// carry "retry-after" trailing metadata in seconds).
// SubmitStream: receipts in the order of the signals; at most `stream_window` signals are read ahead
// of the receipts sent (flow control: the client's writes block when the window is full). Transient
// failures of one signal come back as a REJECTED receipt with the error code (UNAVAILABLE, ...);
// authentication failures end the stream. One audit record per stream.
// Thread-safety: safe for concurrent use.

#include <cstddef>

#include "ingest/authenticator.h"
#include "ingest/cap_ingest.h"
#include "ingest/pipeline.h"
#include "vik/v1/ingest.grpc.pb.h"

namespace vik::exchange {

class IngestService final : public vik::v1::IngestService::CallbackService {
 public:
  IngestService(ingest::Pipeline& pipeline, ingest::CapIngest& cap, ingest::Authenticator& auth,
                std::size_t stream_window);

  grpc::ServerUnaryReactor* Submit(grpc::CallbackServerContext* context, const vik::v1::SubmitRequest* request,
                                   vik::v1::SubmitResponse* response) override;
  grpc::ServerBidiReactor<vik::v1::SubmitStreamRequest, vik::v1::SubmitStreamResponse>* SubmitStream(
      grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* SubmitCap(grpc::CallbackServerContext* context, const vik::v1::SubmitCapRequest* request,
                                      vik::v1::SubmitCapResponse* response) override;

 private:
  class StreamReactor;

  ingest::Pipeline& pipeline_;
  ingest::CapIngest& cap_;
  ingest::Authenticator& auth_;
  const std::size_t stream_window_;
};

// Authenticates a gRPC call from its "authorization" metadata.
core::Result<ingest::Caller> AuthenticateGrpc(const ingest::Authenticator& auth, grpc::CallbackServerContext* context);

}  // namespace vik::exchange
