#pragma once

// vik.v1.ExchangeService over gRPC (callback API; docs/exchange.md): what KCR2 and peers pull.
// Reads run on the blocking pool (RESOURCE_EXHAUSTED with retry-after when it is full); scopes
// read, analyst or admin. WatchChanges keeps a stream open and polls the change log every
// `watch_poll` on the blocking pool; at most `watch_limits.per_partner` streams per partner and
// `watch_limits.per_instance` in all (beyond: RESOURCE_EXHAUSTED naming the quota, retry-after 5);
// a stream's slot is free as soon as its client is gone, and a stream whose token is revoked ends
// UNAUTHENTICATED within auth.refresh_interval. Pages and snapshots stay within
// `max_message_bytes`; a single change or a snapshot larger than that is FAILED_PRECONDITION naming
// it (docs/exchange.md, "Page sizes"). Pool tasks and reactor callbacks run inside the gRPC catch
// boundary (rpc/grpc_boundary.h). Thread-safety: safe for concurrent use.

#include <chrono>
#include <map>
#include <string>

#include "auth/authenticator.h"
#include "auth/stream_quota.h"
#include "core/blocking_pool.h"
#include "store/store.h"
#include "usecases/national_status.h"
#include "vik/v1/exchange.grpc.pb.h"
#include "wire/change_mapping.h"
#include "wire/picture_mapping.h"

namespace vik::rpc {

struct ExchangeOptions {
  std::chrono::milliseconds watch_poll{250};
  auth::StreamLimits watch_limits;
  int page_limit = 100;  // changes per read of a WatchChanges stream
  // grpc.max_message_bytes: ListChanges pages, snapshots and the changes a WatchChanges stream holds
  // at once are bounded by it (change_filters.h, wire::ToProtoPageBounded).
  std::size_t max_message_bytes = 4 * 1024 * 1024;
  // PushChanges: the partners (token partner names) whose pushes this node takes, each the name of
  // its mirror, with the region it speaks for (peer.NAME.region); and the own region (refused as a
  // pushed region; empty at the national role).
  std::map<std::string, std::string> push_peers;
  std::string own_region;
};

class ExchangeService final : public vik::v1::ExchangeService::CallbackService {
 public:
  ExchangeService(store::Store& store, auth::Authenticator& auth, core::BlockingPool& blocking, wire::StatusContext ctx,
                  ExchangeOptions options = {}, usecases::NationalSource national = {});

  grpc::ServerUnaryReactor* GetRegionalStatus(grpc::CallbackServerContext* context,
                                              const vik::v1::GetRegionalStatusRequest* request,
                                              vik::v1::RegionalStatus* response) override;
  grpc::ServerUnaryReactor* ListChanges(grpc::CallbackServerContext* context,
                                        const vik::v1::ListChangesRequest* request,
                                        vik::v1::ListChangesResponse* response) override;
  grpc::ServerUnaryReactor* GetSnapshot(grpc::CallbackServerContext* context,
                                        const vik::v1::GetSnapshotRequest* request,
                                        vik::v1::Snapshot* response) override;
  grpc::ServerUnaryReactor* GetNationalStatus(grpc::CallbackServerContext* context,
                                              const vik::v1::GetNationalStatusRequest* request,
                                              vik::v1::NationalStatus* response) override;
  grpc::ServerUnaryReactor* PushChanges(grpc::CallbackServerContext* context,
                                        const vik::v1::PushChangesRequest* request,
                                        vik::v1::PushChangesResponse* response) override;
  grpc::ServerWriteReactor<vik::v1::Change>* WatchChanges(grpc::CallbackServerContext* context,
                                                          const vik::v1::WatchChangesRequest* request) override;

  const auth::StreamQuota& watch_quota() const { return watchers_; }

 private:
  class WatchReactor;

  // The caller when authenticated with a reading scope; otherwise finishes `reactor`'s call.
  // `regional`: the call reads the node's own picture, which a national node does not have.
  std::optional<auth::Caller> Admit(grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor,
                                    bool regional = true);
  core::Status RegionalOnly() const;
  // Runs `task` on the blocking pool for `caller`'s partner, or finishes `reactor` with
  // RESOURCE_EXHAUSTED (pool full, the partner's quota of it taken, or shed after waiting too long).
  void Run(grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor, const auth::Caller& caller,
           std::function<void()> task);

  store::Store& store_;
  auth::Authenticator& auth_;
  core::BlockingPool& blocking_;
  const wire::StatusContext ctx_;
  const ExchangeOptions options_;
  const usecases::NationalSource national_;
  auth::StreamQuota watchers_;
};

}  // namespace vik::rpc
