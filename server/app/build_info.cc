#include "app/build_info.h"

#include <google/protobuf/stubs/common.h>
#include <grpcpp/grpcpp.h>
#include <boost/version.hpp>

namespace vik::app {

const char* Version() { return VIK_VERSION; }
const char* Commit() { return VIK_GIT_COMMIT; }

std::string VersionLine() {
  return std::string("vikd ") + Version() + " (commit " + Commit() + ") protobuf " +
         google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION) + " grpc " + grpc::Version() + " libpqxx " +
         VIK_PQXX_VERSION + " boost " + std::to_string(BOOST_VERSION / 100000) + "." +
         std::to_string(BOOST_VERSION / 100 % 1000);
}

}  // namespace vik::app
