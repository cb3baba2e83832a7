#pragma once

// A primary and a synchronous streaming standby, both real PostgreSQL servers of the test's own
// (initdb and pg_basebackup in a temp dir, each on its own port on 127.0.0.1), for failover tests.
//
// After construction both run, the database "vik" exists on both, and the primary lists the
// standby (application_name "replica1") in pg_stat_replication as streaming with sync_state
// "sync": a COMMIT on the primary returns only after the standby has flushed its WAL
// (synchronous_commit = on). StopPrimary() and Promote() then play a failover.
//
// Throws std::runtime_error (with the server log's tail) when a step fails.
// Thread-safety: not safe for concurrent use; the port and DSN accessors may be called from any
// thread while no other method runs.

#include <string>

namespace vik::testing {

class ReplicatedPostgres {
 public:
  ReplicatedPostgres();
  ~ReplicatedPostgres();  // stops whatever still runs (immediate) and removes the directory
  ReplicatedPostgres(const ReplicatedPostgres&) = delete;
  ReplicatedPostgres& operator=(const ReplicatedPostgres&) = delete;

  int primary_port() const { return primary_port_; }
  int replica_port() const { return replica_port_; }
  // The "vik" database on one server.
  std::string primary_dsn() const;
  std::string replica_dsn() const;
  // Both servers, primary first: "host=127.0.0.1,127.0.0.1 port=P1,P2 user=postgres dbname=vik".
  std::string multi_host_dsn() const;

  // Kills the primary as a crash would (pg_ctl stop -m immediate): no shutdown checkpoint, clients
  // see their connections drop. Waits until it is gone.
  void StopPrimary();
  // Stops the standby as a crash would (immediate) / starts it again on the same port and data
  // directory. While it is down, every COMMIT on the primary waits for it.
  void StopReplica();
  void StartReplica();
  // Promotes the standby (pg_ctl promote) and waits until pg_is_in_recovery() is false, i.e. it
  // accepts writes. Its synchronous_standby_names is empty, so its commits do not wait for a
  // standby that does not exist (see the constructor's comments).
  void Promote();

  // One line per pg_stat_replication row of the primary ("" when none), for failure messages.
  std::string ReplicationState() const;
  // The last lines of each server's log, for failure messages.
  std::string LogTails() const;

 private:
  void StartServer(const std::string& name, int port);

  std::string dir_;
  int primary_port_ = 0;
  int replica_port_ = 0;
  bool primary_running_ = false;
  bool replica_running_ = false;
};

}  // namespace vik::testing
