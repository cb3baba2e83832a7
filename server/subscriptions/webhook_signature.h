#pragma once

// Signing webhook deliveries (docs/exchange.md, "Verifying a delivery"): the receiver recomputes
// HMAC-SHA256 with the subscription's secret over "<Vik-Timestamp>.<body>" and compares it with
// Vik-Signature ("sha256=<lower-case hex>"). Thread-safety: pure functions (OpenSSL's HMAC and
// RAND_bytes are safe for concurrent use).

#include <string>
#include <string_view>

#include "core/result.h"

namespace vik::subscriptions {

// Lower-case hex of HMAC-SHA256(key, message).
std::string HmacSha256Hex(std::string_view key, std::string_view message);

// The Vik-Signature header value for a delivery of `body` at `timestamp` (unix seconds as text).
std::string SignatureHeader(std::string_view secret, std::string_view timestamp, std::string_view body);

// A new secret: "whsec_" and 64 hex digits (256 random bits). UNAVAILABLE when the system's random
// source fails.
core::Result<std::string> GenerateSecret();

}  // namespace vik::subscriptions
