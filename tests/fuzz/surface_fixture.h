#pragma once

// The whole serving surface of one vikd in-process, for the surface fuzz targets: every HTTP route
// (as app::Runtime registers them), the HTTP server and the gRPC server (IngestService,
// ExchangeService, health) on loopback ports picked by the kernel. The store is opened on a DSN
// that refuses connections, so every database call fails fast with UNAVAILABLE: what is exercised
// is the decoding in front of the database. The authenticator holds one token with every scope
// (kToken), owning the sources kSources, so that decoding behind authentication is reached.
// Built once per process (Get); never torn down (libFuzzer exits the process).
// Thread-safety: Get is safe for concurrent use; the members are what the servers share.

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/reference_data.h"
#include "http/router.h"

namespace vik::fuzz {

// A well-formed token (vik_<id>_<secret>) of partner "fuzz" with the scopes ingest, read, analyst,
// admin and push; seeds and dictionaries spell it literally.
inline constexpr std::string_view kToken = "vik_t00000000f022_RnV6emluZy1pcy1ub3QtYS1zZWNyZXQtYXQtYWxsLg";
inline constexpr std::string_view kPartner = "fuzz";
// The region the surface serves, and its reference data (two municipalities, a few themes).
inline constexpr char kRegion[] = "VR21";
const domain::ReferenceData& Region();
// A source owned by kPartner.
inline constexpr std::string_view kSource = "fuzz-source";

// http.max_body_bytes of the surface's HTTP server.
inline constexpr std::uint64_t kMaxBodyBytes = 1024 * 1024;

struct Surface {
  const http::Router* router = nullptr;
  std::uint16_t http_port = 0;
  std::uint16_t grpc_port = 0;
};

const Surface& GetSurface();

}  // namespace vik::fuzz
