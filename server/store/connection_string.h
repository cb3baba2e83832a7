#pragma once

// Turns the operator's DSN (a libpq key=value string or a postgresql:// URI, multi-host allowed)
// into the connection string vikd actually uses: the operator's settings win, and the settings a
// 24/7 service needs are added where absent (connect_timeout, target_session_attrs=read-write,
// TCP keepalives, tcp_user_timeout, application_name, statement_timeout via options).

#include <chrono>
#include <string>

#include "core/result.h"

namespace vik::store {

struct ConnectionSettings {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds statement_timeout{10000};
  std::chrono::milliseconds tcp_user_timeout{10000};
  // A session that stalls inside a transaction (e.g. a frozen leader holding the lease fence) is
  // ended by the server after this long, releasing its locks.
  std::chrono::milliseconds idle_in_transaction_timeout{5000};
  int keepalives_idle_s = 10;
  int keepalives_interval_s = 3;
  int keepalives_count = 3;
  std::string application_name = "vikd";
};

// INVALID_ARGUMENT (with libpq's reason) when `dsn` cannot be parsed.
core::Result<std::string> BuildConnectionString(const std::string& dsn, const ConnectionSettings& s);

// The DSN with password and sslpassword replaced by "***", safe to log. Unparseable input yields "<invalid dsn>".
std::string RedactDsn(const std::string& dsn);

}  // namespace vik::store
