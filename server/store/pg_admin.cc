// Store: administration of partners, sources and tokens. Every change and its audit record commit
// in one transaction.

#include <sstream>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "core/base64.h"
#include "core/time_format.h"
#include "store/statements.h"
#include "store/store_impl.h"

namespace vik::store {
namespace {

void InsertAudit(pqxx::work& w, const AuditRecord& a) {
  nlohmann::json rows = nlohmann::json::array();
  rows.push_back({{"actor", a.actor},
                  {"origin", a.origin},
                  {"action", a.action},
                  {"object", nlohmann::json::parse(a.object_json, nullptr, false)},
                  {"result", a.result}});
  w.exec_prepared(stmt::kAuditInsert.name, rows.dump());
}

std::string JoinScopes(const std::set<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) {
      out += ',';
    }
    out += s;
  }
  return out;
}

}  // namespace

core::Status Store::AddPartner(const std::string& name, const AuditRecord& audit) {
  return impl_->pool.Run("add partner", [&](pqxx::connection& c) -> core::Status {
    pqxx::work w(c);
    w.exec_prepared(stmt::kPartnerInsert.name, name);
    InsertAudit(w, audit);
    w.commit();
    return core::Status::Ok();
  });
}

core::Status Store::AddSource(const SourceRecord& source, const AuditRecord& audit) {
  return impl_->pool.Run("add source", [&](pqxx::connection& c) -> core::Status {
    pqxx::work w(c);
    if (source.expected_interval_s) {
      w.exec_prepared(stmt::kSourceInsert.name, source.id, source.partner,
                      static_cast<double>(*source.expected_interval_s));
    } else {
      w.exec_prepared(stmt::kSourceInsertIrregular.name, source.id, source.partner);
    }
    InsertAudit(w, audit);
    w.commit();
    return core::Status::Ok();
  });
}

core::Status Store::InsertToken(const TokenRecord& token, const AuditRecord& audit) {
  return impl_->pool.Run("issue token", [&](pqxx::connection& c) -> core::Status {
    pqxx::work w(c);
    w.exec_prepared(stmt::kTokenInsert.name, token.id, token.partner, core::HexEncode(token.digest),
                    JoinScopes(token.scopes));
    InsertAudit(w, audit);
    w.commit();
    return core::Status::Ok();
  });
}

core::Status Store::RevokeToken(const std::string& id, const AuditRecord& audit) {
  return impl_->pool.Run("revoke token", [&](pqxx::connection& c) -> core::Status {
    pqxx::work w(c);
    if (w.exec_prepared(stmt::kTokenRevoke.name, id).empty()) {
      if (w.exec_prepared(stmt::kTokenExists.name, id).empty()) {
        return core::NotFound("no token with id \"" + id + "\"");
      }
      return core::FailedPrecondition("token \"" + id + "\" is already revoked");
    }
    InsertAudit(w, audit);
    w.commit();
    return core::Status::Ok();
  });
}

core::Result<std::vector<TokenRecord>> Store::ListTokens() {
  return impl_->pool.Run("list tokens", [](pqxx::connection& c) -> core::Result<std::vector<TokenRecord>> {
    pqxx::read_transaction tx(c);
    std::vector<TokenRecord> out;
    for (const auto& r : tx.exec_prepared(stmt::kTokensAll.name)) {
      TokenRecord t;
      t.id = r[0].as<std::string>();
      t.partner = r[1].as<std::string>();
      std::stringstream ss(r[2].as<std::string>());
      for (std::string scope; std::getline(ss, scope, ',');) {
        t.scopes.insert(scope);
      }
      t.created_at = core::FromUnixSeconds(r[3].as<double>());
      if (!r[4].is_null()) {
        t.revoked = true;
        t.revoked_at = core::FromUnixSeconds(r[4].as<double>());
      }
      out.push_back(std::move(t));
    }
    return out;
  });
}

}  // namespace vik::store
