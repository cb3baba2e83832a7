#include "auth/authenticator.h"

#include <cctype>
#include <mutex>

#include "auth/tokens.h"

namespace vik::auth {

core::Result<Caller> Authenticator::Authenticate(std::string_view authorization, std::string origin) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.empty()) {
    return core::Unauthenticated("missing credentials: send \"Authorization: Bearer <token>\"");
  }
  auto scheme_is_bearer = [&] {
    for (std::size_t i = 0; i < kBearer.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
          std::tolower(static_cast<unsigned char>(kBearer[i]))) {
        return false;
      }
    }
    return true;
  };
  if (authorization.size() <= kBearer.size() || !scheme_is_bearer()) {
    return core::Unauthenticated("malformed credentials: expected \"Bearer <token>\"");
  }
  const std::string_view token = authorization.substr(kBearer.size());
  auto id = TokenId(token);
  if (!id.ok()) {
    return core::Unauthenticated(id.status().message());
  }
  const std::string digest = TokenDigest(token);
  std::shared_lock lock(mu_);
  if (!loaded_) {
    return core::Unavailable("credentials are not loaded yet (database unreachable?)");
  }
  auto it = tokens_.find(*id);
  if (it == tokens_.end() || !DigestsEqual(it->second.digest, digest)) {
    return core::Unauthenticated("unknown or revoked token");
  }
  return Caller{*id, it->second.partner, it->second.scopes, std::move(origin)};
}

core::Status Authenticator::RequireScope(const Caller& caller, const std::string& scope) {
  if (caller.HasScope(scope)) {
    return core::Status::Ok();
  }
  return core::PermissionDenied("token " + caller.token_id + " lacks the \"" + scope + "\" scope");
}

bool Authenticator::OwnsSource(const Caller& caller, const std::string& source) const {
  std::shared_lock lock(mu_);
  auto it = sources_.find(caller.partner);
  return it != sources_.end() && it->second.count(source) > 0;
}

std::map<std::string, std::int64_t> Authenticator::expected_intervals() const {
  std::shared_lock lock(mu_);
  return expected_intervals_;
}

core::Status Authenticator::Refresh() {
  auto credentials = store_.LoadCredentials();
  if (!credentials.ok()) {
    return credentials.status();
  }
  Load(*credentials);
  return core::Status::Ok();
}

void Authenticator::Load(const store::Credentials& credentials) {
  std::map<std::string, Entry> tokens;
  for (const auto& t : credentials.tokens) {
    if (!t.revoked) {
      tokens[t.id] = {t.digest, t.partner, t.scopes};
    }
  }
  std::map<std::string, std::set<std::string>> sources;
  std::map<std::string, std::int64_t> intervals;
  for (const auto& s : credentials.sources) {
    sources[s.partner].insert(s.id);
    if (s.expected_interval_s) {
      intervals[s.id] = *s.expected_interval_s;
    }
  }
  {
    std::unique_lock lock(mu_);
    tokens_ = std::move(tokens);
    sources_ = std::move(sources);
    expected_intervals_ = std::move(intervals);
    loaded_ = true;
  }
  std::vector<std::function<void()>> listeners;
  {
    std::lock_guard lock(listeners_mu_);
    listeners = listeners_;
  }
  for (const auto& listener : listeners) {
    listener();
  }
}

bool Authenticator::Active(const std::string& token_id) const {
  std::shared_lock lock(mu_);
  return tokens_.count(token_id) > 0;
}

void Authenticator::OnReload(std::function<void()> listener) const {
  std::lock_guard lock(listeners_mu_);
  listeners_.push_back(std::move(listener));
}

bool Authenticator::loaded() const {
  std::shared_lock lock(mu_);
  return loaded_;
}

std::size_t Authenticator::token_count() const {
  std::shared_lock lock(mu_);
  return tokens_.size();
}

}  // namespace vik::auth
