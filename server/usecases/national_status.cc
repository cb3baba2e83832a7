#include "usecases/national_status.h"

#include <algorithm>
#include <chrono>

#include "domain/region.h"
#include "usecases/regional_status.h"

namespace vik::usecases {
namespace {

std::int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

core::Result<vik::v1::NationalStatus> ReadNationalStatus(store::Store& store, const NationalSource& source, int top,
                                                         int min_level) {
  if (top == 0) {
    top = 5;
  }
  if (min_level == 0) {
    min_level = 2;
  }
  if (top < 1 || top > 50) {
    return core::InvalidArgument("top: must be 1..50 (risks per region), got " + std::to_string(top));
  }
  if (min_level < 1 || min_level > 4) {
    return core::InvalidArgument("minLevel: must be 1..4, got " + std::to_string(min_level));
  }
  auto overview = store.ReadMirrorOverview(source.peers, std::string(domain::PictureName(domain::Picture::kActual)),
                                           top, min_level);
  if (!overview.ok()) {
    return overview.status();
  }
  // A configured peer the leader has not recorded anything of yet is listed too: never reached.
  for (const auto& name : source.peers) {
    const bool known = std::any_of(overview->peers.begin(), overview->peers.end(),
                                   [&](const store::MirrorPeerView& v) { return v.peer.name == name; });
    if (!known) {
      store::MirrorPeerView never;
      never.peer.name = name;
      overview->peers.push_back(std::move(never));
    }
  }
  std::optional<vik::v1::RegionalStatus> own;
  if (source.national.role != domain::NodeRole::kNational) {
    // Every risk of the own picture: the cross-regional themes need them all, not only the top.
    auto status = ReadRegionalStatus(store, source.own, domain::Picture::kActual, kMaxStatusRisks);
    if (!status.ok()) {
      return status.status();
    }
    own = std::move(status).value();
  }
  return wire::BuildNationalStatus(source.national, *overview, own ? &*own : nullptr, top, min_level, NowMicros());
}

core::Result<vik::v1::ListMirroredSignalsResponse> ReadMirroredSignals(store::Store& store,
                                                                       const NationalSource& source,
                                                                       const std::string& region, int limit) {
  if (limit < 1 || limit > 1000) {
    return core::InvalidArgument("limit: must be 1..1000, got " + std::to_string(limit));
  }
  if (!region.empty() && !domain::IsRegionCode(region)) {
    return core::InvalidArgument("region: \"" + region.substr(0, 20) + "\" is not a safety region code VR01..VR25");
  }
  auto peers = store.ReadPeers(source.peers);
  if (!peers.ok()) {
    return peers.status();
  }
  std::vector<std::string> names;
  std::map<std::string, std::string> region_of;
  for (const auto& p : *peers) {
    if (region.empty() || p.region == region) {
      names.push_back(p.name);
      region_of[p.name] = p.region;
    }
  }
  vik::v1::ListMirroredSignalsResponse out;
  if (names.empty()) {
    return out;
  }
  auto rows = store.ListMirrorSignals(names, limit);
  if (!rows.ok()) {
    return rows.status();
  }
  for (const auto& [peer, body] : *rows) {
    auto* s = out.add_signals();
    s->set_peer(peer);
    s->set_region(region_of[peer]);
    s->mutable_signal()->ParseFromString(body);
  }
  return out;
}

}  // namespace vik::usecases
