#pragma once

// What the cluster module reads and writes through the store. No libpqxx here.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"

namespace vik::store {

// Proof of leadership for one singleton write: the lease, its holder and the epoch of the term.
struct Fence {
  std::string lease;
  std::string holder;
  std::int64_t epoch = 0;
};

struct LeaseInfo {
  std::optional<std::string> holder;  // none: never taken or released
  std::int64_t epoch = 0;
  core::WallTime expires_at{};
  bool valid = false;  // held and not expired, by the database clock
};

struct InstanceInfo {
  std::string node_id;
  std::string region;
  std::string version;
  std::string http_address;
  std::string grpc_address;
  core::WallTime started_at{};
  core::WallTime last_seen_at{};
  bool live = false;  // seen within the liveness window
};

}  // namespace vik::store
