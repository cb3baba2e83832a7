#pragma once

// Building blocks of the read/write API routes (signals, region state, picture): scope checks,
// handing work to the blocking pool, and store errors as responses.

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include <google/protobuf/message.h>

#include "auth/authenticator.h"
#include "core/blocking_pool.h"
#include "core/result.h"
#include "http/message.h"

namespace vik::http {

// The caller when it is authenticated and holds one of `scopes`; otherwise answers 401/403 (or 503
// while credentials are not loaded) through `respond` and returns nullopt.
std::optional<auth::Caller> Authorize(const auth::Authenticator& auth, const Request& request,
                                      const std::set<std::string>& scopes, const Responder& respond);

// Runs `task` on `pool` for `caller`'s partner; answers 429 with Retry-After when the pool refuses it
// (queue full, or the partner already holds its quota of the pool: runtime.blocking_per_partner) or
// sheds it (it waited in the queue longer than the pool's max_queue_wait).
void SubmitOrRefuse(core::BlockingPool& pool, const auth::Caller& caller, std::function<void()> task,
                    const Responder& respond);

// The answer to a refused pool task: 429 with Retry-After: 1, naming the partner's quota for
// kOwnerQuota. Shared by the HTTP routes that hand work to a pool themselves.
Response PoolRefusalResponse(core::PoolRefusal reason, const core::BlockingPool& pool, const auth::Caller& caller);

// A store error as a response: the code mapped, the message a vik one when it would carry database
// text or internals (ClientMessage; the detail goes to the log); UNAVAILABLE gets Retry-After.
Response StoreErrorResponse(const core::Status& status);

// 200 with the protobuf JSON mapping of `m` (every field printed, defaults too).
Response ProtoJsonResponse(const google::protobuf::Message& m);

}  // namespace vik::http
