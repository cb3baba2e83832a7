#pragma once

// vik.v1.ExchangeService over gRPC (callback API): what KCR2 and peers pull. GetRegionalStatus
// reads on the blocking pool (RESOURCE_EXHAUSTED with retry-after when it is full); scopes read,
// analyst or admin. Thread-safety: safe for concurrent use.

#include "core/blocking_pool.h"
#include "exchange/picture_mapping.h"
#include "ingest/authenticator.h"
#include "store/store.h"
#include "vik/v1/picture.grpc.pb.h"

namespace vik::exchange {

class ExchangeService final : public vik::v1::ExchangeService::CallbackService {
 public:
  ExchangeService(store::Store& store, ingest::Authenticator& auth, core::BlockingPool& blocking, StatusContext ctx);

  grpc::ServerUnaryReactor* GetRegionalStatus(grpc::CallbackServerContext* context,
                                              const vik::v1::GetRegionalStatusRequest* request,
                                              vik::v1::RegionalStatus* response) override;

 private:
  store::Store& store_;
  ingest::Authenticator& auth_;
  core::BlockingPool& blocking_;
  const StatusContext ctx_;
};

}  // namespace vik::exchange
