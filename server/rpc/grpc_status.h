#pragma once

// core::Status <-> grpc::Status: the codes are the same set, mapped 1:1.

#include <grpcpp/support/status.h>

#include "core/status.h"

namespace vik::rpc {

grpc::Status ToGrpcStatus(const core::Status& status);
core::Status FromGrpcStatus(const grpc::Status& status);

// INTERNAL "internal error": what a client sees when vik's own code failed (details go to the log).
grpc::Status GrpcInternalError();

}  // namespace vik::rpc
