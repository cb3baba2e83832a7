#pragma once

// PostgreSQL for tests.
// - AdminDsn(): the shared throwaway server started by tests/run.sh (env VIK_TEST_PG, a libpq
//   key=value string for a superuser). Fails the test with a clear message when unset.
// - FreshDatabase: a new, empty database on that server, dropped at the end of the test.
// - PrivatePostgres: a whole cluster of the test's own (initdb in a temp dir, its own port), for
//   tests that stop and restart the server.

#include <string>

namespace vik::testing {

std::string AdminDsn();

// Runs `sql` on `dsn` (autocommit); throws on error.
void ExecSql(const std::string& dsn, const std::string& sql);
// First column of the first row as text ("" when no rows).
std::string QueryValue(const std::string& dsn, const std::string& sql);

class FreshDatabase {
 public:
  FreshDatabase();
  ~FreshDatabase();
  FreshDatabase(const FreshDatabase&) = delete;
  FreshDatabase& operator=(const FreshDatabase&) = delete;

  const std::string& name() const { return name_; }
  const std::string& dsn() const { return dsn_; }

 private:
  std::string name_;
  std::string dsn_;
};

class PrivatePostgres {
 public:
  PrivatePostgres();   // initdb + start; waits until it accepts connections
  ~PrivatePostgres();  // stop (immediate) and remove the directory
  PrivatePostgres(const PrivatePostgres&) = delete;
  PrivatePostgres& operator=(const PrivatePostgres&) = delete;

  void Stop();   // fast shutdown, waits
  void Start();  // same port and data directory
  int port() const { return port_; }
  // DSN of the "vik" database (created at start-up).
  std::string dsn() const;

 private:
  void PgCtl(const std::string& args) const;

  std::string dir_;
  int port_ = 0;
  bool running_ = false;
};

// A TCP port that was free a moment ago on 127.0.0.1.
int FreePort();

}  // namespace vik::testing
