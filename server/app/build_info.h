#pragma once

#include <string>

namespace vik::app {

// "0.1.0"
const char* Version();
// Short git commit of the build, or "unknown".
const char* Commit();
// "vikd 0.1.0 (commit abc123) protobuf 3.21.12 grpc 1.51.1 libpqxx 6.4.5 boost 1.74"
std::string VersionLine();

}  // namespace vik::app
