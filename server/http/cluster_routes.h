#pragma once

// GET /v1/cluster (token with scope read or admin): this node, the leader lease (holder, epoch,
// expiry by the database clock) and every registered instance with its liveness.
// Answered from the blocking pool (it reads the database).

#include <chrono>
#include <string>

#include "auth/authenticator.h"
#include "cluster/leader_lease.h"
#include "core/blocking_pool.h"
#include "http/router.h"
#include "store/store.h"

namespace vik::http {

struct ClusterRouteContext {
  std::string node_id;
  std::string region;
  store::Store* store = nullptr;
  cluster::LeaderLease* lease = nullptr;
  core::BlockingPool* blocking = nullptr;
  const auth::Authenticator* auth = nullptr;
  std::chrono::seconds live_window{30};
};

void AddClusterRoutes(Router& router, ClusterRouteContext context);

}  // namespace vik::http
