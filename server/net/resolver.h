#pragma once

// Name resolution bounded in time, for outbound requests (feeds, webhooks, destination checks at
// subscription time). The system resolver's blocking getaddrinfo is bounded only by resolv.conf's
// timeout and attempts (30 s and more with a dead server); this uses glibc's asynchronous
// getaddrinfo_a and waits at most until the deadline. A lookup that is still running then is
// abandoned: its state is freed by the completion callback when glibc finishes it, so the caller
// never waits and nothing leaks. Thread-safety: safe for concurrent use.

#include <chrono>
#include <string>
#include <vector>

#include "core/result.h"

namespace vik::net {

// The addresses (textual, deduplicated, in the resolver's order) of `host`, a name or an IP
// literal. DEADLINE_EXCEEDED when the deadline passes first ("resolving \"host\": no answer within
// 2000 ms"), UNAVAILABLE when the name does not resolve (the resolver's message).
core::Result<std::vector<std::string>> ResolveHost(const std::string& host, const std::string& port,
                                                   std::chrono::steady_clock::time_point deadline);

}  // namespace vik::net
