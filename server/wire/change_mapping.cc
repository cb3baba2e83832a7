#include "wire/change_mapping.h"

#include <charconv>

#include <google/protobuf/util/time_util.h>

namespace vik::wire {
namespace {

using google::protobuf::util::TimeUtil;

template <typename T>
bool ParseNumber(std::string_view text, T& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

void ToProtoRegionState(const store::RegionState& s, const std::string& region, vik::v1::RegionState* out) {
  out->set_region(region);
  out->set_version(s.version);
  out->set_grip_level(s.grip_level);
  out->set_phase(s.phase);
  out->set_reason(s.reason);
  out->set_set_by(s.set_by);
  *out->mutable_set_at() = TimeUtil::MicrosecondsToTimestamp(s.set_us);
}

}  // namespace

std::string FormatCursor(const store::ChangeCursor& c) { return std::to_string(c.xid) + "." + std::to_string(c.seq); }

core::Result<std::optional<store::ChangeCursor>> ParseCursor(const std::string& text, const std::string& field) {
  if (text.empty()) {
    return std::optional<store::ChangeCursor>();
  }
  const auto dot = text.find('.');
  store::ChangeCursor c;
  if (text.size() > 42 || dot == std::string::npos || !ParseNumber(std::string_view(text).substr(0, dot), c.xid) ||
      !ParseNumber(std::string_view(text).substr(dot + 1), c.seq) || c.seq < 0) {
    return core::InvalidArgument(field + ": not a cursor of this API (use a cursor this node gave out, or none)");
  }
  return std::optional<store::ChangeCursor>(c);
}

void ToProtoChange(const store::ChangePage& page, const store::ChangeRecord& change, vik::v1::Change* out) {
  out->set_cursor(FormatCursor(change.cursor));
  *out->mutable_at() = TimeUtil::MicrosecondsToTimestamp(change.at_us);
  out->set_picture(change.picture);
  out->set_kind(change.kind);
  out->set_object(change.object);
  if (const auto it = page.signals.find(change.object);
      it != page.signals.end() && (change.kind == "signal.accepted" || change.kind == "signal.ended")) {
    const store::StoredSignalRecord& s = it->second;
    auto* body = out->mutable_signal();
    body->set_id(s.id);
    body->set_status(s.status);
    body->set_state(s.state);
    body->mutable_signal()->ParseFromString(s.payload);
    *body->mutable_received_at() = TimeUtil::MicrosecondsToTimestamp(s.received_us);
    if (s.ended_us != 0) {
      *body->mutable_ended_at() = TimeUtil::MicrosecondsToTimestamp(s.ended_us);
      body->set_ended_by(s.ended_by);
    }
  } else if (const auto r = page.risks.find({change.picture, change.object});
             r != page.risks.end() && (change.kind == "risk.changed" || change.kind == "risk.assessed")) {
    ToProtoRisk(r->second, out->mutable_risk(), false);
  } else if (change.kind == "region.state" && page.region_state) {
    ToProtoRegionState(*page.region_state, change.object, out->mutable_region_state());
  }
}

void ToProtoPage(const store::ChangePage& page, vik::v1::ListChangesResponse* out) {
  for (const auto& c : page.changes) {
    ToProtoChange(page, c, out->add_changes());
  }
  out->set_next_cursor(FormatCursor(page.next));
  out->set_more(page.more);
}

void ToProtoSnapshot(const store::SnapshotRecord& s, const StatusContext& ctx, vik::v1::Snapshot* out) {
  ToProtoStatus(s.status, ctx, out->mutable_status());
  if (s.status.state) {
    ToProtoRegionState(*s.status.state, s.status.region, out->mutable_region_state());
  }
  out->set_cursor(FormatCursor(s.cursor));
}

core::Status CheckSnapshotSize(const vik::v1::Snapshot& snapshot, const std::string& picture,
                               std::size_t max_message_bytes) {
  const std::size_t size = snapshot.ByteSizeLong();
  if (size > max_message_bytes) {
    return core::FailedPrecondition("the " + picture + " snapshot is " + std::to_string(size) +
                                    " bytes, more than a message may hold (" + std::to_string(max_message_bytes) +
                                    " bytes, grpc.max_message_bytes)");
  }
  return core::Status::Ok();
}

}  // namespace vik::wire
