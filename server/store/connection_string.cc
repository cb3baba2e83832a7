#include "store/connection_string.h"

#include <libpq-fe.h>

#include <map>
#include <memory>

namespace vik::store {
namespace {

using ConnInfo = std::map<std::string, std::string>;

core::Result<ConnInfo> Parse(const std::string& dsn) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(dsn.c_str(), &err);
  if (opts == nullptr) {
    std::string reason = err != nullptr ? err : "out of memory";
    if (err != nullptr) {
      PQfreemem(err);
    }
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) {
      reason.pop_back();
    }
    // libpq quotes the offending part, which may be the whole URI or the password: never echo it.
    std::string safe;
    bool quoted = false;
    for (char c : reason) {
      if (c == '"') {
        safe += quoted ? "<redacted>\"" : "\"";
        quoted = !quoted;
      } else if (!quoted) {
        safe += c;
      }
    }
    reason = quoted ? safe + "<redacted>" : safe;
    return core::InvalidArgument("invalid database connection string: " + reason);
  }
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> guard(opts, &PQconninfoFree);
  ConnInfo out;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val != nullptr) {
      out[o->keyword] = o->val;
    }
  }
  return out;
}

// Quotes a value for a key=value connection string (libpq rules: single quotes, backslash escapes).
std::string Quote(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  out += '\'';
  return out;
}

std::string Render(const ConnInfo& info) {
  std::string out;
  for (const auto& [k, v] : info) {
    if (!out.empty()) {
      out += ' ';
    }
    out += k;
    out += '=';
    out += Quote(v);
  }
  return out;
}

}  // namespace

core::Result<std::string> BuildConnectionString(const std::string& dsn, const ConnectionSettings& s) {
  auto parsed = Parse(dsn);
  if (!parsed.ok()) {
    return parsed.status();
  }
  ConnInfo info = std::move(parsed).value();
  auto set_default = [&info](const std::string& key, const std::string& value) { info.try_emplace(key, value); };
  const auto secs = [](std::chrono::milliseconds ms) {
    return std::to_string(std::max<long long>(1, (ms.count() + 999) / 1000));
  };
  set_default("connect_timeout", secs(s.connect_timeout));
  set_default("target_session_attrs", "read-write");
  set_default("keepalives", "1");
  set_default("keepalives_idle", std::to_string(s.keepalives_idle_s));
  set_default("keepalives_interval", std::to_string(s.keepalives_interval_s));
  set_default("keepalives_count", std::to_string(s.keepalives_count));
  set_default("tcp_user_timeout", std::to_string(s.tcp_user_timeout.count()));
  set_default("application_name", s.application_name);
  auto& options = info["options"];
  auto add_option = [&options](const std::string& name, long long value) {
    if (options.find(name) == std::string::npos) {
      const std::string opt = "-c " + name + "=" + std::to_string(value);
      options = options.empty() ? opt : options + " " + opt;
    }
  };
  add_option("statement_timeout", s.statement_timeout.count());
  add_option("idle_in_transaction_session_timeout", s.idle_in_transaction_timeout.count());
  // vikd's statements are short and prepared; JIT compilation only adds latency to them (hundreds
  // of milliseconds when a plan's estimated cost crosses jit_above_cost).
  if (options.find("jit") == std::string::npos) {
    options += options.empty() ? "-c jit=off" : " -c jit=off";
  }
  return Render(info);
}

std::string RedactDsn(const std::string& dsn) {
  auto parsed = Parse(dsn);
  if (!parsed.ok()) {
    return "<invalid dsn>";
  }
  ConnInfo info = std::move(parsed).value();
  for (const char* secret : {"password", "sslpassword"}) {
    if (info.count(secret)) {
      info[secret] = "***";
    }
  }
  return Render(info);
}

}  // namespace vik::store
