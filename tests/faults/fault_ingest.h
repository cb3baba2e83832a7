#pragma once

// A partner's ingest calls for the fault suites: one signal as a partner would send it, a gRPC stub
// on a connection of its own, a unary Submit with a deadline, and a wait until an instance has loaded
// a token. Thread-safety: the functions are safe for concurrent use; a stub belongs to one thread.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "vik/v1/ingest.grpc.pb.h"

namespace vik::faults {

// A fire incident in GM0796 from `source`, sent now.
vik::v1::Signal FireSignal(const std::string& source, const std::string& external_id);

// A stub on a channel of its own (its own connection).
std::unique_ptr<vik::v1::IngestService::Stub> IngestStub(const std::string& target);

struct SubmitReply {
  grpc::Status status;
  vik::v1::SubmitResponse response;
};

SubmitReply Submit(vik::v1::IngestService::Stub& stub, const std::string& token,
                   const std::vector<vik::v1::Signal>& signals, std::chrono::seconds deadline);

// Waits (up to 15 s) until the instance behind `target` has loaded `token`: an empty call then fails
// validation instead of authentication. Stores nothing. REQUIREs that it happens.
void WaitForToken(const std::string& target, const std::string& token);

}  // namespace vik::faults
