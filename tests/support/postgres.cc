#include "support/postgres.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <thread>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

namespace vik::testing {
namespace {

std::string PgBin() {
  const char* env = std::getenv("VIK_PG_BIN");
  return env != nullptr ? env : "/usr/lib/postgresql/15/bin";
}

// Runs a shell command, as the postgres user when we are root (PostgreSQL refuses to run as root).
void RunAsPostgres(const std::string& cmd) {
  const std::string full = geteuid() == 0 ? "runuser -u postgres -- " + cmd : cmd;
  const int rc = std::system(full.c_str());
  if (rc != 0) {
    throw std::runtime_error("command failed (" + std::to_string(rc) + "): " + full);
  }
}

}  // namespace

std::string AdminDsn() {
  const char* env = std::getenv("VIK_TEST_PG");
  if (env == nullptr || *env == '\0') {
    FAIL(
        "VIK_TEST_PG is not set: run the suites through ./tests/run.sh, or export VIK_TEST_PG to a "
        "superuser libpq DSN such as \"host=127.0.0.1 port=5432 user=postgres\"");
  }
  return env;
}

void ExecSql(const std::string& dsn, const std::string& sql) {
  pqxx::connection c(dsn);
  pqxx::nontransaction n(c);
  n.exec(sql);
}

std::string QueryValue(const std::string& dsn, const std::string& sql) {
  pqxx::connection c(dsn);
  pqxx::nontransaction n(c);
  auto r = n.exec(sql);
  if (r.empty() || r[0][0].is_null()) {
    return "";
  }
  return r[0][0].as<std::string>();
}

FreshDatabase::FreshDatabase() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  name_ = "vik_t_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" + std::to_string(rd() % 100000);
  ExecSql(AdminDsn(), "CREATE DATABASE " + name_);
  dsn_ = AdminDsn() + " dbname=" + name_;
}

FreshDatabase::~FreshDatabase() {
  try {
    ExecSql(AdminDsn(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception&) {
    // Best effort: the throwaway server is deleted at the end of the run anyway.
  }
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    throw std::runtime_error("bind failed");
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

PrivatePostgres::PrivatePostgres() {
  char tmpl[] = "/tmp/vik-pg-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  dir_ = tmpl;
  if (geteuid() == 0) {
    RunAsPostgres("true");  // fail early if the postgres user is missing
    std::string chown = "chown postgres " + dir_;
    if (std::system(chown.c_str()) != 0) {
      throw std::runtime_error("chown failed: " + chown);
    }
  }
  port_ = FreePort();
  RunAsPostgres(PgBin() + "/initdb -D " + dir_ + "/data -A trust -U postgres --no-sync > " + dir_ + "/initdb.log 2>&1");
  Start();
  ExecSql("host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=postgres", "CREATE DATABASE vik");
}

PrivatePostgres::~PrivatePostgres() {
  try {
    if (running_) {
      PgCtl("-m immediate -w stop");
    }
  } catch (const std::exception&) {
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void PrivatePostgres::PgCtl(const std::string& args) const {
  RunAsPostgres(PgBin() + "/pg_ctl -D " + dir_ + "/data -l " + dir_ + "/server.log " + args + " > /dev/null 2>&1");
}

void PrivatePostgres::Start() {
  PgCtl("-o \"-k " + dir_ + " -p " + std::to_string(port_) +
        " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50\" -w -t 60 start");
  running_ = true;
}

void PrivatePostgres::Stop() {
  PgCtl("-m fast -w stop");
  running_ = false;
}

std::string PrivatePostgres::dsn() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=vik";
}

}  // namespace vik::testing
