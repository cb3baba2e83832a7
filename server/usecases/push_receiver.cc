#include "usecases/push_receiver.h"

#include "wire/mirror_mapping.h"

namespace vik::usecases {
namespace {

constexpr const char* kPushEndpoint = "(push)";

// ABORTED means the pusher's view of our cursor is stale: not an error, it is told the right one.
bool Stale(const core::Status& s) { return s.code() == core::StatusCode::kAborted; }

// A refused push is the peer's error, shown in the national status (its contact does not move).
core::Status Refused(store::Store& store, const std::string& peer, const core::Status& refusal) {
  // Best effort: the pusher is told the refusal whether or not it could be recorded.
  (void)store.RecordPeerError(std::nullopt, peer, kPushEndpoint, "PushChanges: " + refusal.message(), false);
  return refusal;
}

}  // namespace

core::Result<vik::v1::PushChangesResponse> ReceivePush(store::Store& store, const std::string& peer,
                                                       const std::string& region, const std::string& own_region,
                                                       const vik::v1::PushChangesRequest& request) {
  std::string speaks_for = region;
  if (speaks_for.empty() && (request.has_snapshot() || request.page().changes_size() > 0)) {
    auto known = store.ReadPeers({peer});
    if (!known.ok()) {
      return known.status();
    }
    speaks_for = known->empty() ? std::string() : known->front().region;
  }
  if (request.has_snapshot()) {
    auto snapshot = wire::MirrorSnapshotOf(peer, speaks_for, request.snapshot(),
                                           request.has_exercise_snapshot() ? &request.exercise_snapshot() : nullptr);
    if (!snapshot.ok()) {
      return Refused(store, peer, snapshot.status());
    }
    if (!own_region.empty() && snapshot->region == own_region) {
      return Refused(store, peer,
                     core::FailedPrecondition("the pushed snapshot is of this node's own region " + own_region));
    }
    snapshot->from_cursor = request.from_cursor();
    if (core::Status s = store.ApplyMirrorSnapshot(std::nullopt, kPushEndpoint, *snapshot); !s.ok() && !Stale(s)) {
      return s;
    }
  } else if (request.page().changes_size() > 0 && !request.from_cursor().empty()) {
    auto apply = wire::MirrorApplyOf(peer, speaks_for, request.from_cursor(), request.page());
    if (!apply.ok()) {
      return Refused(store, peer, apply.status());
    }
    if (core::Status s = store.ApplyMirrorChanges(std::nullopt, kPushEndpoint, *apply); !s.ok() && !Stale(s)) {
      return s;
    }
  } else if (core::Status s = store.RecordPeerContact(std::nullopt, peer, kPushEndpoint, std::nullopt); !s.ok()) {
    return s;
  }
  auto peers = store.ReadPeers({peer});
  if (!peers.ok()) {
    return peers.status();
  }
  vik::v1::PushChangesResponse response;
  response.set_cursor(peers->empty() ? std::string() : peers->front().cursor);
  return response;
}

}  // namespace vik::usecases
