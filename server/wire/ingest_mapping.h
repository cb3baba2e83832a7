#pragma once

// vik.v1 ingest messages <-> the ingest pipeline's types, shared by gRPC and HTTP.

#include "ingest/cap_ingest.h"
#include "ingest/pipeline.h"
#include "vik/v1/ingest.pb.h"

namespace vik::wire {

// Decodes one wire signal: the domain signal, decoding violations, and the canonical payload (the
// deterministic serialization of the signal re-encoded from the domain form, so that the same
// content sent as JSON or as protobuf yields the same bytes and therefore the same content hash).
ingest::IncomingSignal ToIncoming(const vik::v1::Signal& signal);

void ToProtoReceipt(const ingest::ReceiptData& receipt, vik::v1::Receipt* out);

// The canonical payload of a domain signal (what ToIncoming stores for the same content).
std::string CanonicalPayloadOf(const domain::Signal& signal);

void ToProtoCapResponse(const ingest::CapSubmitResult& result, vik::v1::SubmitCapResponse* out);

// The error body of a failed call or a rejected signal.
void ToProtoError(const core::Status& status, const std::vector<domain::FieldViolation>& violations,
                  vik::v1::Error* out);

}  // namespace vik::wire
