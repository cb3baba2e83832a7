#include "support/replicated_postgres.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "support/postgres.h"
#include "support/process.h"

namespace vik::testing {
namespace {

constexpr const char* kStandbyName = "replica1";

std::string PgBin() {
  const char* env = std::getenv("VIK_PG_BIN");
  return env != nullptr ? env : "/usr/lib/postgresql/15/bin";
}

// Runs a shell command, as the postgres user when we are root (PostgreSQL refuses to run as root).
void RunAsPostgres(const std::string& cmd, const std::string& what) {
  const std::string full = geteuid() == 0 ? "runuser -u postgres -- " + cmd : cmd;
  const int rc = std::system(full.c_str());
  if (rc != 0) {
    throw std::runtime_error(what + " failed (exit status " + std::to_string(rc) + "): " + full);
  }
}

void AppendTo(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app);
  out << text;
  if (!out) {
    throw std::runtime_error("cannot append to " + path);
  }
}

std::string Dsn(int port, const std::string& dbname) {
  return "host=127.0.0.1 port=" + std::to_string(port) + " user=postgres dbname=" + dbname;
}

// QueryValue, or nullopt while the server does not answer.
std::optional<std::string> TryQuery(const std::string& dsn, const std::string& sql) {
  try {
    return QueryValue(dsn, sql);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string Tail(const std::string& path, std::size_t lines) {
  std::istringstream in(ReadFile(path));
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);) {
    all.push_back(line);
  }
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
    out += all[i] + "\n";
  }
  return out;
}

// Immediate stop; errors ignored (used in clean-up, where the directory is removed next anyway).
void StopQuietly(const std::string& data_dir) {
  try {
    RunAsPostgres(PgBin() + "/pg_ctl -D " + data_dir + " -m immediate -w stop > /dev/null 2>&1", "stopping a server");
  } catch (const std::exception&) {
  }
}

}  // namespace

ReplicatedPostgres::ReplicatedPostgres() {
  char tmpl[] = "/tmp/vik-repl-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  dir_ = tmpl;
  try {
    if (geteuid() == 0) {
      const std::string chown = "chown postgres " + dir_;
      if (std::system(chown.c_str()) != 0) {
        throw std::runtime_error("chown failed: " + chown);
      }
    }
    primary_port_ = FreePort();
    replica_port_ = FreePort();
    while (replica_port_ == primary_port_) {
      replica_port_ = FreePort();
    }

    RunAsPostgres(
        PgBin() + "/initdb -D " + dir_ + "/primary -A trust -U postgres --no-sync > " + dir_ + "/initdb.log 2>&1",
        "initdb");
    // Settings shared by both servers: pg_basebackup copies postgresql.conf to the standby. The
    // port differs per server and is given on the command line (StartServer).
    // fsync = off only skips flushing the OS page cache to disk; the failover below kills
    // processes, not the machine, so nothing written by a server is lost by it.
    AppendTo(dir_ + "/primary/postgresql.conf",
             "\n# vik tests: a primary with one streaming standby\n"
             "listen_addresses = '127.0.0.1'\n"
             "unix_socket_directories = '" +
                 dir_ +
                 "'\n"
                 "wal_level = replica\n"
                 "max_wal_senders = 5\n"
                 "max_replication_slots = 5\n"
                 "hot_standby = on\n"
                 "max_connections = 50\n"
                 "fsync = off\n");
    // initdb's default pg_hba.conf already trusts replication from 127.0.0.1; stated explicitly so
    // the test does not depend on that default.
    AppendTo(dir_ + "/primary/pg_hba.conf", "host replication postgres 127.0.0.1/32 trust\n");
    StartServer("primary", primary_port_);
    primary_running_ = true;
    ExecSql(Dsn(primary_port_, "postgres"), "CREATE DATABASE vik");

    // The standby: a base backup of the primary with -R (standby.signal and primary_conninfo in
    // postgresql.auto.conf). application_name in the connection string ends up in primary_conninfo:
    // that is the name the primary matches against synchronous_standby_names. The replication slot
    // keeps the primary from recycling WAL the standby has not received yet.
    RunAsPostgres(PgBin() + "/pg_basebackup -D " + dir_ + "/replica -R -X stream -c fast --no-sync -C -S " +
                      kStandbyName + " -d \"host=127.0.0.1 port=" + std::to_string(primary_port_) +
                      " user=postgres application_name=" + kStandbyName + "\" > " + dir_ + "/basebackup.log 2>&1",
                  "pg_basebackup");
    StartServer("replica", replica_port_);
    replica_running_ = true;

    // Synchronous replication is switched on only now, with ALTER SYSTEM on the primary (its
    // postgresql.auto.conf), AFTER the base backup was taken. The standby therefore has an empty
    // synchronous_standby_names; once promoted, it commits without waiting for a standby of its
    // own. Had the setting been in postgresql.conf before the backup (or on the command line, which
    // ALTER SYSTEM cannot override), the promoted server would wait for a standby named "replica1"
    // that never connects to it, and every COMMIT on it would hang. (Running on without a synchronous standby
    // after a failover is a deliberate trade: the surviving server is the only copy until a new
    // standby is attached.)
    // synchronous_commit = on: a COMMIT returns once the standby has flushed the commit's WAL
    // ("remote flush"); remote_apply would also wait until it is visible to queries there.
    ExecSql(Dsn(primary_port_, "postgres"),
            "ALTER SYSTEM SET synchronous_standby_names = '" + std::string(kStandbyName) + "'");
    ExecSql(Dsn(primary_port_, "postgres"), "ALTER SYSTEM SET synchronous_commit = 'on'");
    ExecSql(Dsn(primary_port_, "postgres"), "SELECT pg_reload_conf()");

    const std::string sync_query = "SELECT count(*) FROM pg_stat_replication WHERE application_name = '" +
                                   std::string(kStandbyName) + "' AND state = 'streaming' AND sync_state = 'sync'";
    const bool in_sync = WaitUntil([&] { return TryQuery(Dsn(primary_port_, "postgres"), sync_query) == "1"; },
                                   std::chrono::seconds(30));
    if (!in_sync) {
      throw std::runtime_error(
          "the standby did not become a synchronous streaming replica within 30s; "
          "pg_stat_replication: " +
          ReplicationState() + "\n" + LogTails());
    }
    // The database created before the backup is on the standby, and the standby takes no writes.
    if (TryQuery(replica_dsn(), "SELECT pg_is_in_recovery()") != "t") {
      throw std::runtime_error("the standby is not in recovery\n" + LogTails());
    }
  } catch (...) {
    // The destructor does not run for a constructor that throws: clean up here.
    if (replica_running_) {
      StopQuietly(dir_ + "/replica");
    }
    if (primary_running_) {
      StopQuietly(dir_ + "/primary");
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    throw;
  }
}

ReplicatedPostgres::~ReplicatedPostgres() {
  if (replica_running_) {
    StopQuietly(dir_ + "/replica");
  }
  if (primary_running_) {
    StopQuietly(dir_ + "/primary");
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void ReplicatedPostgres::StartServer(const std::string& name, int port) {
  RunAsPostgres(PgBin() + "/pg_ctl -D " + dir_ + "/" + name + " -l " + dir_ + "/" + name + ".log -o \"-p " +
                    std::to_string(port) + "\" -w -t 60 start > /dev/null 2>&1",
                "starting the " + name + " (log: " + dir_ + "/" + name + ".log)");
}

std::string ReplicatedPostgres::primary_dsn() const { return Dsn(primary_port_, "vik"); }

std::string ReplicatedPostgres::replica_dsn() const { return Dsn(replica_port_, "vik"); }

std::string ReplicatedPostgres::multi_host_dsn() const {
  return "host=127.0.0.1,127.0.0.1 port=" + std::to_string(primary_port_) + "," + std::to_string(replica_port_) +
         " user=postgres dbname=vik";
}

void ReplicatedPostgres::StopPrimary() {
  RunAsPostgres(PgBin() + "/pg_ctl -D " + dir_ + "/primary -m immediate -w stop > /dev/null 2>&1",
                "stopping the primary");
  primary_running_ = false;
}

void ReplicatedPostgres::StopReplica() {
  RunAsPostgres(PgBin() + "/pg_ctl -D " + dir_ + "/replica -m immediate -w stop > /dev/null 2>&1",
                "stopping the standby");
  replica_running_ = false;
}

void ReplicatedPostgres::StartReplica() {
  StartServer("replica", replica_port_);
  replica_running_ = true;
}

void ReplicatedPostgres::Promote() {
  RunAsPostgres(PgBin() + "/pg_ctl -D " + dir_ + "/replica -w -t 60 promote > /dev/null 2>&1", "promoting the standby");
  const bool promoted =
      WaitUntil([&] { return TryQuery(replica_dsn(), "SELECT pg_is_in_recovery()") == "f"; }, std::chrono::seconds(30));
  if (!promoted) {
    throw std::runtime_error("the promoted standby is still in recovery after 30s\n" + LogTails());
  }
  // See the constructor: a non-empty value here would make every commit on the new primary hang.
  const auto names = TryQuery(replica_dsn(), "SHOW synchronous_standby_names");
  if (names != "") {
    throw std::runtime_error("the promoted standby waits for synchronous standbys \"" + names.value_or("?") +
                             "\" that do not exist; its commits would hang");
  }
}

std::string ReplicatedPostgres::ReplicationState() const {
  return TryQuery(Dsn(primary_port_, "postgres"),
                  "SELECT string_agg(application_name || ' state=' || state || ' sync_state=' || sync_state || "
                  "' flush_lsn=' || coalesce(flush_lsn::text, '-'), '; ') FROM pg_stat_replication")
      .value_or("<primary not answering>");
}

std::string ReplicatedPostgres::LogTails() const {
  return "primary log (tail):\n" + Tail(dir_ + "/primary.log", 15) + "replica log (tail):\n" +
         Tail(dir_ + "/replica.log", 15);
}

}  // namespace vik::testing
