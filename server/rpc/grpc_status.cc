#include "rpc/grpc_status.h"

#include "core/utf8.h"

namespace vik::rpc {

grpc::Status ToGrpcStatus(const core::Status& status) {
  if (status.ok()) {
    return grpc::Status::OK;
  }
  // Messages may quote what a client sent (a CAP element name, a field): a gRPC message must be
  // UTF-8 text, so bytes that are not are replaced here, for every RPC (found by messages_fuzz).
  return grpc::Status(static_cast<grpc::StatusCode>(static_cast<int>(status.code())),
                      core::ValidUtf8(status.message()));
}

grpc::Status GrpcInternalError() { return grpc::Status(grpc::StatusCode::INTERNAL, "internal error"); }

core::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) {
    return core::Status::Ok();
  }
  const int code = static_cast<int>(status.error_code());
  if (code < 0 || code > static_cast<int>(core::StatusCode::kUnauthenticated)) {
    return core::Unknown(status.error_message());
  }
  return core::Status(static_cast<core::StatusCode>(code), status.error_message());
}

}  // namespace vik::rpc
