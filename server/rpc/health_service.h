#pragma once

// grpc.health.v1.Health (callback API), following process readiness.
//
// Check answers SERVING or NOT_SERVING for "" (the whole server) and for every registered service
// name; other names get NOT_FOUND. Watch streams the current status at once and every change after
// it; for an unknown name it sends SERVICE_UNKNOWN (per the protocol) and keeps watching.
// Watch needs no token, so at most `max_watchers` Watch streams are open at once (beyond:
// RESOURCE_EXHAUSTED with retry-after); a stream's memory is freed when it ends (OnDone).
// Shutdown() sends NOT_SERVING to every watcher and then ends the streams (UNAVAILABLE), so that the
// server's drain is not held up by long-lived Watch calls.
// Thread-safety: safe for concurrent use; reactions never block.

#include <cstddef>
#include <mutex>
#include <set>
#include <string>

#include "core/readiness.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace vik::rpc {

class HealthService final : public grpc::health::v1::Health::CallbackService {
 public:
  // REQUIRES: `service_names` lists every fully-qualified service served, e.g. "vik.v1.IngestService".
  HealthService(core::ReadinessState& readiness, std::set<std::string> service_names, int max_watchers = 64);
  ~HealthService() override;

  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const grpc::health::v1::HealthCheckRequest* request,
                                  grpc::health::v1::HealthCheckResponse* response) override;
  grpc::ServerWriteReactor<grpc::health::v1::HealthCheckResponse>* Watch(
      grpc::CallbackServerContext* context, const grpc::health::v1::HealthCheckRequest* request) override;

  std::size_t watchers() const;

  // From now on everything is NOT_SERVING; open Watch streams are told and then ended.
  void Shutdown();

 private:
  class Watcher;
  friend class Watcher;

  void OnReadiness(bool ready);
  grpc::health::v1::HealthCheckResponse::ServingStatus StatusFor(const std::string& service) const;
  void Remove(Watcher* w);

  core::ReadinessState& readiness_;
  int subscription_ = 0;
  const std::set<std::string> services_;
  const std::size_t max_watchers_;
  mutable std::mutex mu_;
  bool serving_ = false;
  bool shut_down_ = false;
  std::set<Watcher*> watchers_;
};

}  // namespace vik::rpc
