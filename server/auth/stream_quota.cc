#include "auth/stream_quota.h"

#include <map>
#include <mutex>

namespace vik::auth {

struct StreamQuota::State {
  const std::string what;
  const StreamLimits limits;
  struct Open {
    std::string partner;
    std::string token_id;
    std::function<void()> on_revoked;
    bool revoked = false;
  };
  mutable std::mutex mu;
  std::uint64_t next_id = 1;
  std::map<std::uint64_t, Open> open;
  std::map<std::string, std::size_t> per_partner;

  State(std::string w, StreamLimits l) : what(std::move(w)), limits(l) {}

  void Release(std::uint64_t id) {
    std::lock_guard lock(mu);
    auto it = open.find(id);
    if (it == open.end()) {
      return;
    }
    auto p = per_partner.find(it->second.partner);
    if (p != per_partner.end() && --p->second == 0) {
      per_partner.erase(p);
    }
    open.erase(it);
  }

  void EndRevoked(const std::function<bool(const std::string&)>& active) {
    std::lock_guard lock(mu);
    for (auto& [id, o] : open) {
      if (!o.revoked && !active(o.token_id)) {
        o.revoked = true;
        if (o.on_revoked) {
          o.on_revoked();
        }
      }
    }
  }
};

StreamQuota::Slot::Slot(Slot&& other) noexcept : state_(std::move(other.state_)), id_(other.id_) {
  other.state_ = nullptr;
}

StreamQuota::Slot& StreamQuota::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    Release();
    state_ = std::move(other.state_);
    id_ = other.id_;
    other.state_ = nullptr;
  }
  return *this;
}

void StreamQuota::Slot::OnRevoked(std::function<void()> on_revoked) {
  std::lock_guard lock(state_->mu);
  auto it = state_->open.find(id_);
  if (it == state_->open.end()) {
    return;
  }
  it->second.on_revoked = std::move(on_revoked);
  if (it->second.revoked && it->second.on_revoked) {
    it->second.on_revoked();
  }
}

void StreamQuota::Slot::Release() noexcept {
  if (state_) {
    state_->Release(id_);
    state_ = nullptr;
  }
}

StreamQuota::StreamQuota(std::string what, StreamLimits limits)
    : state_(std::make_shared<State>(std::move(what), limits)) {}

core::Result<StreamQuota::Slot> StreamQuota::Acquire(const Caller& caller, std::function<void()> on_revoked) {
  std::lock_guard lock(state_->mu);
  const StreamLimits& limits = state_->limits;
  if (state_->open.size() >= limits.per_instance) {
    return core::ResourceExhausted("too many " + state_->what + " on this instance (streams.per_instance = " +
                                   std::to_string(limits.per_instance) + "); retry later");
  }
  auto p = state_->per_partner.find(caller.partner);
  if (p != state_->per_partner.end() && p->second >= limits.per_partner) {
    return core::ResourceExhausted("partner " + caller.partner + " has " + std::to_string(p->second) + " " +
                                   state_->what + " open, its quota (streams.per_partner = " +
                                   std::to_string(limits.per_partner) + "); close one or retry later");
  }
  const std::uint64_t id = state_->next_id++;
  state_->open.emplace(id, State::Open{caller.partner, caller.token_id, std::move(on_revoked)});
  ++state_->per_partner[caller.partner];
  return Slot(state_, id);
}

void StreamQuota::EndRevoked(const std::function<bool(const std::string& token_id)>& active) {
  state_->EndRevoked(active);
}

void StreamQuota::FollowRevocations(const Authenticator& auth) {
  // The listener holds the state, not the quota: whichever of the two goes first, nothing dangles.
  auth.OnReload(
      [state = state_, &auth] { state->EndRevoked([&auth](const std::string& id) { return auth.Active(id); }); });
}

const StreamLimits& StreamQuota::limits() const { return state_->limits; }

std::size_t StreamQuota::open() const {
  std::lock_guard lock(state_->mu);
  return state_->open.size();
}

std::size_t StreamQuota::open_for(const std::string& partner) const {
  std::lock_guard lock(state_->mu);
  auto it = state_->per_partner.find(partner);
  return it == state_->per_partner.end() ? 0 : it->second;
}

}  // namespace vik::auth
