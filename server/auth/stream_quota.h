#pragma once

// Quotas for long-lived streams (SSE change streams, WatchChanges, SubmitStream): at most
// `per_partner` open streams of one kind per partner and `per_instance` in all, so that one partner
// cannot lock the others out; and the end of the streams whose token is revoked.
//
// Acquire() takes a slot for the caller's partner, or answers RESOURCE_EXHAUSTED naming the quota
// that is full ("streams.per_partner" or "streams.per_instance"). The slot is given back when the
// Slot is destroyed or Release()d: a stream's owner releases it as soon as its client is gone.
// EndRevoked() calls the `on_revoked` of every open slot whose token is no longer active;
// FollowRevocations() makes the Authenticator do that after every reload, so a revoked token's
// streams end within auth.refresh_interval.
// Thread-safety: safe for concurrent use. `on_revoked` runs with the quota's lock held: it must not
// block and must not acquire or release a slot (set a flag, cancel a timer or an alarm instead).

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "auth/authenticator.h"
#include "core/result.h"

namespace vik::auth {

struct StreamLimits {
  std::size_t per_partner = 8;
  std::size_t per_instance = 64;
};

class StreamQuota {
 private:
  struct State;

 public:
  // A taken slot; movable, released on destruction.
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& other) noexcept;
    Slot& operator=(Slot&& other) noexcept;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot() { Release(); }

    // Gives the slot back (idempotent). After it returns, `on_revoked` is not running and will
    // not be called.
    void Release() noexcept;
    bool held() const { return state_ != nullptr; }

    // Sets (replaces) the slot's `on_revoked`; runs it at once if the token was revoked meanwhile.
    // REQUIRES: held().
    void OnRevoked(std::function<void()> on_revoked);

   private:
    friend class StreamQuota;
    Slot(std::shared_ptr<State> state, std::uint64_t id) : state_(std::move(state)), id_(id) {}
    std::shared_ptr<State> state_;
    std::uint64_t id_ = 0;
  };

  // `what` names the streams in messages, e.g. "WatchChanges streams".
  StreamQuota(std::string what, StreamLimits limits);

  core::Result<Slot> Acquire(const Caller& caller, std::function<void()> on_revoked = nullptr);

  // Calls `on_revoked` (once) for every open slot whose token `active` says is no longer active.
  void EndRevoked(const std::function<bool(const std::string& token_id)>& active);

  // Ends the streams of revoked tokens after every reload of `auth`. REQUIRES: called once.
  void FollowRevocations(const Authenticator& auth);

  const StreamLimits& limits() const;
  std::size_t open() const;
  std::size_t open_for(const std::string& partner) const;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace vik::auth
