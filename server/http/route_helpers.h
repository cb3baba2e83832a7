#pragma once

// Building blocks of the read/write API routes (signals, region state, picture): scope checks,
// handing work to the blocking pool, and store errors as responses.

#include <functional>
#include <optional>
#include <set>
#include <string>

#include "core/blocking_pool.h"
#include "http/message.h"
#include "ingest/authenticator.h"

namespace vik::http {

// The caller when it is authenticated and holds one of `scopes`; otherwise answers 401/403 (or 503
// while credentials are not loaded) through `respond` and returns nullopt.
std::optional<ingest::Caller> Authorize(const ingest::Authenticator& auth, const Request& request,
                                        const std::set<std::string>& scopes, const Responder& respond);

// Runs `task` on `pool`; answers 429 with Retry-After when the pool's queue is full.
void SubmitOrRefuse(core::BlockingPool& pool, std::function<void()> task, const Responder& respond);

// A store error as a response; UNAVAILABLE gets Retry-After.
Response StoreErrorResponse(const core::Status& status);

}  // namespace vik::http
