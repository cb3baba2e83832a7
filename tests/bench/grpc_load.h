#pragma once

// gRPC load against vikd with the callback client API: closed-loop unary callers, SubmitStream
// streams with a bounded number of signals awaiting receipts, an open-loop paced schedule, and the
// no-op baseline (grpc.health.v1.Health/Check). Each method runs one phase to completion and returns
// what the callers saw; latency runs from sending a request (for the paced phase: from its scheduled
// time) to its response or receipt.
// Thread-safety: one phase at a time (methods are not for concurrent use).

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "bench/signals.h"
#include "bench/stats.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "vik/v1/ingest.grpc.pb.h"

namespace vik::bench {

class GrpcLoad {
 public:
  // `channels` separate HTTP/2 connections to `target`; callers and streams are spread over them.
  GrpcLoad(const std::string& target, const std::string& token, int channels);

  // True once Health/Check answers SERVING (polls until `timeout`).
  bool WaitServing(Clock::duration timeout);

  // `callers` concurrent callers, each sending Submit with `batch` signals and the next one as soon as
  // the answer arrives, until `duration` has passed.
  Recorder Unary(SignalFactory& factory, int callers, int batch, Clock::duration duration);

  // `streams` concurrent SubmitStream calls, each keeping up to `window` signals awaiting receipts,
  // until `duration` has passed.
  Recorder Stream(SignalFactory& factory, int streams, int window, Clock::duration duration);

  // Submit of one signal at a fixed `rate` per second for `duration` (open loop: sends do not wait
  // for answers); latency counts from each call's scheduled time.
  Recorder Paced(SignalFactory& factory, double rate, Clock::duration duration);

  // `count` sequential Health/Check calls.
  Recorder HealthChecks(int count);

 private:
  std::string bearer_;
  std::vector<std::unique_ptr<vik::v1::IngestService::Stub>> ingest_;
  std::vector<std::unique_ptr<grpc::health::v1::Health::Stub>> health_;
};

// "RESOURCE_EXHAUSTED" for grpc::StatusCode::RESOURCE_EXHAUSTED, ...
std::string CodeName(grpc::StatusCode code);

}  // namespace vik::bench
