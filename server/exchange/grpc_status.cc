#include "exchange/grpc_status.h"

namespace vik::exchange {

grpc::Status ToGrpcStatus(const core::Status& status) {
  if (status.ok()) {
    return grpc::Status::OK;
  }
  return grpc::Status(static_cast<grpc::StatusCode>(static_cast<int>(status.code())), status.message());
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

}  // namespace vik::exchange
