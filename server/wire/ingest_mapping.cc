#include "wire/ingest_mapping.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "wire/signal_mapping.h"

namespace vik::wire {
namespace {

std::string CanonicalPayload(const vik::v1::Signal& signal) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  signal.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

void SetTimestamp(core::WallTime t, google::protobuf::Timestamp* out) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  std::int64_t secs = ns / 1'000'000'000;
  std::int64_t nanos = ns % 1'000'000'000;
  if (nanos < 0) {
    nanos += 1'000'000'000;
    --secs;
  }
  out->set_seconds(secs);
  out->set_nanos(static_cast<int>(nanos));
}

}  // namespace

ingest::IncomingSignal ToIncoming(const vik::v1::Signal& signal) {
  MappedSignal mapped = FromProto(signal);
  ingest::IncomingSignal in;
  if (mapped.violations.empty()) {
    vik::v1::Signal canonical;
    ToProto(mapped.signal, &canonical);
    in.payload = CanonicalPayload(canonical);
  }
  in.signal = std::move(mapped.signal);
  in.violations = std::move(mapped.violations);
  return in;
}

std::string CanonicalPayloadOf(const domain::Signal& signal) {
  vik::v1::Signal canonical;
  ToProto(signal, &canonical);
  return CanonicalPayload(canonical);
}

void ToProtoCapResponse(const ingest::CapSubmitResult& r, vik::v1::SubmitCapResponse* out) {
  auto outcome = [](ingest::ReceiptOutcome o) {
    switch (o) {
      case ingest::ReceiptOutcome::kAccepted:
        return vik::v1::RECEIPT_OUTCOME_ACCEPTED;
      case ingest::ReceiptOutcome::kDuplicate:
        return vik::v1::RECEIPT_OUTCOME_DUPLICATE;
      case ingest::ReceiptOutcome::kRejected:
        return vik::v1::RECEIPT_OUTCOME_REJECTED;
    }
    return vik::v1::RECEIPT_OUTCOME_UNSPECIFIED;
  };
  auto timestamp = [](core::WallTime t, google::protobuf::Timestamp* ts) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
    ts->set_seconds(ns / 1000000000);
    ts->set_nanos(static_cast<int>(ns % 1000000000));
  };
  out->set_message_id(r.message_id);
  out->set_outcome(outcome(r.outcome));
  timestamp(r.received_at, out->mutable_received_at());
  out->set_sender(r.sender);
  out->set_identifier(r.identifier);
  out->set_status(r.cap_status);
  out->set_msg_type(r.msg_type);
  for (const auto& s : r.signals) {
    auto* receipt = out->add_signals();
    receipt->set_info_index(s.info_index);
    receipt->set_source(s.source);
    receipt->set_external_id(s.external_id);
    receipt->set_outcome(outcome(s.outcome));
    receipt->set_signal_id(s.signal_id);
    timestamp(s.received_at, receipt->mutable_received_at());
  }
  out->set_signals_ended(r.signals_ended);
  out->set_references_pending(r.references_pending);
  for (const auto& w : r.warnings) {
    out->add_warnings(w);
  }
}

void ToProtoError(const core::Status& status, const std::vector<domain::FieldViolation>& violations,
                  vik::v1::Error* out) {
  out->set_code(std::string(core::StatusCodeName(status.code())));
  out->set_message(status.message());
  for (const auto& v : violations) {
    auto* fv = out->add_violations();
    fv->set_field(v.field);
    fv->set_description(v.description);
  }
}

void ToProtoReceipt(const ingest::ReceiptData& r, vik::v1::Receipt* out) {
  out->set_index(r.index);
  out->set_source(r.source);
  out->set_external_id(r.external_id);
  switch (r.outcome) {
    case ingest::ReceiptOutcome::kAccepted:
      out->set_outcome(vik::v1::RECEIPT_OUTCOME_ACCEPTED);
      break;
    case ingest::ReceiptOutcome::kDuplicate:
      out->set_outcome(vik::v1::RECEIPT_OUTCOME_DUPLICATE);
      break;
    case ingest::ReceiptOutcome::kRejected:
      out->set_outcome(vik::v1::RECEIPT_OUTCOME_REJECTED);
      break;
  }
  if (!r.signal_id.empty()) {
    out->set_signal_id(r.signal_id);
    SetTimestamp(r.received_at, out->mutable_received_at());
  }
  if (r.outcome == ingest::ReceiptOutcome::kRejected) {
    ToProtoError(r.error, r.violations, out->mutable_error());
  }
  for (const auto& w : r.warnings) {
    out->add_warnings(w);
  }
}

}  // namespace vik::wire
