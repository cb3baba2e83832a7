#pragma once

// The risk picture's records (store/picture_records.h) as vik.v1 messages (proto/vik/v1/picture.proto):
// one mapping for gRPC and for HTTP (which serves the protobuf JSON mapping of the same messages).
// Pure functions; safe for concurrent use.

#include <chrono>
#include <string>

#include "store/picture_records.h"
#include "vik/v1/picture.pb.h"

namespace vik::wire {

// What the regional status needs besides the database: who we are.
struct StatusContext {
  std::string region;
  std::string node_id;
  std::string lease;                     // the leader lease's name
  std::chrono::seconds live_window{30};  // an instance seen within this is live
};

// A source is stale when it has an expected interval and has been silent for more than two of them
// (or never delivered); docs/risk-model.md §4.
bool IsStale(const store::SourceFreshnessRecord& s, std::int64_t now_us);

// `full_assessment` false (lists): the assessment's long texts are left out (bounded responses).
void ToProtoRisk(const store::RiskRecord& r, vik::v1::Risk* out, bool full_assessment);
void ToProtoStatus(const store::RegionalStatusRecord& r, const StatusContext& ctx, vik::v1::RegionalStatus* out);
void ToProtoRiskDetail(const store::RiskDetail& d, vik::v1::RiskDetail* out);
void ToProtoAssessment(const store::AssessmentRecord& a, vik::v1::Assessment* out);

}  // namespace vik::wire
